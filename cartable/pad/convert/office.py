"""docx, odt and PDF through LibreOffice (``soffice --headless --convert-to``).

Each conversion runs in a temporary folder with its own LibreOffice profile (two conversions
at once would otherwise fight over one profile's lock), under a time limit, and — where the
system lets an unprivileged process do it — without network (``unshare -rn``): a document
may link images or objects on other servers, and a converter that fetches them on the
server's behalf is a well-known way in (SSRF).

Export: the pad's HTML, images inlined as ``data:`` URIs (LibreOffice embeds those; relative
files would stay links to the temporary folder), read by Writer's HTML filter, written in the
target format. Import: the file is written as HTML with its images embedded, then read by
``html_to_pm``.
"""

from __future__ import annotations

import base64
import functools
import logging
import mimetypes
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from cartable.pad.convert.html_in import decode_html, parse_html
from cartable.pad.convert.html_out import AuthorInfo, pm_to_html
from cartable.pad.convert.schema import PMNode

log = logging.getLogger(__name__)

TIMEOUT = 60
EXPORT_FILTERS = {
    "docx": "docx:MS Word 2007 XML",
    "odt": "odt:writer8",
    "pdf": "pdf:writer_pdf_Export",
}
IMPORT_FORMATS = ("docx", "odt")
# A conversion keeps a core busy for seconds: at most this many run at once in a process, the
# others wait their turn (up to TIMEOUT) rather than starving the server.
CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
_slots = threading.BoundedSemaphore(CONCURRENCY)
# Bytes of an image, and its media type.
ImageData = Callable[[str], tuple[bytes, str] | None]


class OfficeError(Exception):
    """A conversion that could not be done; the message can be shown to the user."""


class OfficeUnavailable(OfficeError):
    pass


class OfficeBusy(OfficeUnavailable):
    """Every conversion slot stayed taken for the whole time limit."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def office_available() -> bool:
    """Whether docx, odt and PDF can be converted here (LibreOffice is installed)."""
    return soffice() is not None


@functools.cache
def _isolation() -> tuple[str, ...]:
    """The command prefix that takes the network away from the converter, if the system can."""
    unshare = shutil.which("unshare")
    if unshare:
        try:
            probe = subprocess.run(  # noqa: S603
                [unshare, "-rn", "true"], capture_output=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            probe = None
        if probe is not None and probe.returncode == 0:
            return (unshare, "-rn")
    log.warning("LibreOffice conversions run with network access: unshare -rn is not allowed here")
    return ()


def _convert(source: Path, target: str, *, infilter: str | None = None) -> Path:
    """Run LibreOffice on ``source`` (in its own temporary folder); the converted file."""
    exe = soffice()
    if exe is None:
        raise OfficeUnavailable(
            _("Word, OpenDocument and PDF conversions are not available on this server.")
        )
    if not _slots.acquire(timeout=TIMEOUT):
        raise OfficeBusy(_("The server is busy converting other documents. Try again shortly."))
    try:
        return _run(exe, source, target, infilter)
    finally:
        _slots.release()


def _run(exe: str, source: Path, target: str, infilter: str | None) -> Path:
    workdir = source.parent
    outdir = workdir / "out"
    profile = workdir / "profile"
    command = [
        *_isolation(),
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        str(source),
    ]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        "SAL_USE_VCLPLUGIN": "svp",
    }
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        # soffice starts helpers of its own: the whole process group goes.
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise OfficeError(_("The conversion took too long and was stopped.")) from None
    produced = [p for p in outdir.iterdir() if p.is_file()] if outdir.is_dir() else []
    extension = "." + target.split(":", 1)[0]
    result = next((p for p in produced if p.suffix == extension), None)
    if process.returncode != 0 or result is None or result.stat().st_size == 0:
        log.warning(
            "soffice failed (%s): %s", process.returncode, err.decode(errors="replace")[-500:]
        )
        raise OfficeError(_("LibreOffice could not convert this document."))
    return result


def _data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _inline_images(node: PMNode, image_data: ImageData) -> PMNode:
    """A copy of ``node`` whose images are ``data:`` URIs; images that cannot be read go."""
    if node.get("type") == "image":
        src = str((node.get("attrs") or {}).get("src") or "")
        found = image_data(src) if src else None
        if found is None:
            return {"type": "text", "text": ""}
        data, media_type = found
        return {**node, "attrs": {**(node.get("attrs") or {}), "src": _data_uri(data, media_type)}}
    content = node.get("content")
    if not content:
        return node
    children = [_inline_images(child, image_data) for child in content]
    return {**node, "content": [c for c in children if c.get("type") != "text" or c.get("text")]}


def data_uri_image(src: str) -> tuple[bytes, str] | None:
    """The bytes of a ``data:image/…;base64`` source."""
    if not src.startswith("data:image/") or ";base64," not in src:
        return None
    header, _sep, payload = src.partition(";base64,")
    try:
        return base64.b64decode(payload, validate=False), header[len("data:") :]
    except ValueError:
        return None


def export_office(
    pm: PMNode,
    fmt: str,
    *,
    title: str = "",
    lang: str = "",
    authors: Mapping[str, AuthorInfo] | None = None,
    image_data: ImageData | None = None,
) -> bytes:
    """The document as docx, odt or pdf. ``image_data`` reads an image's bytes from its src."""
    if fmt not in EXPORT_FILTERS:
        raise ValueError(fmt)
    pm = _inline_images(pm, image_data or data_uri_image)
    html = pm_to_html(pm, standalone=True, title=title, lang=lang, authors=authors, office=True)
    with tempfile.TemporaryDirectory(prefix="cartable-soffice-") as tmp:
        source = Path(tmp) / "pad.html"
        source.write_text(html, encoding="utf-8")
        result = _convert(source, EXPORT_FILTERS[fmt], infilter="HTML (StarWriter)")
        return result.read_bytes()


def office_to_html(data: bytes, fmt: str) -> str:
    """A docx or odt document as HTML, its images as ``data:`` URIs."""
    if fmt not in IMPORT_FORMATS:
        raise ValueError(fmt)
    with tempfile.TemporaryDirectory(prefix="cartable-soffice-") as tmp:
        source = Path(tmp) / f"document.{fmt}"
        source.write_bytes(data)
        result = _convert(source, "html:HTML (StarWriter):EmbedImages")
        html = decode_html(result.read_bytes())
        return _embed_local_images(html, result.parent)


def _embed_local_images(html: str, folder: Path) -> str:
    """Images that LibreOffice wrote beside the HTML (older versions do), as data: URIs."""
    siblings = {p.name: p for p in folder.iterdir() if p.is_file() and p.suffix != ".html"}
    if not siblings:
        return html
    body = parse_html(html)
    if body is None:
        return html
    import lxml.html

    changed = False
    for img in body.iter("img"):
        path = siblings.get((img.get("src") or "").split("/")[-1])
        if path is not None:
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            img.set("src", _data_uri(path.read_bytes(), media_type))
            changed = True
    if not changed:
        return html
    root: Any = body.getroottree().getroot()
    return lxml.html.tostring(root, encoding="unicode")
