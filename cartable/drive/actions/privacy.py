"""A person's files in "download my data" and in the erasure of their account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from cartable.accounts.models import Membership, User
from cartable.drive.actions.base import collect_blobs
from cartable.drive.blobs import open_blob
from cartable.drive.models import Blob, Node, Space, Version
from cartable.drive.spaces import personal_space


def _iter_blob(blob: Blob) -> Iterator[bytes]:
    with open_blob(blob) as fh:
        while chunk := fh.read(1024 * 1024):
            yield chunk


def export_files(user: User, add: Callable[[str, Any], None]) -> None:
    """The user's own files, as they are, under their folders."""
    space = personal_space(user)
    files = Node.objects.filter(space=space, trashed=False, kind=Node.Kind.FILE).select_related(
        "blob"
    )
    for node in files.iterator():
        if node.blob is not None:
            add(node.path.lstrip("/"), _iter_blob(node.blob))


def erase_files(user: User) -> None:
    """Personal files go; what the user put in class folders stays, given to the class owner."""
    space = Space.objects.filter(user=user).first()
    if space is not None:
        blob_ids = set(
            Node.objects.filter(space=space, blob__isnull=False).values_list("blob_id", flat=True)
        ) | set(Version.objects.filter(node__space=space).values_list("blob_id", flat=True))
        space.delete()
        collect_blobs(blob_ids)
    owners = dict(
        Membership.objects.filter(role="owner")
        .exclude(user=user)
        .values_list("group_id", "user_id")
    )
    for node in Node.objects.filter(created_by=user, space__group__isnull=False).select_related(
        "space"
    ):
        node.created_by_id = owners.get(node.space.group_id or 0)
        node.save(update_fields=["created_by"])
