"""The conversions applied to stored pads: export any revision, import a file."""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from cartable.core import isolated
from cartable.pad import actions, document, store
from cartable.pad.convert.html_in import ImageSrc
from cartable.pad.convert.html_out import AuthorInfo, pm_to_html
from cartable.pad.convert.markdown import pm_to_markdown
from cartable.pad.convert.office import (
    IMPORT_FORMATS,
    ImageData,
    data_uri_image,
    export_office,
    office_to_html_file,
)
from cartable.pad.convert.parsing import resolve_images
from cartable.pad.convert.schema import PMNode, safe_src
from cartable.pad.document import pm_to_text
from cartable.pad.models import Pad, PadAuthor, PadImage

log = logging.getLogger(__name__)

MAX_IMPORT_SIZE = 20 * 1024 * 1024
# Seconds the child parsing an import may take (LibreOffice's own time comes before).
PARSE_TIMEOUT = 60


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    office: bool = False


EXPORT_FORMATS = {
    "txt": Format("txt", "text/plain; charset=utf-8"),
    "md": Format("md", "text/markdown; charset=utf-8"),
    "html": Format("html", "text/html; charset=utf-8"),
    "docx": Format(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        office=True,
    ),
    "odt": Format("odt", "application/vnd.oasis.opendocument.text", office=True),
    "pdf": Format("pdf", "application/pdf", office=True),
}
# Etherpad's and its plugins' names for the same formats.
EXPORT_ALIASES = {"markdown": "md", "text": "txt", "htm": "html"}
# File extension → how it is read.
IMPORT_EXTENSIONS = {
    "txt": "txt",
    "text": "txt",
    "md": "md",
    "markdown": "md",
    "html": "html",
    "htm": "html",
    "docx": "docx",
    "odt": "odt",
}


class ImportRefused(ValueError):
    """A file that cannot be imported; the message says why, for the user."""


def pad_document(pad: Pad, rev: int | None = None) -> PMNode:
    doc, _head = store.load_document(pad.pk, upto=rev)
    return document.to_prosemirror(doc)


def author_ids(node: PMNode, found: set[str] | None = None) -> set[str]:
    found = set() if found is None else found
    for mark in node.get("marks") or []:
        if mark.get("type") == "author" and (mark.get("attrs") or {}).get("id"):
            found.add(str(mark["attrs"]["id"]))
    for child in node.get("content") or []:
        author_ids(child, found)
    return found


def author_table(pm: PMNode) -> dict[str, AuthorInfo]:
    """Name and colour of every author of ``pm``, for ``pm_to_html``."""
    ids = author_ids(pm)
    if not ids:
        return {}
    return {
        author.author_id: {"name": author.name, "colour": author.colour}
        for author in PadAuthor.objects.filter(author_id__in=ids).only(
            "author_id", "name", "colour"
        )
    }


_IMAGE_PATH = re.compile(r"/pad/p/[^/]+/images/([0-9a-fA-F-]{32,36})\.[a-z0-9]{1,10}$")
MAX_IMPORTED_IMAGES = 200


def pad_image_data(pad: Pad) -> ImageData:
    """Reads the images an export embeds: ``data:`` URIs, and the pad's own stored images.

    Images on other servers are not fetched: an export makes no request to anyone.
    """

    def read(src: str) -> tuple[bytes, str] | None:
        if src.startswith("data:"):
            return data_uri_image(src)
        match = _IMAGE_PATH.search(urlsplit(src).path)
        if match is None:
            return None
        try:
            image = PadImage.objects.filter(pad=pad, public_id=match.group(1)).first()
        except ValidationError:  # not a UUID
            return None
        if image is None:
            return None
        with default_storage.open(image.storage_name, "rb") as stored:
            return stored.read(), image.content_type

    return read


def pad_image_saver(pad: Pad, author: PadAuthor | None = None) -> ImageSrc:
    """Where imported images go: embedded ones (``data:`` URIs, as office documents come) are
    stored as the pad's images; web addresses are kept as they are; anything else goes."""
    stored: list[str] = []

    def save(src: str) -> str | None:
        if not src.startswith("data:"):
            return safe_src(src)
        found = data_uri_image(src)
        if found is None or len(stored) >= MAX_IMPORTED_IMAGES:
            return None
        data, media_type = found
        upload = SimpleUploadedFile("image", data, content_type=media_type)
        try:
            image = actions.add_image(pad, upload, author=author)
        except ValidationError:  # not an image we keep (SVG, BMP, too large, broken)
            return None
        stored.append(image.storage_name)
        return image.get_absolute_url()

    return save


def export_pad(pad: Pad, fmt: str, *, rev: int | None = None, lang: str = "") -> bytes:
    """The pad (as of ``rev``) in ``fmt``, one of ``EXPORT_FORMATS``."""
    fmt = EXPORT_ALIASES.get(fmt, fmt)
    pm = pad_document(pad, rev)
    title = pad.display_title
    if fmt == "txt":
        return pm_to_text(pm).encode()
    if fmt == "md":
        return pm_to_markdown(pm).encode()
    if fmt == "html":
        return pm_to_html(
            pm, authors=author_table(pm), standalone=True, title=title, lang=lang
        ).encode()
    if fmt in EXPORT_FORMATS:
        return export_office(pm, fmt, title=title, lang=lang, image_data=pad_image_data(pad))
    raise ValueError(fmt)


def export_html(pad: Pad) -> str:
    """The pad's current text as a standalone HTML page, authors coloured (as Etherpad's)."""
    pm = pad_document(pad)
    return pm_to_html(pm, authors=author_table(pm), standalone=True, title=pad.display_title)


def import_kind(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = IMPORT_EXTENSIONS.get(extension)
    if kind is None:
        raise ImportRefused(
            _("This kind of file cannot be imported. Accepted: %(formats)s.")
            % {"formats": ", ".join(f".{e}" for e in IMPORT_EXTENSIONS if e != "text")}
        )
    return kind


def read_import(data: bytes, filename: str, *, image_src: ImageSrc | None = None) -> PMNode:
    """The ProseMirror document of an uploaded file, by its extension.

    The file is parsed in a child process (``cartable.pad.convert.parsing``); docx and odt go
    through LibreOffice first. ImportRefused for a file that cannot be imported.
    """
    kind = import_kind(filename)
    if len(data) > MAX_IMPORT_SIZE:
        raise ImportRefused(_("The file is too large (20 MB at most)."))
    if kind in IMPORT_FORMATS and not data.startswith(b"PK"):
        raise ImportRefused(_("This file is not a valid %(format)s document.") % {"format": kind})
    with tempfile.TemporaryDirectory(prefix="cartable-import-") as tmp:
        folder = Path(tmp)
        if kind in IMPORT_FORMATS:
            html = office_to_html_file(data, kind, folder)
            pm = parse_untrusted("read_office_html", html.parent, path=html.name)
        else:
            (folder / "import").write_bytes(data)
            pm = parse_untrusted("read_file", folder, path="import", kind=kind)
    return resolve_images(pm, image_src or safe_src)


def parse_untrusted(function: str, folder: Path, **arguments: Any) -> PMNode:
    """``cartable.pad.convert.parsing.<function>`` in a child; ImportRefused if it fails."""
    try:
        pm = isolated.call(
            f"cartable.pad.convert.parsing:{function}",
            folder,
            timeout=PARSE_TIMEOUT,
            **arguments,
        )
    except isolated.IsolatedError as exc:
        log.info("import refused: %s", exc)
        raise ImportRefused(
            _("This file cannot be imported: it is damaged, or too large or too complex.")
        ) from None
    if not isinstance(pm, dict) or pm.get("type") != "doc":
        raise ImportRefused(
            _("This file cannot be imported: it is damaged, or too large or too complex.")
        )
    return pm


def attribute(node: PMNode, author_id: str) -> PMNode:
    """A copy of ``node`` whose text is marked as written by ``author_id``."""
    if node.get("type") == "text":
        marks: list[dict[str, Any]] = [
            m for m in node.get("marks") or [] if m.get("type") != "author"
        ]
        return {**node, "marks": [*marks, {"type": "author", "attrs": {"id": author_id}}]}
    if not node.get("content"):
        return node
    return {**node, "content": [attribute(child, author_id) for child in node["content"]]}
