"""Thumbnails made from real files generated here: Pillow images, PDFs, ffmpeg videos, documents."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import docx
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from cartable.core import office, processes
from cartable.core.registry import registry
from cartable.drive import actions, previews
from cartable.testing.blobs import make_blob
from cartable.testing.documents import minimal_odt, minimal_pdf

from .conftest import put

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 255, 0)


def image_bytes(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def halves(size=(400, 200), left=RED, right=BLUE) -> Image.Image:
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def open_preview(preview: previews.Preview) -> Image.Image:
    with preview.open() as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    assert image.format == "WEBP"
    return image


def close_to(pixel, colour, tolerance=60) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def video_bytes(tmp_path: Path, *, seconds=3, size="320x240", fmt="mp4") -> bytes:
    target = tmp_path / f"clip.{fmt}"
    subprocess.run(  # noqa: S603
        [
            *["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi"],
            *["-i", f"testsrc=duration={seconds}:size={size}:rate=10"],
            *["-pix_fmt", "yuv420p", str(target)],
        ],
        check=True,
        timeout=120,
    )
    return target.read_bytes()


# --- images -------------------------------------------------------------------------------


def test_a_jpeg_gets_every_size_square_fit():
    blob = make_blob(image_bytes(halves((1600, 800)), "JPEG"))
    made = previews.generate_previews(blob, "image/jpeg")
    assert sorted(made) == [64, 256, 1024]
    assert open_preview(made[64]).size == (64, 32)
    assert open_preview(made[256]).size == (256, 128)
    assert open_preview(made[1024]).size == (1024, 512)
    assert made[256].storage_name == f"drive/previews/{blob.pk}/256.webp"


def test_requested_sizes_map_to_the_next_size_up():
    blob = make_blob(image_bytes(halves(), "PNG"))
    assert previews.make_preview(blob, "image/png", (100, 50)).size == 256
    assert previews.make_preview(blob, "image/png", 10).size == 64
    assert previews.make_preview(blob, "image/png", 5000).size == 1024


def test_small_images_are_not_enlarged():
    blob = make_blob(image_bytes(halves((40, 20)), "PNG"))
    assert open_preview(previews.make_preview(blob, "image/png", 1024)).size == (40, 20)


def test_exif_orientation_is_applied():
    """A phone photo stored sideways with 'rotate 90° clockwise' in its EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6
    blob = make_blob(image_bytes(halves((400, 200)), "JPEG", exif=exif))
    image = open_preview(previews.make_preview(blob, "image/jpeg", 256)).convert("RGB")
    assert image.size == (128, 256)
    assert close_to(image.getpixel((64, 10)), RED)
    assert close_to(image.getpixel((64, 245)), BLUE)


def test_transparency_is_kept():
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (25, 25, 75, 75))
    blob = make_blob(image_bytes(image, "PNG"))
    preview = open_preview(previews.make_preview(blob, "image/png", 64))
    assert preview.mode == "RGBA"
    assert preview.getpixel((2, 2))[3] == 0
    assert preview.getpixel((32, 32))[3] == 255


def test_an_animated_gif_shows_its_first_frame():
    frames = [Image.new("RGB", (60, 60), c) for c in (RED, GREEN, BLUE)]
    data = image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    blob = make_blob(data)
    image = open_preview(previews.make_preview(blob, "image/gif", 64)).convert("RGB")
    assert close_to(image.getpixel((30, 30)), RED)


def test_sixteen_bit_greys_are_drawn():
    image = Image.new("I;16", (80, 40))
    image.paste(60000, (40, 0, 80, 40))
    blob = make_blob(image_bytes(image, "PNG"))
    preview = open_preview(previews.make_preview(blob, "image/png", 64)).convert("L")
    assert preview.getpixel((5, 5)) < 30 and preview.getpixel((60, 5)) > 220


def test_a_huge_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    monkeypatch.setattr(previews, "MAX_PIXELS", 4_000_000)
    blob = make_blob(image_bytes(halves((4000, 3000)), "JPEG", quality=50))  # 12 M pixels
    image = open_preview(previews.make_preview(blob, "image/jpeg", 1024))
    assert image.size == (1024, 768)


def test_an_image_with_too_many_pixels_gets_no_preview(monkeypatch):
    monkeypatch.setattr(previews, "MAX_PIXELS", 4_000_000)
    blob = make_blob(image_bytes(Image.new("L", (2500, 2000)), "PNG"))  # 5 M pixels
    assert previews.make_preview(blob, "image/png") is None
    assert previews.has_failed(blob)


def test_a_decompression_bomb_is_refused():
    """A PNG whose header claims 40 000 × 40 000 pixels: refused before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))
        )

    header = struct.pack("!IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )
    assert previews.make_preview(make_blob(data), "image/png") is None


def test_a_broken_image_is_marked_and_not_tried_again(monkeypatch):
    blob = make_blob(b"\xff\xd8\xff\xe0 this is not a JPEG")
    assert previews.make_preview(blob, "image/jpeg") is None
    assert previews.has_failed(blob)

    def must_not_run(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(previews, "render", must_not_run)
    assert previews.make_preview(blob, "image/jpeg") is None


def test_formats_that_run_programs_are_not_decoded():
    """EPS would make Pillow run Ghostscript: only common picture formats are opened."""
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    assert previews.make_preview(make_blob(eps), "image/x-eps") is None


def test_svg_and_unknown_types_have_no_preview():
    assert previews.make_preview(make_blob(b"<svg/>"), "image/svg+xml") is None
    assert previews.make_preview(make_blob(b"PK\3\4"), "application/zip") is None
    assert not previews.previewable("application/octet-stream")


def test_previews_are_made_once_per_blob():
    blob = make_blob(image_bytes(halves(), "PNG"))
    first = previews.make_preview(blob, "image/png")
    default_storage.delete(blob.storage_name)  # the source is not read again
    again = previews.make_preview(blob, "image/png")
    assert again == first
    assert previews.generate_previews(blob, "image/png")[64].storage_name.endswith("/64.webp")


def test_deleting_previews_removes_every_size():
    blob = make_blob(image_bytes(halves(), "PNG"))
    made = previews.generate_previews(blob, "image/png")
    previews.delete_previews(blob.pk)
    assert not any(default_storage.exists(p.storage_name) for p in made.values())


# --- documents and videos -------------------------------------------------------------


def test_the_first_page_of_a_pdf():
    blob = make_blob(minimal_pdf(["Page de garde"], pages=3))
    image = open_preview(previews.make_preview(blob, "application/pdf", 256)).convert("RGB")
    assert image.size == (181, 256)  # A4, portrait
    assert close_to(image.getpixel((90, 5)), (255, 255, 255))
    assert close_to(image.getpixel((90, 250)), (51, 102, 204))  # the band at the bottom


def test_a_broken_pdf_has_no_preview():
    assert previews.make_preview(make_blob(b"%PDF-1.4 broken"), "application/pdf") is None


def test_a_video_poster(tmp_path):
    blob = make_blob(video_bytes(tmp_path))
    image = open_preview(previews.make_preview(blob, "video/mp4", 256))
    assert image.size == (256, 192)


def test_a_webm_poster(tmp_path):
    blob = make_blob(video_bytes(tmp_path, seconds=1, size="160x90", fmt="webm"))
    assert open_preview(previews.make_preview(blob, "video/webm", 64)).size == (64, 36)


def test_a_video_posing_as_a_playlist_is_not_followed(tmp_path):
    """An HLS playlist named .mp4 would have ffmpeg read other files: not a known format."""
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    playlist = f"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile://{secret}\n#EXT-X-ENDLIST\n"
    assert previews.make_preview(make_blob(playlist.encode()), "video/mp4") is None


def test_a_slow_converter_is_stopped(tmp_path, monkeypatch):
    blob = make_blob(video_bytes(tmp_path))
    monkeypatch.setattr(previews, "TIMEOUT", 0.01)
    assert previews.make_preview(blob, "video/mp4") is None
    assert previews.has_failed(blob)


@pytest.mark.skipif(not office.office_available(), reason="LibreOffice is not installed")
def test_a_word_document_through_libreoffice():
    document = docx.Document()
    document.add_heading("Sortie au musée", level=1)
    document.add_paragraph("Rendez-vous à 8 h 30 devant le collège." * 20)
    out = io.BytesIO()
    document.save(out)
    image = open_preview(previews.make_preview(make_blob(out.getvalue()), DOCX, 256))
    assert image.height == 256 and image.width < 256  # a portrait page


@pytest.mark.skipif(not office.office_available(), reason="LibreOffice is not installed")
def test_an_opendocument_text_and_a_spreadsheet(tmp_path):
    odt = make_blob(minimal_odt(["Compte rendu", "Présents : tous"]))
    assert previews.make_preview(odt, "application/vnd.oasis.opendocument.text") is not None
    # A spreadsheet needs LibreOffice Calc: made here from CSV by LibreOffice itself.
    csv = tmp_path / "notes.csv"
    csv.write_text("Nom,Note\nLéa,16\nTom,14\n")
    xlsx = office.convert(csv, "xlsx")
    assert previews.make_preview(make_blob(xlsx.read_bytes()), XLSX) is not None


def test_office_previews_wait_when_libreoffice_is_missing(monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    blob = make_blob(minimal_odt(["Compte rendu"]))
    assert previews.make_preview(blob, "application/vnd.oasis.opendocument.text") is None
    assert not previews.has_failed(blob)  # tried again once LibreOffice is there


def test_a_text_file_shows_its_first_lines():
    blob = make_blob("# Devoirs\n\n- exercice 3 p. 42 — été\n".encode() * 20)
    image = open_preview(previews.make_preview(blob, "text/markdown", 256)).convert("L")
    assert image.size == (192, 256)
    assert image.getextrema()[0] < 128  # some ink on the page


# --- the job after an upload ----------------------------------------------------------------


def test_an_upload_gets_its_previews_after_commit(
    teacher, my_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        node = put(my_root, "photo.png", image_bytes(halves(), "PNG"), teacher)
    assert previews.cached_preview(node.blob, 64) is not None
    assert previews.cached_preview(node.blob, 1024) is not None


def test_only_files_with_previews_enqueue_the_job(
    teacher, my_root, django_capture_on_commit_callbacks, monkeypatch
):

    enqueued = []

    class Recorder:
        def enqueue(self, *args):
            enqueued.append(args)

    monkeypatch.setitem(registry.tasks, "drive.previews", Recorder())
    with django_capture_on_commit_callbacks(execute=True):
        put(my_root, "archive.zip", b"PK\3\4", teacher)
        photo = put(my_root, "photo.png", image_bytes(halves(), "PNG"), teacher)
    assert enqueued == [(photo.blob_id, "image/png")]


def test_purging_a_file_removes_its_previews(teacher, my_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        node = put(my_root, "photo.png", image_bytes(halves(), "PNG"), teacher)
    name = previews.storage_name(node.blob_id, 256)
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        actions.trash(node, by=teacher)
        node.refresh_from_db()
        actions.purge(node, by=teacher)
    assert not default_storage.exists(name)


def test_ffmpeg_is_on_this_machine():
    """CI installs it (scripts/setup-system.sh): the video tests above must not pass vacuously."""
    assert shutil.which("ffmpeg") and shutil.which("ffprobe") and shutil.which("pdftoppm")


def test_previews_that_need_a_converter_wait_when_no_sandbox_works(monkeypatch):
    """Fail closed: pdftoppm is not run unconfined; the preview is tried again later."""

    monkeypatch.setattr(processes, "sandbox_kind", lambda: None)
    blob = make_blob(minimal_pdf(["Page de garde"]))
    assert previews.make_preview(blob, "application/pdf") is None
    assert not previews.has_failed(blob)
    # Pictures need no converter: Pillow, in its child process, still draws them.
    image = make_blob(image_bytes(halves(), "PNG"))
    assert previews.make_preview(image, "image/png") is not None
