"""The trash: deleting, restoring, purging."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from cartable.drive import access
from cartable.drive.actions.base import (
    _actor,
    _changed,
    _check_folder,
    _file_bytes,
    _record,
    _touch,
    collect_blobs,
    free_name,
    live_descendants,
)
from cartable.drive.errors import (
    Conflict,
    Forbidden,
    NotFound,
)
from cartable.drive.models import (
    Activity,
    Node,
    ShareLink,
    Space,
    Version,
    hash_path,
    new_etag,
)
from cartable.drive.search import drive_text
from cartable.drive.spaces import root_of

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def trash(node: Node, *, by: Visitor, link: ShareLink | None = None) -> None:
    """Move ``node`` and everything below it to its space's trash."""
    if node.is_root:
        raise Forbidden
    if node.trashed:
        raise NotFound
    access.check(by, node, "delete", link=link)
    if node.is_folder and access.hides_below(by, node, link=link):
        # As for a move: a folder goes to the trash whole, and the deleter could then purge
        # it for good, with the work other pupils handed in below it that they do not see.
        raise Forbidden
    with transaction.atomic():
        node.refresh_from_db()
        parent = node.parent
        if node.is_folder:
            live_descendants(node).update(trashed=True)
        Node.objects.filter(pk=node.pk).update(
            trashed=True,
            trashed_at=timezone.now(),
            trashed_from=node.path,
            trashed_by=_actor(by),
            parent=None,
        )
        node.trashed, node.parent = True, None
        _touch(node.space_id, access.ancestor_paths(node.path), -node.size)
        _record(Activity.Verb.DELETED, node, by, folder=parent)
        _changed(node.space, parent)


def trashed_subtree(node: Node) -> list[Node]:
    """A trashed item and what was below it when it was deleted (by parent links: what was
    deleted separately before is not part of it)."""
    found = [node]
    level = [node.pk]
    while level:
        below = list(Node.objects.filter(parent_id__in=level))
        found.extend(below)
        level = [n.pk for n in below if n.is_folder]
    return found


def check_trash_access(node: Node, by: Visitor) -> None:
    if node.trashed_at is None:
        raise NotFound
    role = access.space_role(by, node.space)
    mine = by is not None and by.is_authenticated and node.trashed_by_id == by.pk
    if not mine and (role is None or role < "manager"):
        raise NotFound


def restore(node: Node, *, by: Visitor, to_parent: Node | None = None) -> Node:
    check_trash_access(node, by)
    original_parent_path = node.trashed_from.rsplit("/", 1)[0]
    parent = to_parent
    if parent is None:
        parent = Node.objects.filter(
            space_id=node.space_id, trashed=False, path_hash=hash_path(original_parent_path)
        ).first() or root_of(node.space)
    _check_folder(parent)
    if parent.space_id != node.space_id:
        raise Conflict
    access.check(by, parent, "upload")
    with transaction.atomic():
        name = free_name(parent, node.name)
        subtree = trashed_subtree(node)
        old_path = node.path
        new_path = f"{parent.path}/{name}"
        for n in subtree:
            n.path = new_path + n.path[len(old_path) :]
            n.path_hash = hash_path(n.path)
            n.trashed = False
            n.space_id = parent.space_id
        Node.objects.bulk_update(
            subtree[1:], ["path", "path_hash", "trashed", "space"], batch_size=500
        )
        node.parent, node.name = parent, name
        node.trashed_at, node.trashed_from, node.trashed_by = None, "", None
        node.etag = new_etag()
        node.save()
        _touch(parent.space_id, access.ancestor_paths(new_path), node.size)
        _record(Activity.Verb.RESTORED, node, by)
        _changed(parent.space, parent)
    return node


def purge(node: Node, *, by: Visitor | None) -> None:
    """Delete a trashed item for good."""
    if by is not None:
        check_trash_access(node, by)
    elif node.trashed_at is None:
        raise NotFound
    with transaction.atomic():
        subtree = trashed_subtree(node)
        stored = _file_bytes(subtree)
        ids = [n.pk for n in subtree]
        blob_ids = {n.blob_id for n in subtree if n.blob_id} | set(
            Version.objects.filter(node_id__in=ids).values_list("blob_id", flat=True)
        )
        Node.objects.filter(pk__in=ids).delete()
        drive_text.unindex(ids)
        Space.objects.filter(pk=node.space_id).update(used=F("used") - stored)
        collect_blobs(blob_ids)


def trash_items(space: Space) -> QuerySet[Node]:
    return Node.objects.filter(space=space, trashed_at__isnull=False).order_by("-trashed_at")


def empty_trash(space: Space, *, by: Visitor) -> int:
    count = 0
    for node in trash_items(space):
        purge(node, by=by)
        count += 1
    return count
