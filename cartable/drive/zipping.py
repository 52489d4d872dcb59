"""Folders and selections downloaded as one zip, built while it is sent.

Nothing is written to disk and memory does not grow with the archive: zipstream-ng reads each
file from storage in chunks as the response is sent, and writes ZIP64 records when the
archive or a file passes 4 GB. Files are stored, not compressed: most documents (office
files, PDFs, images, videos) are compressed already, and a stored archive's length is known
before the first byte, so the browser shows a real progress bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q
from zipstream import ZIP_STORED, ZipStream

from cartable.drive.models import Node

CHUNK = 1024 * 1024


def _read(node: Node) -> Iterator[bytes]:
    from cartable.drive.actions import open_blob

    assert node.blob is not None  # noqa: S101 (files have blobs)
    fh = open_blob(node.blob)
    try:
        while chunk := fh.read(CHUNK):
            yield chunk
    finally:
        fh.close()


def subtree(folder: Node, user: Any, *, link: Any = None) -> list[Node]:
    """The live nodes below ``folder`` that ``user`` (or a link's holder) may download.

    One query for the tree; inside file-drop folders whose files the person may not see,
    only the files they uploaded themselves are kept.
    """
    from cartable.drive.access import abilities

    below = Q(path__startswith=f"{folder.path}/")
    nodes = list(
        Node.objects.filter(below, space_id=folder.space_id, trashed=False)
        .select_related("blob")
        .order_by("path")
    )
    hidden: list[str] = []
    for node in [folder, *nodes]:
        if node.is_folder and node.file_drop and "download" not in abilities(user, node, link=link):
            hidden.append(node.path)
    if not hidden:
        return nodes
    uid = getattr(user, "pk", None)

    def allowed(node: Node) -> bool:
        for top in hidden:
            if (
                node.path.startswith(f"{top}/")
                and node.kind == Node.Kind.FILE
                and node.created_by_id != uid
            ):
                return False
        return True

    return [n for n in nodes if allowed(n)]


def archive(entries: Iterable[tuple[Node, list[Node]]]) -> ZipStream:
    """A zip of each top node with, for a folder, the nodes below it (from :func:`subtree`)."""
    zs = ZipStream(compress_type=ZIP_STORED, sized=True)
    used: set[str] = set()
    for top, below in entries:
        base = _unique(top.name or "Drive", used)
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


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
    used.add(candidate)
    return candidate
