"""Thumbnails of files: images, the first page of PDFs and office documents, video posters.

A preview belongs to a blob, not to a file: a blob never changes, so its previews are made
once, in every size at once, and kept in platform storage under
``drive/previews/<blob id>/<size>.webp`` (WebP, square-fit in 64, 256 or 1024 pixels). A
copy of a file shares them; a new version has its own. A file whose preview cannot be made
(a broken image, a document LibreOffice cannot read) gets a ``failed`` mark beside them, so
that it is not tried again at every request.

Every decoder reads a local copy of the blob in a temporary folder (storage may be S3).
PDFs are drawn by ``pdftoppm``, videos by ``ffmpeg`` limited to plain container formats and
local files (a "video" can be a playlist naming other files or URLs), office documents go
through LibreOffice to PDF first: each external program runs sandboxed, under time and
memory limits, without network (``cartable.core.processes``), and not at all where no
sandbox can be set up (the preview waits). The picture they draw, an uploaded image, or a
text file's first lines are then made into thumbnails by Pillow in a child process
(``cartable.drive.thumbnails`` through ``cartable.core.isolated``): images are restricted to
common formats, JPEGs decoded at reduced scale, and refused past ``MAX_PIXELS``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import mimetypes
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage

from cartable.core import isolated, jobs, office
from cartable.core.processes import ProcessTimeout, SandboxUnavailable, run_isolated
from cartable.drive.localcopy import copy_to, workdir
from cartable.drive.models import Blob

log = logging.getLogger(__name__)

SIZES = (64, 256, 1024)
DEFAULT_SIZE = 256
PREFIX = "drive/previews"
CONTENT_TYPE = "image/webp"
TIMEOUT = 30
# The part of a text file its preview shows (its first lines).
TEXT_HEAD = 64 * 1024
# Pixels of a decoded image (after JPEG's reduced decoding): 64 M pixels are 256 MB in RGBA.
MAX_PIXELS = 64_000_000
# Sources larger than this are not previewed (videos have no limit: a poster needs little).
MAX_SOURCE_BYTES = {
    "image": 200 * 1024 * 1024,
    "pdf": 500 * 1024 * 1024,
    "office": 100 * 1024 * 1024,
    "text": 10 * 1024 * 1024,
}
# ffmpeg's demuxers for video and audio files people keep; not playlists, not concat lists.
VIDEO_FORMATS = "mov,matroska,avi,mpeg,mpegts,ogg,flv,asf,mp3,flac,wav,aac"
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/rtf": "rtf",
}
TEXT_TYPES = {"application/json", "application/xml", "application/x-yaml", "application/yaml"}
# Fast previews are made in the request that asks for them; slow ones (LibreOffice, ffmpeg
# on a large file) in a job.
FAST_KINDS = {"image", "pdf", "text"}


class NoPreview(Exception):
    """This file has no preview, and trying again will not change it."""


class Postponed(Exception):
    """The preview cannot be made now (a converter busy or not installed); maybe later."""


@dataclass(frozen=True)
class Preview:
    blob_id: int
    size: int
    storage_name: str
    content_type: str = CONTENT_TYPE

    @property
    def etag(self) -> str:
        return f'"{self.blob_id}-{self.size}"'

    def open(self) -> File:
        return default_storage.open(self.storage_name, "rb")


def kind_of(mime_type: str) -> str | None:
    """Which renderer a media type goes to, or None when it has no preview."""
    mime_type = mime_type.split(";", 1)[0].strip().lower()
    if mime_type == "image/svg+xml":
        return None  # a script in a picture: never drawn by us
    if mime_type.startswith("image/"):
        return "image"
    if mime_type == "application/pdf":
        return "pdf"
    if mime_type.startswith(("video/", "audio/")):
        return "video"
    if mime_type in OFFICE_TYPES:
        return "office"
    if mime_type in ("text/plain", "text/markdown", "text/csv", "text/x-python") or (
        mime_type in TEXT_TYPES
    ):
        return "text"
    return None


def previewable(mime_type: str) -> bool:
    return kind_of(mime_type) is not None


def box_for(size: int | tuple[int, int]) -> int:
    """The preview size that serves a request for ``size``: the smallest at least as large."""
    wanted = max(size) if isinstance(size, tuple) else size
    return next((s for s in SIZES if s >= wanted), SIZES[-1])


def storage_name(blob_id: int, size: int) -> str:
    return f"{PREFIX}/{blob_id}/{size}.webp"


def _failed_name(blob_id: int) -> str:
    return f"{PREFIX}/{blob_id}/failed"


def cached_preview(blob: Blob, size: int | tuple[int, int] = DEFAULT_SIZE) -> Preview | None:
    box = box_for(size)
    name = storage_name(blob.pk, box)
    if default_storage.exists(name):
        return Preview(blob.pk, box, name)
    return None


def has_failed(blob: Blob) -> bool:
    return default_storage.exists(_failed_name(blob.pk))


def make_preview(
    blob: Blob, mime_type: str, size: int | tuple[int, int] = DEFAULT_SIZE
) -> Preview | None:
    """The preview of ``blob`` that fits ``size``, made now if it was not yet; None if none."""
    cached = cached_preview(blob, size)
    if cached is not None:
        return cached
    if not previewable(mime_type) or has_failed(blob):
        return None
    return generate_previews(blob, mime_type).get(box_for(size))


def generate_previews(blob: Blob, mime_type: str) -> dict[int, Preview]:
    """Make and store every size of the blob's preview; {} when it has none.

    Idempotent: sizes already stored are kept, and two processes making the same preview at
    once both end with one stored file.
    """
    kind = kind_of(mime_type)
    if kind is None:
        return {}
    existing = {
        s: Preview(blob.pk, s, storage_name(blob.pk, s))
        for s in SIZES
        if default_storage.exists(storage_name(blob.pk, s))
    }
    if len(existing) == len(SIZES):
        return existing
    wanted = [size for size in SIZES if size not in existing]
    made = dict(existing)
    try:
        with workdir(prefix="cartable-preview-") as folder:
            for size, path in render(blob, mime_type, folder, wanted).items():
                name = storage_name(blob.pk, size)
                _store(name, path.read_bytes())
                made[size] = Preview(blob.pk, size, name)
    except NoPreview as exc:
        log.info("no preview for blob %s (%s): %s", blob.pk, mime_type, exc)
        _store(_failed_name(blob.pk), str(exc).encode())
        return {}
    except Postponed as exc:
        log.info("preview of blob %s postponed: %s", blob.pk, exc)
        return existing
    return made


def schedule_previews(blob: Blob, mime_type: str) -> None:
    """After the transaction commits, make the blob's previews in a job (new uploads)."""
    if previewable(mime_type):
        jobs.later("drive.previews", blob.pk, mime_type)


def delete_previews(blob_id: int) -> None:
    """Remove a blob's previews (when the blob itself goes)."""
    for name in [*(storage_name(blob_id, s) for s in SIZES), _failed_name(blob_id)]:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
    # Local disk keeps the empty folder otherwise.
    with contextlib.suppress(NotImplementedError, OSError):
        Path(default_storage.path(f"{PREFIX}/{blob_id}")).rmdir()


def _store(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another process stored it between our check and our write: keep theirs.
        default_storage.delete(saved)


# --- rendering ---------------------------------------------------------------------------


def render(blob: Blob, mime_type: str, folder: Path, sizes: list[int]) -> dict[int, Path]:
    """The blob drawn in each of ``sizes``, as WebP files in ``folder``.

    NoPreview when it cannot be drawn; Postponed when it cannot be now (a converter missing,
    busy, or without a sandbox).
    """
    kind = kind_of(mime_type)
    if kind is None:
        raise NoPreview(f"no renderer for {mime_type}")
    limit = MAX_SOURCE_BYTES.get(kind)
    if limit is not None and blob.size > limit:
        raise NoPreview(f"larger than {limit} bytes")
    box = max(sizes)
    extension = mimetypes.guess_extension(mime_type) or ""
    if kind == "office":
        extension = "." + OFFICE_TYPES[mime_type.split(";", 1)[0].strip().lower()]
    if kind == "text":
        source = copy_to(blob, folder / "source.txt", limit=TEXT_HEAD)
        return _thumbnails(source, "text", sizes)
    source = copy_to(blob, folder / f"source{extension}")
    try:
        if kind == "image":
            picture = source
        elif kind == "pdf":
            picture = _render_pdf(source, box)
        elif kind == "video":
            picture = _render_video(source, box, audio=mime_type.startswith("audio/"))
        else:
            picture = _render_office(source, box)
    except ProcessTimeout as exc:
        raise NoPreview(f"{exc} took too long") from exc
    except SandboxUnavailable as exc:
        raise Postponed(str(exc)) from exc
    return _thumbnails(picture, "image", sizes)


def _thumbnails(picture: Path, kind: str, sizes: list[int]) -> dict[int, Path]:
    try:
        made = isolated.call(
            "cartable.drive.thumbnails:thumbnails",
            picture.parent,
            timeout=TIMEOUT,
            path=picture.name,
            kind=kind,
            sizes=sizes,
            max_pixels=MAX_PIXELS,
        )
    except isolated.IsolatedError as exc:
        raise NoPreview(str(exc)) from exc
    files = {int(size): picture.parent / Path(str(name)).name for size, name in made.items()}
    if sorted(files) != sorted(sizes) or not all(p.is_file() for p in files.values()):
        raise NoPreview("the thumbnails were not written")
    return files


def _render_pdf(path: Path, box: int) -> Path:
    process = run_isolated(
        [
            "pdftoppm",
            "-q",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-scale-to",
            str(box),
            "-png",
            path.name,
            "page",
        ],
        workdir=path.parent,
        timeout=TIMEOUT,
    )
    page = path.parent / "page.png"
    if process.returncode != 0 or not page.exists():
        raise NoPreview(f"pdftoppm failed ({process.returncode})")
    return page


def _ffmpeg_input(path: Path) -> list[str]:
    return ["-protocol_whitelist", "file", "-format_whitelist", VIDEO_FORMATS, "-i", path.name]


def _duration(path: Path) -> float | None:
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return None
    process = run_isolated(
        [
            ffprobe,
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "default=noprint_wrappers=1:nokey=1",
            *_ffmpeg_input(path),
        ],
        workdir=path.parent,
        timeout=TIMEOUT,
    )
    try:
        value = float(process.stdout.decode().strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def _render_video(path: Path, box: int, *, audio: bool) -> Path:
    """A frame at a tenth of the video (1 s when its length is unknown); an audio file's cover."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise Postponed("ffmpeg is not installed")
    positions = [0.0]
    if not audio:
        duration = _duration(path)
        positions = [duration / 10 if duration else 1.0, 0.0]
    frame = path.parent / "frame.png"
    for position in positions:
        process = run_isolated(
            [
                ffmpeg,
                "-v",
                "error",
                "-nostdin",
                "-y",
                "-ss",
                f"{position:.3f}",
                *_ffmpeg_input(path),
                "-map",
                "0:v:0",
                "-frames:v",
                "1",
                "-vf",
                f"scale={box}:{box}:force_original_aspect_ratio=decrease",
                "-f",
                "image2",
                "-c:v",
                "png",
                frame.name,
            ],
            workdir=path.parent,
            timeout=TIMEOUT,
        )
        if process.returncode == 0 and frame.exists() and frame.stat().st_size:
            return frame
    raise NoPreview("ffmpeg found no frame")


def _render_office(path: Path, box: int) -> Path:
    try:
        pdf = office.convert(path, "pdf")
    except office.OfficeUnavailable as exc:  # not installed, or busy
        raise Postponed(str(exc)) from exc
    except office.OfficeError as exc:
        raise NoPreview(str(exc)) from exc
    return _render_pdf(pdf, box)
