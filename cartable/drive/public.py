"""What other tools may use of Drive: attach a file a person may read, save a file into
their Drive. Tools import this module only, never Drive's models or actions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cartable.accounts.models import User
from cartable.drive import access, actions
from cartable.drive.errors import DriveError, NotFound
from cartable.drive.models import Node

if TYPE_CHECKING:
    from cartable.core.types import Visitor

__all__ = ["DriveError", "DriveFile", "attach", "save_to_drive"]


@dataclass(frozen=True)
class DriveFile:
    public_id: str
    name: str
    size: int
    mime_type: str
    sha1: str
    node: Node

    def chunks(self, size: int = 1024 * 1024) -> Iterator[bytes]:
        if self.node.blob is None:
            return
        with actions.open_blob(self.node.blob) as fh:
            while chunk := fh.read(size):
                yield chunk


def _as_file(node: Node) -> DriveFile:
    return DriveFile(
        public_id=str(node.public_id),
        name=node.name,
        size=node.size,
        mime_type=node.mime_type,
        sha1=node.blob.sha1 if node.blob else "",
        node=node,
    )


def attach(user: Visitor, public_id: str) -> DriveFile:
    """A file ``user`` may download, to attach to a post, a pad, a video…"""
    node = (
        Node.objects.filter(public_id=public_id, trashed=False, kind=Node.Kind.FILE)
        .select_related("blob", "space")
        .first()
    )
    if node is None:
        raise NotFound
    access.check(user, node, "download")
    return _as_file(node)


def save_to_drive(
    user: User, name: str, chunks: Iterable[bytes], *, folder: str = "", size: int | None = None
) -> DriveFile:
    """Save bytes as a new file in ``user``'s own Drive (in ``folder``, created if missing);
    a name already taken gets `` (2)``."""
    root = actions.root_of(actions.personal_space(user))
    parent = actions.make_folders(root, folder, by=user) if folder else root
    node, _ = actions.write_file(
        parent, actions.free_name(parent, name), chunks, by=user, expected_size=size
    )
    return _as_file(node)
