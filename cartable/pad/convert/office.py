"""docx, odt and PDF through LibreOffice (``cartable.core.office``, shared with Drive).

Export: the pad's HTML, images inlined as ``data:`` URIs (LibreOffice embeds those; relative
files would stay links to the temporary folder), read by Writer's HTML filter, written in the
target format. Import: the file is written as HTML with its images embedded, then read by
``cartable.pad.convert.parsing`` in a child process.
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from cartable.core.office import (
    OfficeBusy,
    OfficeError,
    OfficeUnavailable,
    office_available,
)
from cartable.core.office import convert as _convert
from cartable.pad.convert.html_out import AuthorInfo, pm_to_html
from cartable.pad.convert.schema import PMNode

__all__ = [
    "OfficeBusy",
    "OfficeError",
    "OfficeUnavailable",
    "data_uri_image",
    "export_office",
    "office_available",
    "office_to_html_file",
]

EXPORT_FILTERS = {
    "docx": "docx:MS Word 2007 XML",
    "odt": "odt:writer8",
    "pdf": "pdf:writer_pdf_Export",
}
IMPORT_FORMATS = ("docx", "odt")
# Bytes of an image, and its media type.
ImageData = Callable[[str], tuple[bytes, str] | None]


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


def office_to_html_file(data: bytes, fmt: str, folder: Path) -> Path:
    """A docx or odt document as LibreOffice's HTML, written in ``folder`` (the caller's).

    The HTML is read by ``cartable.pad.convert.parsing.read_office_html``, in a child process.
    """
    if fmt not in IMPORT_FORMATS:
        raise ValueError(fmt)
    source = folder / f"document.{fmt}"
    source.write_bytes(data)
    return _convert(source, "html:HTML (StarWriter):EmbedImages")
