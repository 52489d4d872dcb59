"""The text of a local file, for search: run in a child process (``cartable.core.isolated``).

Plain text and Markdown are read as they are; HTML through lxml; Word, OpenDocument,
PowerPoint and Excel files by reading their XML straight out of the zip, as a stream. Every
step is bounded and linear: at most ``limit`` characters come out, at most ``limit × 4``
bytes of a text file are read, a zip's entries are counted, each XML part inflates to at
most ``max_inflated`` bytes (a zip bomb stops there), a repeated space (``text:c``) counts
for at most the characters still wanted. A file that cannot be read raises ``ExtractError``.

No Django here: this module runs in a child interpreter without settings.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
HTML = {"text/html", "application/xhtml+xml"}
# A zip with more entries than this is not an office document anyone wrote.
MAX_ZIP_ENTRIES = 10_000
MAX_SLIDES = 2_000
# What all the XML parts of one document may inflate to, together.
MAX_INFLATED_TOTAL = 256 * 1024 * 1024
# One text:s element's spaces, at most (the count is the file's to say).
MAX_SPACES = 1_000
_SLIDE = re.compile(r"ppt/slides/slide(\d{1,6})\.xml")


class ExtractError(ValueError):
    """The file is not what its type says, or is past a bound: it has no text for search."""


def extract_file(path: str, mime_type: str, limit: int, max_inflated: int) -> str:
    """Up to ``limit`` characters of the text of the file at ``path``, tidied."""
    source = Path(path)
    if mime_type in HTML:
        text = html_text(_head(source, limit * 4))
    elif mime_type in {DOCX, PPTX, XLSX} or mime_type in OPENDOCUMENT:
        text = zipped_text(source, mime_type, limit, max_inflated)
    else:
        text = decode(_head(source, limit * 4))
    return tidy(text)[:limit]


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as stream:
        return stream.read(size)


def decode(data: bytes) -> str:
    """Bytes of a text file in UTF-8 (with or without BOM), or else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut by the cap at the very end is not a reason to change encodings.
        if exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8", errors="replace")
    return data.decode("cp1252", errors="replace")


def tidy(text: str) -> str:
    """Lines stripped of trailing blanks, runs of blank lines made one, NULs dropped.

    Line by line, in one pass: a regular expression such as ``[ \\t]+\\n`` would try every
    space of a long run as a start, and take quadratic time on a file of spaces.
    """
    text = text.replace("\0", "").replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip(" \t")
        if line or not lines or lines[-1]:
            lines.append(line)
    return "\n".join(lines).strip()


def html_text(data: bytes) -> str:
    text = decode(data)
    if not text.strip():
        return ""
    try:
        root = etree.fromstring(
            text.encode(),
            etree.HTMLParser(
                encoding="utf-8",
                no_network=True,
                remove_comments=True,
                remove_pis=True,
                huge_tree=False,
            ),
        )
    except (etree.LxmlError, ValueError) as exc:
        raise ExtractError(f"unreadable HTML: {exc}") from exc
    if root is None:
        return ""
    for element in root.iter("script", "style"):
        element.text = ""
    return "\n".join(root.itertext())


def zipped_text(path: Path, mime_type: str, limit: int, max_inflated: int) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise ExtractError(f"{len(infos)} entries in the zip")
            budget = _Budget(max_inflated, MAX_INFLATED_TOTAL)
            if mime_type == DOCX:
                return _paragraphs(
                    archive, ["word/document.xml"], f"{W}p", {f"{W}t"}, limit, budget
                )
            if mime_type == PPTX:
                slides = sorted(
                    (int(m.group(1)), m.group(0))
                    for m in (_SLIDE.fullmatch(i.filename) for i in infos)
                    if m
                )[:MAX_SLIDES]
                parts = [name for _number, name in slides]
                return _paragraphs(archive, parts, f"{A}p", {f"{A}t"}, limit, budget)
            if mime_type == XLSX:
                parts = ["xl/sharedStrings.xml"]
                return _paragraphs(archive, parts, f"{S}si", {f"{S}t"}, limit, budget)
            return _paragraphs(
                archive, ["content.xml"], None, {f"{TEXT}p", f"{TEXT}h"}, limit, budget
            )
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, etree.LxmlError, EOFError) as exc:
        raise ExtractError(f"unreadable document: {exc}") from exc


class _Budget:
    """Bytes still allowed to inflate: per part, and for the whole document."""

    def __init__(self, per_part: int, total: int) -> None:
        self.per_part = per_part
        self.left = total


def _paragraphs(
    archive: zipfile.ZipFile,
    parts: Iterable[str],
    paragraph: str | None,
    text_tags: set[str],
    limit: int,
    budget: _Budget,
) -> str:
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
            stream = _Capped(raw, min(budget.per_part, budget.left))
            pieces: list[str] = []
            length = 0
            for element in _iter_end(stream, paragraph, text_tags):
                if element.tag in text_tags and paragraph is not None:
                    piece = element.text or ""
                    pieces.append(piece)
                    length += len(piece)
                    element.clear()
                    if total + length < limit:
                        continue
                elif paragraph is None:
                    pieces = [_odf_text(element, limit - total)]
                out.append("".join(pieces))
                total += len(out[-1]) + 1
                pieces, length = [], 0
                element.clear()
                if total >= limit:
                    return "\n".join(out)
            budget.left -= stream.read_so_far
    return "\n".join(out)


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


def _count(value: str | None) -> int:
    """A ``text:c`` attribute: a small positive number, whatever the file says."""
    if not value or not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > 6:
        return MAX_SPACES
    return max(1, min(int(value), MAX_SPACES))


def _odf_text(element: etree._Element, limit: int) -> str:
    """An OpenDocument paragraph's text, up to ``limit`` characters: ``text:s`` are spaces
    (``text:c`` of them), tabs and line breaks too."""
    parts: list[str] = []
    length = 0

    def add(text: str) -> bool:
        nonlocal length
        parts.append(text)
        length += len(text)
        return length < limit

    def walk(node: etree._Element) -> bool:
        if node.text and not add(node.text):
            return False
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == f"{TEXT}s":
                going = add(" " * _count(child.get(f"{TEXT}c")))
            elif tag == f"{TEXT}tab":
                going = add("\t")
            elif tag == f"{TEXT}line-break":
                going = add("\n")
            elif tag != f"{TEXT}note":
                going = walk(child)
            else:
                going = True
            if not going or (child.tail and not add(child.tail)):
                return False
        return True

    walk(element)
    return "".join(parts)[:limit]


class _Capped:
    """A read-only stream that ends (with an error) past ``limit`` bytes: against zip bombs."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.left = limit
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise ExtractError("an XML part of this document is too large")
        if size < 0 or size > self.left:
            size = self.left
        data = self.raw.read(size)
        self.left -= len(data)
        self.read_so_far += len(data)
        return data
