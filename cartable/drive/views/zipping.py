"""Folders and selections downloaded as one zip, built while it is sent.

Nothing is written to disk and memory does not grow with the archive: zipstream-ng reads each
file from storage in chunks as the response is sent, and writes ZIP64 records when the
archive or a file passes 4 GB. Files are stored, not compressed: most documents (office
files, PDFs, images, videos) are compressed already, and a stored archive's length is known
before the first byte, so the browser shows a real progress bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from zipstream import ZIP_STORED, ZipStream

from cartable.drive import access
from cartable.drive.actions import open_blob
from cartable.drive.models import Node, ShareLink

if TYPE_CHECKING:
    from cartable.core.types import Visitor

CHUNK = 1024 * 1024


def _read(node: Node) -> Iterator[bytes]:
    assert node.blob is not None  # noqa: S101 (files have blobs)
    fh = open_blob(node.blob)
    try:
        while chunk := fh.read(CHUNK):
            yield chunk
    finally:
        fh.close()


def subtree(folder: Node, user: Visitor, *, link: ShareLink | None = None) -> list[Node]:
    """What ``user`` (or a link's holder) sees below ``folder`` and may download: what their
    listings show (``access.readable_below``), in path order."""
    query = access.below(folder).select_related("blob")
    return access.readable_below(user, folder, link=link, query=query)


def archive(entries: Iterable[tuple[Node, list[Node]]]) -> ZipStream:
    """A zip of each top node with, for a folder, the nodes below it (from :func:`subtree`)."""
    zs = ZipStream(compress_type=ZIP_STORED, sized=True)
    used: set[str] = set()
    for top, below in entries:
        base = _unique(_entry_name(top.name), used)
        if not top.is_folder:
            zs.add(_read(top), base, size=top.size)
            continue
        zs.add(None, f"{base}/")
        prefix = len(top.path) + 1  # paths start with a slash, the root's is empty
        for node in below:
            arcname = f"{base}/{node.path[prefix:]}"
            if node.is_folder:
                zs.add(None, f"{arcname}/")
            elif node.blob_id:
                zs.add(_read(node), arcname, size=node.size)
    return zs


def _entry_name(name: str) -> str:
    """A top entry's name, one name: files' names hold no separator, but a class's folder is
    named after the class, which its teacher names freely ("../../x" would lead unzip tools
    out of the folder they extract into)."""
    name = name.replace("/", "-").replace("\\", "-").strip()
    return "Drive" if name in ("", ".", "..") else name


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
    used.add(candidate)
    return candidate
