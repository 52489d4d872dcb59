"""What every Drive action shares: bookkeeping of sizes, ETags, quota, activity."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from cartable.accounts.models import User
from cartable.core.events import send_event
from cartable.drive import fastpath
from cartable.drive.blobs import delete_blob_bytes
from cartable.drive.errors import (
    Conflict,
    InvalidName,
    NotFound,
    QuotaExceeded,
)
from cartable.drive.models import (
    Activity,
    Blob,
    Node,
    Space,
    Version,
    hash_path,
    new_etag,
)
from cartable.drive.spaces import (
    quota_of,
)

if TYPE_CHECKING:
    from cartable.core.types import Visitor

# --- helpers ---------------------------------------------------------------------------------


def _label(user: Visitor | None) -> str:
    return user.get_display_name() if isinstance(user, User) else ""


def _actor(user: Visitor | None) -> User | None:
    return user if isinstance(user, User) else None


def _touch(space_id: int, paths: Iterable[str], delta: int = 0) -> None:
    """The folders at ``paths`` changed below: new ETag, ``delta`` more bytes."""
    hashes = [hash_path(p) for p in paths]
    if not hashes:
        return
    Node.objects.filter(space_id=space_id, trashed=False, path_hash__in=hashes).update(
        etag=new_etag(), size=F("size") + delta, updated_at=timezone.now()
    )


def _record(
    verb: str, node: Node, by: Visitor | None, *, folder: Node | None = None, **data: Any
) -> Activity:
    label = data.pop("actor_label", "")
    activity = Activity(
        space_id=node.space_id,
        node=node,
        folder_id=folder.pk if folder is not None else node.parent_id,
        actor=_actor(by),
        actor_label=_label(by) or label,
        verb=verb,
        path=node.path,
        data=data,
    )
    fastpath.insert(activity)  # Activity.objects.create, without compiling the statement
    return activity


def _changed(space: Space, folder: Node | None) -> None:
    """Tell the pages showing this space that it changed (after commit)."""
    send_event(
        user_ids=[space.user_id] if space.user_id else [],
        group_ids=[space.group_id] if space.group_id else [],
        type="drive.changed",
        folder=str(folder.public_id) if folder is not None else "",
    )


def _check_folder(parent: Node) -> None:
    if not parent.is_folder:
        raise Conflict(_not_a_folder())
    if parent.trashed:
        raise NotFound


def _not_a_folder() -> str:
    return gettext("The destination is not a folder.")


def _into_itself() -> str:
    return gettext("A folder cannot go inside itself.")


# How deep a tree may go. Every access check reads the folders above a node and every write
# updates them (``access.ancestor_paths``): the work grows with the square of the depth, 0.7 s
# and 500 MB for one request at 2 000 levels of long names. Nextcloud keeps paths under 4 000
# characters; Drive's are longer (255 characters a name), but never more than this deep.
MAX_DEPTH = 100


def check_depth(path: str, below: int = 0) -> None:
    """InvalidName when a node at ``path``, with ``below`` levels under it, goes too deep."""
    if path.count("/") + below > MAX_DEPTH:
        raise InvalidName(
            gettext("Folders cannot go more than %(levels)d levels deep.") % {"levels": MAX_DEPTH}
        )


def live_child(parent: Node, name: str) -> Node | None:
    return Node.objects.filter(
        space_id=parent.space_id, trashed=False, path_hash=hash_path(f"{parent.path}/{name}")
    ).first()


def free_name(parent: Node, name: str) -> str:
    """``name``, or ``name (2).ext``… when taken in ``parent``."""
    if live_child(parent, name) is None:
        return name
    stem, dot, ext = name.rpartition(".")
    if not stem:
        stem, dot, ext = name, "", ""
    n = 2
    while True:
        candidate = f"{stem} ({n}){dot}{ext}"
        if live_child(parent, candidate) is None:
            return candidate
        n += 1


def beside_others(
    parent: Node, name: str, *, by: Any, allowed: frozenset[str], moving: Node | None = None
) -> str:
    """The name for what ``by`` puts at ``name`` in ``parent`` (``allowed``: their abilities
    there): ``name``, or a free one when, in a homework box they only drop into, another
    pupil's file or folder has it. That one is neither entered, replaced nor revealed by a
    refusal ("already exists"), as :func:`cartable.drive.actions.files.check_write` does for
    uploads. ``moving``: the node being renamed or moved, which may keep its own name."""
    if "drop" not in allowed:
        return name
    existing = live_child(parent, name)
    if existing is None or (moving is not None and existing.pk == moving.pk):
        return name
    if by is not None and by.is_authenticated and existing.created_by_id == by.pk:
        return name
    return free_name(parent, name)


def _owner_fields(parent: Node) -> dict[str, Any]:
    return {
        "owner_id": parent.owner_id,
        "owner_group_id": parent.owner_group_id,
        "structure_id": parent.structure_id,
    }


def live_descendants(node: Node) -> QuerySet[Node]:
    return Node.objects.filter(
        space_id=node.space_id, trashed=False, path__startswith=node.path + "/"
    )


def _file_bytes(nodes: Iterable[Node]) -> int:
    """What storage holds for these nodes: their files and the versions of those files."""
    nodes = list(nodes)
    files = [n.pk for n in nodes if not n.is_folder]
    live = sum(n.size for n in nodes if not n.is_folder)
    kept = Version.objects.filter(node_id__in=files).aggregate(s=Sum("size"))["s"] or 0
    return live + kept


def _make_room(space: Space, needed: int) -> None:
    """Raise QuotaExceeded unless ``needed`` more bytes fit, removing old versions if that
    is enough (as Nextcloud does): versions are the first thing a full space gives up."""
    quota = quota_of(space)
    if quota is None or space.used + needed <= quota:
        return
    excess = space.used + needed - quota
    candidates = Version.objects.filter(node__space=space).order_by("created_at", "pk")
    if (candidates.aggregate(s=Sum("size"))["s"] or 0) < excess:
        raise QuotaExceeded
    freed = 0
    doomed: list[Version] = []
    for version in candidates.iterator():
        if freed >= excess:
            break
        doomed.append(version)
        freed += version.size
    _delete_versions(space, doomed)


def _delete_versions(space: Space, versions: list[Version]) -> None:
    if not versions:
        return
    blob_ids = {v.blob_id for v in versions}
    freed = sum(v.size for v in versions)
    Version.objects.filter(pk__in=[v.pk for v in versions]).delete()
    Space.objects.filter(pk=space.pk).update(used=F("used") - freed)
    space.used -= freed
    collect_blobs(blob_ids)


def collect_blobs(blob_ids: Iterable[int]) -> None:
    """After commit, delete those of these blobs that nothing refers to any more."""
    ids = set(blob_ids)
    if not ids:
        return

    def collect() -> None:
        orphans = Blob.objects.filter(pk__in=ids, nodes__isnull=True, versions__isnull=True)
        for blob in orphans:
            delete_blob_bytes(blob)
            blob.delete()

    transaction.on_commit(collect)


def discard_blob(blob: Blob) -> None:
    """A blob written for an upload that was then refused."""
    collect_blobs([blob.pk])
