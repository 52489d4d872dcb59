"""The text of documents, for search, where it is cheap to get.

Plain text and Markdown are read as they are; PDF through ``pdftotext`` (poppler-utils, in
the converters' sandbox); Word, OpenDocument, PowerPoint and Excel files by reading their XML
straight out of the zip — no LibreOffice, which would cost seconds per file. Everything but
the PDF's text is parsed in a child process (``cartable.drive.textparse`` through
``cartable.core.isolated``): a hostile file costs that child its limits, never the server its
interpreter. Everything is capped: at most ``limit`` characters come out, no more than a
bounded number of bytes is read or inflated. Anything else, or a file that cannot be read,
gives an empty string: search then knows the file by its name only.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cartable.core import isolated
from cartable.core.processes import ProcessTimeout, SandboxUnavailable, run_isolated
from cartable.drive.localcopy import copy_to, workdir
from cartable.drive.models import Blob
from cartable.drive.textparse import DOCX, HTML, OPENDOCUMENT, PPTX, XLSX, decode, tidy

__all__ = ["DOCX", "PPTX", "XLSX", "decode", "extract_text", "extractable"]

log = logging.getLogger(__name__)

TIMEOUT = 30
PDF_PAGES = 200
# A PDF larger than this is not read for search (it is mostly images anyway).
PDF_MAX_BYTES = 200 * 1024 * 1024
ZIP_MAX_BYTES = 200 * 1024 * 1024
# What one XML part of a zip may inflate to: a zip bomb stops here.
XML_MAX_INFLATED = 64 * 1024 * 1024

TEXT_TYPES = {
    "application/json",
    "application/xml",
    "application/x-sh",
    "application/javascript",
    "application/x-yaml",
    "application/yaml",
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
    if not extractable(mime_type):
        return ""
    zipped = mime_type in {DOCX, PPTX, XLSX} or mime_type in OPENDOCUMENT
    if (zipped and blob.size > ZIP_MAX_BYTES) or (
        mime_type == "application/pdf" and blob.size > PDF_MAX_BYTES
    ):
        return ""
    try:
        with workdir() as folder:
            if mime_type == "application/pdf":
                return _pdf(blob, folder, limit)
            # A text file is read up to what ``limit`` characters can take (4 bytes each).
            source = copy_to(blob, folder / "source", limit=None if zipped else limit * 4)
            text = isolated.call(
                "cartable.drive.textparse:extract_file",
                folder,
                timeout=TIMEOUT,
                path=source.name,
                mime_type=mime_type if zipped or mime_type in HTML else "text/plain",
                limit=limit,
                max_inflated=XML_MAX_INFLATED,
            )
    except (OSError, isolated.IsolatedError, ProcessTimeout, SandboxUnavailable) as exc:
        log.info("no text from blob %s (%s): %s", blob.pk, mime_type, exc)
        return ""
    return str(text)[:limit]


def _pdf(blob: Blob, folder: Path, limit: int) -> str:
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
        # At most 400 KB, tidied in one linear pass: cheap enough for this thread.
        return tidy(decode(out.read(limit * 4)))[:limit]
