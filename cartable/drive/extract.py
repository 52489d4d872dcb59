"""The text of documents, for search, where it is cheap to get.

Plain text and Markdown are read as they are; PDF through ``pdftotext`` (poppler-utils);
Word, OpenDocument, PowerPoint and Excel files by reading their XML straight out of the zip
— no LibreOffice, which would cost seconds per file. Everything is capped: at most ``limit``
characters come out, no more than a bounded number of bytes is read or inflated, and the PDF
reader runs under a time limit without network. Anything else, or a file that cannot be
read, gives an empty string: search then knows the file by its name only.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from lxml import etree

from cartable.core.processes import ProcessTimeout, run_isolated
from cartable.drive.localcopy import copy_to, read_head, workdir
from cartable.drive.models import Blob

log = logging.getLogger(__name__)

TIMEOUT = 30
PDF_PAGES = 200
# A PDF larger than this is not read for search (it is mostly images anyway).
PDF_MAX_BYTES = 200 * 1024 * 1024
ZIP_MAX_BYTES = 200 * 1024 * 1024
# What one XML part of a zip may inflate to: a zip bomb stops here.
XML_MAX_INFLATED = 64 * 1024 * 1024

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

TEXT_TYPES = {
    "application/json",
    "application/xml",
    "application/x-sh",
    "application/javascript",
    "application/x-yaml",
    "application/yaml",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}


def extractable(mime_type: str) -> bool:
    mime_type = mime_type.split(";", 1)[0].strip().lower()
    return (
        mime_type.startswith("text/")
        or mime_type in TEXT_TYPES
        or mime_type in {"application/pdf", DOCX, PPTX, XLSX}
        or mime_type in OPENDOCUMENT
    )


def extract_text(blob: Blob, mime_type: str, limit: int = 100_000) -> str:
    """Up to ``limit`` characters of the document's text; empty when there is none to get."""
    mime_type = mime_type.split(";", 1)[0].strip().lower()
    try:
        if mime_type.startswith("text/") or mime_type in TEXT_TYPES:
            text = _text(blob, limit, html=mime_type in {"text/html", "application/xhtml+xml"})
        elif mime_type == "application/pdf":
            text = _pdf(blob, limit)
        elif mime_type in {DOCX, PPTX, XLSX} or mime_type in OPENDOCUMENT:
            text = _zipped_xml(blob, mime_type, limit)
        else:
            return ""
    except (OSError, zipfile.BadZipFile, etree.LxmlError, ValueError, ProcessTimeout) as exc:
        log.info("no text from blob %s (%s): %s", blob.pk, mime_type, exc)
        return ""
    return _tidy(text)[:limit]


def decode(data: bytes) -> str:
    """Bytes of a text file in UTF-8 (with or without BOM), or else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut by the cap at the very end is not a reason to change encodings.
        if exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8")
    return data.decode("cp1252", errors="replace")


def _text(blob: Blob, limit: int, *, html: bool) -> str:
    # UTF-8 takes up to 4 bytes a character.
    text = decode(read_head(blob, limit * 4))
    if html and text.strip():
        root = etree.fromstring(
            text.encode(),
            etree.HTMLParser(
                encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True
            ),
        )
        if root is None:
            return ""
        for element in root.iter("script", "style"):
            element.text = ""
        text = "\n".join(root.itertext())
    return text


def _pdf(blob: Blob, limit: int) -> str:
    if blob.size > PDF_MAX_BYTES:
        return ""
    with workdir() as folder:
        source = copy_to(blob, folder / "document.pdf")
        target = folder / "document.txt"
        process = run_isolated(
            [
                "pdftotext",
                "-q",
                "-enc",
                "UTF-8",
                "-nopgbrk",
                "-l",
                str(PDF_PAGES),
                source.name,
                target.name,
            ],
            workdir=folder,
            timeout=TIMEOUT,
        )
        if process.returncode != 0 or not target.exists():
            return ""
        with target.open("rb") as out:
            return decode(out.read(limit * 4))


def _zipped_xml(blob: Blob, mime_type: str, limit: int) -> str:
    if blob.size > ZIP_MAX_BYTES:
        return ""
    with workdir() as folder:
        copy_to(blob, folder / "document.zip")
        with zipfile.ZipFile(folder / "document.zip") as archive:
            if mime_type == DOCX:
                parts = ["word/document.xml"]
                paragraphs = _paragraphs(archive, parts, f"{W}p", {f"{W}t"}, limit)
            elif mime_type == PPTX:
                parts = sorted(
                    (n for n in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
                    key=lambda n: int(re.sub(r"\D", "", n)),
                )
                paragraphs = _paragraphs(archive, parts, f"{A}p", {f"{A}t"}, limit)
            elif mime_type == XLSX:
                parts = ["xl/sharedStrings.xml"]
                paragraphs = _paragraphs(archive, parts, f"{S}si", {f"{S}t"}, limit)
            else:
                paragraphs = _paragraphs(
                    archive, ["content.xml"], None, {f"{TEXT}p", f"{TEXT}h"}, limit
                )
            return "\n".join(paragraphs)


def _paragraphs(
    archive: zipfile.ZipFile,
    parts: Iterable[str],
    paragraph: str | None,
    text_tags: set[str],
    limit: int,
) -> list[str]:
    """The text of each paragraph of the XML ``parts``, read as a stream, up to ``limit``.

    With ``paragraph``, a paragraph is the text of its ``text_tags`` (OOXML runs); without,
    each ``text_tags`` element is a paragraph, all its text (OpenDocument).
    """
    out: list[str] = []
    total = 0
    names = set(archive.namelist())
    for part in parts:
        if part not in names:
            continue
        with archive.open(part) as raw:
            stream = _Capped(raw, XML_MAX_INFLATED)
            pieces: list[str] = []
            for element in _iter_end(stream, paragraph, text_tags):
                if element.tag in text_tags and paragraph is not None:
                    pieces.append(element.text or "")
                    continue
                if paragraph is None:
                    pieces = [_odf_text(element)]
                out.append("".join(pieces))
                total += len(out[-1]) + 1
                pieces = []
                element.clear()
                if total >= limit:
                    return out
    return out


def _iter_end(
    stream: _Capped, paragraph: str | None, text_tags: set[str]
) -> Iterator[etree._Element]:
    tags = {*text_tags, *([paragraph] if paragraph else [])}
    parser = etree.iterparse(
        stream,
        events=("end",),
        tag=tuple(tags),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for _event, element in parser:
        yield element


def _odf_text(element: etree._Element) -> str:
    """An OpenDocument paragraph's text: ``text:s`` are spaces, tabs and line breaks too."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == f"{TEXT}s":
                parts.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
            elif tag == f"{TEXT}tab":
                parts.append("\t")
            elif tag == f"{TEXT}line-break":
                parts.append("\n")
            elif tag != f"{TEXT}note":
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


class _Capped:
    """A read-only stream that ends (with an error) past ``limit`` bytes: against zip bombs."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.left = limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise ValueError("an XML part of this document is too large")
        if size < 0 or size > self.left:
            size = self.left
        data = self.raw.read(size)
        self.left -= len(data)
        return data


def _tidy(text: str) -> str:
    """Lines stripped of trailing blanks, runs of blank lines made one, NULs dropped."""
    text = text.replace("\0", "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
