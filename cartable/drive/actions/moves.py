"""Moving and copying files and folders, within a space or between spaces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cartable.drive import access
from cartable.drive.actions.base import (
    _actor,
    _changed,
    _check_folder,
    _file_bytes,
    _into_itself,
    _make_room,
    _owner_fields,
    _record,
    _touch,
    beside_others,
    check_depth,
    live_child,
    live_descendants,
)
from cartable.drive.actions.indexing import index_later
from cartable.drive.actions.trash import trash
from cartable.drive.errors import (
    Conflict,
    Forbidden,
)
from cartable.drive.models import (
    Activity,
    DeadProperty,
    Node,
    Space,
    hash_path,
    new_etag,
)
from cartable.drive.mounts import clean_name

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def _check_destination(node: Node, new_parent: Node) -> None:
    _check_folder(new_parent)
    if new_parent.space_id == node.space_id and (
        new_parent.pk == node.pk or new_parent.path.startswith(node.path + "/")
    ):
        raise Conflict(_into_itself())


def _clear_destination(
    new_parent: Node, name: str, node: Node | None, *, by: Visitor, overwrite: bool
) -> bool:
    """True when something was there (and went to the trash, ``overwrite`` allowing)."""
    dest = live_child(new_parent, name)
    if dest is None or (node is not None and dest.pk == node.pk):
        return False
    if not overwrite:
        raise Conflict
    trash(dest, by=by)
    return True


def _levels_below(node: Node, subtree: list[Node]) -> int:
    return max(n.path.count("/") for n in subtree) - node.path.count("/")


def move(
    node: Node, new_parent: Node, new_name: str, *, by: Visitor, overwrite: bool = False
) -> tuple[Node, bool]:
    """Returns (node, replaced): ``replaced`` when an item at the destination was overwritten."""
    new_name = clean_name(new_name)
    if node.is_root:
        raise Forbidden
    _check_destination(node, new_parent)
    access.check(by, node, "delete")
    allowed = access.check(by, new_parent, "upload")
    new_name = beside_others(new_parent, new_name, by=by, allowed=allowed, moving=node)
    if node.is_folder and new_parent.pk != node.parent_id and access.hides_below(by, node):
        # A folder moves whole, and where it goes the mover may see more: not when it holds
        # what they may not see (homework others handed in). Renaming it in place is fine.
        raise Forbidden
    if new_parent.pk == node.parent_id and new_name == node.name:
        return node, False
    with transaction.atomic():
        replaced = _clear_destination(new_parent, new_name, node, by=by, overwrite=overwrite)
        node.refresh_from_db()
        new_parent.refresh_from_db()
        old_space_id, old_path, old_parent = node.space_id, node.path, node.parent
        subtree = [node, *live_descendants(node)] if node.is_folder else [node]
        check_depth(f"{new_parent.path}/{new_name}", _levels_below(node, subtree))
        moved_bytes = node.size
        if new_parent.space_id != old_space_id:
            stored = _file_bytes(subtree)
            target = Space.objects.select_for_update().get(pk=new_parent.space_id)
            _make_room(target, stored)
            Space.objects.filter(pk=target.pk).update(used=F("used") + stored)
            Space.objects.filter(pk=old_space_id).update(used=F("used") - stored)
        new_path = f"{new_parent.path}/{new_name}"
        owner = _owner_fields(new_parent)
        for n in subtree:
            n.path = new_path + n.path[len(old_path) :]
            n.path_hash = hash_path(n.path)
            n.space_id = new_parent.space_id
            for key, value in owner.items():
                setattr(n, key, value)
        node.parent = new_parent
        node.name = new_name
        node.etag = new_etag()
        node.modified_by = _actor(by)
        fields = ["path", "path_hash", "space", "owner", "owner_group", "structure"]
        Node.objects.bulk_update(subtree[1:], fields, batch_size=500)
        node.save()
        _touch(old_space_id, access.ancestor_paths(old_path), -moved_bytes)
        _touch(new_parent.space_id, access.ancestor_paths(new_path), moved_bytes)
        renamed = old_parent is not None and old_parent.pk == new_parent.pk
        verb = Activity.Verb.RENAMED if renamed else Activity.Verb.MOVED
        _record(verb, node, by, source=old_path)
        if not node.is_folder:
            index_later(node)
        _changed(new_parent.space, new_parent)
        if old_parent is not None and not renamed:
            _changed(old_parent.space, old_parent)
    return node, replaced


def copy(
    node: Node, new_parent: Node, new_name: str, *, by: Visitor, overwrite: bool = False
) -> tuple[Node, bool]:
    """A deep copy (folders with everything in them, dead properties too); files share
    their blob with the original, so the copy costs no storage write."""
    new_name = clean_name(new_name)
    _check_destination(node, new_parent)
    access.check(by, node, "view")
    if not node.is_folder:
        access.check(by, node, "download")
    allowed = access.check(by, new_parent, "upload")
    new_name = beside_others(new_parent, new_name, by=by, allowed=allowed)
    with transaction.atomic():
        replaced = _clear_destination(new_parent, new_name, None, by=by, overwrite=overwrite)
        node.refresh_from_db()
        new_parent.refresh_from_db()
        # What the person sees of the folder, as their listings show it: never the
        # homework others handed in below it.
        subtree = [node, *access.readable_below(by, node)] if node.is_folder else [node]
        subtree.sort(key=lambda n: n.path.count("/"))
        check_depth(f"{new_parent.path}/{new_name}", _levels_below(node, subtree))
        stored = sum(n.size for n in subtree if not n.is_folder)
        target = Space.objects.select_for_update().get(pk=new_parent.space_id)
        _make_room(target, stored)
        new_path = f"{new_parent.path}/{new_name}"
        owner = _owner_fields(new_parent)
        now = timezone.now()
        copies: dict[int, Node] = {}
        by_depth: dict[int, list[Node]] = {}
        for n in subtree:
            by_depth.setdefault(n.path.count("/"), []).append(n)
        for depth in sorted(by_depth):
            batch = []
            for n in by_depth[depth]:
                path = new_path + n.path[len(node.path) :]
                parent = new_parent if n.pk == node.pk else copies[n.parent_id]  # type: ignore[index]
                batch.append(
                    Node(
                        space_id=new_parent.space_id,
                        parent=parent,
                        kind=n.kind,
                        name=new_name if n.pk == node.pk else n.name,
                        path=path,
                        path_hash=hash_path(path),
                        blob_id=n.blob_id,
                        size=n.size,
                        mime_type=n.mime_type,
                        mtime=n.mtime if not n.is_folder else now,
                        created_by=_actor(by),
                        modified_by=_actor(by),
                        **owner,
                    )
                )
            created = Node.objects.bulk_create(batch, batch_size=500)
            for original, new in zip(by_depth[depth], created, strict=True):
                copies[original.pk] = new
        props = DeadProperty.objects.filter(node_id__in=list(copies))
        DeadProperty.objects.bulk_create(
            [
                DeadProperty(
                    node=copies[p.node_id], namespace=p.namespace, name=p.name, value=p.value
                )
                for p in props
            ],
            batch_size=500,
        )
        Space.objects.filter(pk=target.pk).update(used=F("used") + stored)
        top = copies[node.pk]
        _touch(new_parent.space_id, access.ancestor_paths(new_path), stored)
        _record(Activity.Verb.COPIED, top, by, source=node.path)
        _changed(new_parent.space, new_parent)
    return top, replaced
