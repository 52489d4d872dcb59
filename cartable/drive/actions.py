"""Every change to Drive goes through here: the browser, WebDAV, the Nextcloud endpoints and
jobs call the same functions.

Each function checks access (``by`` may be None for an anonymous visitor holding a public
``link``), keeps the folders above up to date (their ``size`` and ``etag``, which sync
clients compare to know what changed), keeps the space's ``used`` bytes, and writes the
activity list. Sizes of folders count live files only; a space's ``used`` counts live
files, kept versions and the trash (what storage holds for it).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from cartable.core.events import send_event
from cartable.drive import access
from cartable.drive.blobs import BlobWriter, delete_blob_bytes, open_blob
from cartable.drive.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    QuotaExceeded,
)
from cartable.drive.models import (
    Activity,
    Blob,
    DeadProperty,
    Favourite,
    Node,
    ShareLink,
    Space,
    Version,
    hash_path,
    new_etag,
)
from cartable.drive.mounts import clean_name

__all__ = [
    "BlobWriter",
    "copy",
    "create_folder",
    "empty_trash",
    "free_bytes",
    "group_space",
    "move",
    "new_writer",
    "open_blob",
    "personal_space",
    "purge",
    "quota_of",
    "restore",
    "restore_version",
    "root_of",
    "set_favourite",
    "store_file",
    "trash",
    "versions",
    "write_file",
]


# --- spaces ----------------------------------------------------------------------------------


def _create_space(**holder: Any) -> Space:
    try:
        with transaction.atomic():
            space = Space.objects.create(
                kind=Space.Kind.PERSONAL if "user" in holder else Space.Kind.GROUP, **holder
            )
            user, group = holder.get("user"), holder.get("group")
            Node.objects.create(
                space=space,
                kind=Node.Kind.FOLDER,
                name="",
                path="",
                mtime=timezone.now(),
                owner=user,
                owner_group=group,
                structure_id=getattr(user or group, "structure_id", None),
            )
    except IntegrityError:
        # Another request created it first.
        space = Space.objects.get(**holder)
    return space


def personal_space(user: Any) -> Space:
    cached: Space | None = getattr(user, "_drive_space", None)
    if cached is None:
        cached = Space.objects.filter(user=user).first() or _create_space(user=user)
        user._drive_space = cached
    return cached


def group_space(group: Any) -> Space:
    return Space.objects.filter(group=group).first() or _create_space(group=group)


def root_of(space: Space) -> Node:
    cached: Node | None = getattr(space, "_root", None)
    if cached is None:
        cached = Node.objects.select_related("space").get(
            space=space, parent__isnull=True, trashed=False
        )
        space._root = cached  # type: ignore[attr-defined]
    return cached


def quota_of(space: Space) -> int | None:
    if space.quota is not None:
        return space.quota
    return settings.DRIVE_QUOTA if space.kind == Space.Kind.PERSONAL else settings.DRIVE_GROUP_QUOTA


def free_bytes(space: Space) -> int | None:
    quota = quota_of(space)
    return None if quota is None else max(0, quota - space.used)


# --- helpers ---------------------------------------------------------------------------------


def _label(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_display_name()


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _touch(space_id: int, paths: Iterable[str], delta: int = 0) -> None:
    """The folders at ``paths`` changed below: new ETag, ``delta`` more bytes."""
    hashes = [hash_path(p) for p in paths]
    if not hashes:
        return
    Node.objects.filter(space_id=space_id, trashed=False, path_hash__in=hashes).update(
        etag=new_etag(), size=F("size") + delta, updated_at=timezone.now()
    )


def _record(verb: str, node: Node, by: Any, *, folder: Node | None = None, **data: Any) -> Activity:
    return Activity.objects.create(
        space_id=node.space_id,
        node=node,
        folder=folder if folder is not None else node.parent,
        actor=_actor(by),
        actor_label=_label(by) or data.pop("actor_label", ""),
        verb=verb,
        path=node.path,
        data=data,
    )


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
    from django.utils.translation import gettext

    return gettext("The destination is not a folder.")


def _into_itself() -> str:
    from django.utils.translation import gettext

    return gettext("A folder cannot go inside itself.")


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


# --- folders and files -----------------------------------------------------------------------


def create_folder(
    parent: Node, name: str, *, by: Any, link: ShareLink | None = None, exist_ok: bool = False
) -> Node:
    name = clean_name(name)
    _check_folder(parent)
    access.check(by, parent, "upload", link=link)
    existing = live_child(parent, name)
    if existing is not None:
        if exist_ok and existing.is_folder:
            return existing
        raise Conflict
    now = timezone.now()
    try:
        with transaction.atomic():
            node = Node.objects.create(
                space_id=parent.space_id,
                parent=parent,
                kind=Node.Kind.FOLDER,
                name=name,
                path=f"{parent.path}/{name}",
                mtime=now,
                created_by=_actor(by),
                modified_by=_actor(by),
                **_owner_fields(parent),
            )
            _touch(parent.space_id, access.ancestor_paths(node.path))
            _record(Activity.Verb.CREATED, node, by)
            _changed(parent.space, parent)
    except IntegrityError:
        if exist_ok:
            found = live_child(parent, name)
            if found is not None and found.is_folder:
                return found
        raise Conflict from None
    return node


def make_folders(root: Node, relative: str, *, by: Any, link: ShareLink | None = None) -> Node:
    """The folder at ``relative`` below ``root``, created with its parents when missing."""
    from cartable.drive.mounts import split_path

    folder = root
    for part in split_path(relative):
        folder = create_folder(folder, part, by=by, link=link, exist_ok=True)
    return folder


def new_writer(
    space: Space, *, expected_size: int | None = None, storage: Any = None
) -> BlobWriter:
    """A writer for a file going into ``space``: the quota and, when configured, the
    virus scanner watch the bytes as they come."""
    scanner = None
    try:
        from cartable.drive.scan import scanner_or_none  # type: ignore[attr-defined]

        scanner = scanner_or_none()
    except ImportError:
        pass
    space.refresh_from_db(fields=["used"])
    quota = quota_of(space)
    # Old versions may make room: count them as available, _make_room frees them later.
    limit = None
    if quota is not None:
        kept = Version.objects.filter(node__space=space).aggregate(s=Sum("size"))["s"] or 0
        limit = max(0, quota - space.used + kept)
    return BlobWriter(limit=limit, expected_size=expected_size, storage=storage, scanner=scanner)


def check_can_write(
    parent: Node, name: str, *, by: Any, link: ShareLink | None = None
) -> tuple[str, Node | None]:
    """Before receiving bytes: may ``by`` put a file named ``name`` into ``parent``?
    Returns the name to use (a file drop never overwrites another's file) and what it replaces.
    """
    name = clean_name(name)
    _check_folder(parent)
    allowed = access.check(by, parent, "upload", link=link)
    existing = live_child(parent, name)
    if existing is None:
        return name, None
    if existing.is_folder:
        raise Conflict
    if "drop" in allowed:
        mine = by is not None and by.is_authenticated and existing.created_by_id == by.pk
        if not mine:
            return free_name(parent, name), None
    access.check(by, existing, "edit", link=link)
    return name, existing


def store_file(
    parent: Node,
    name: str,
    blob: Blob,
    *,
    by: Any,
    link: ShareLink | None = None,
    mtime: datetime | None = None,
    if_match: str | None = None,
    if_none_match: str | None = None,
    mime_type: str | None = None,
    actor_label: str = "",
) -> tuple[Node, bool]:
    """Make ``blob`` the content of the file ``name`` in ``parent``; returns (node, created).

    On refusal the blob is discarded. ``if_match``/``if_none_match``: ETag conditions
    (``"*"`` allowed), checked in the same transaction as the write.
    """
    try:
        return _store_file(
            parent,
            name,
            blob,
            by=by,
            link=link,
            mtime=mtime,
            if_match=if_match,
            if_none_match=if_none_match,
            mime_type=mime_type,
            actor_label=actor_label,
        )
    except BaseException:
        discard_blob(blob)
        raise


def _store_file(
    parent: Node,
    name: str,
    blob: Blob,
    *,
    by: Any,
    link: ShareLink | None,
    mtime: datetime | None,
    if_match: str | None,
    if_none_match: str | None,
    mime_type: str | None,
    actor_label: str,
) -> tuple[Node, bool]:
    name, _ = check_can_write(parent, name, by=by, link=link)
    now = timezone.now()
    with transaction.atomic():
        space = Space.objects.select_for_update().get(pk=parent.space_id)
        existing = (
            Node.objects.select_for_update()
            .filter(space=space, trashed=False, path_hash=hash_path(f"{parent.path}/{name}"))
            .first()
        )
        if existing is not None and existing.is_folder:
            raise Conflict
        if (
            if_none_match is not None
            and existing is not None
            and (if_none_match.strip() == "*" or existing.etag in _etags(if_none_match))
        ):
            raise PreconditionFailed
        if if_match is not None:
            if existing is None:
                raise PreconditionFailed
            if if_match.strip() != "*" and existing.etag not in _etags(if_match):
                raise PreconditionFailed
        _make_room(space, blob.size)
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if existing is not None:
            Version.objects.create(
                node=existing,
                blob_id=existing.blob_id or 0,
                size=existing.size,
                mtime=existing.mtime,
                author_id=existing.modified_by_id,
            )
            delta = blob.size - existing.size
            existing.blob = blob
            existing.size = blob.size
            existing.mime_type = mime
            existing.mtime = mtime or now
            existing.etag = new_etag()
            existing.modified_by = _actor(by)
            existing.save()
            node, created = existing, False
        else:
            node = Node.objects.create(
                space=space,
                parent=parent,
                kind=Node.Kind.FILE,
                name=name,
                path=f"{parent.path}/{name}",
                blob=blob,
                size=blob.size,
                mime_type=mime,
                mtime=mtime or now,
                created_by=_actor(by),
                modified_by=_actor(by),
                **_owner_fields(parent),
            )
            delta, created = blob.size, True
        Space.objects.filter(pk=space.pk).update(used=F("used") + blob.size)
        _touch(space.pk, access.ancestor_paths(node.path), delta)
        verb = Activity.Verb.CREATED if created else Activity.Verb.CHANGED
        if created and access.access_of(by, parent, link=link).dropping:
            verb = Activity.Verb.DROPPED
        _record(verb, node, by, size=blob.size, actor_label=actor_label)
        _changed(space, parent)
    return node, created


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()}


def write_file(
    parent: Node,
    name: str,
    chunks: Iterable[bytes],
    *,
    by: Any,
    link: ShareLink | None = None,
    expected_size: int | None = None,
    **options: Any,
) -> tuple[Node, bool]:
    """Receive ``chunks`` into a new blob, then :func:`store_file` it."""
    name, _ = check_can_write(parent, name, by=by, link=link)
    writer = new_writer(parent.space, expected_size=expected_size)
    with writer:
        for chunk in chunks:
            writer.write(chunk)
        blob = writer.finish()
    return store_file(parent, name, blob, by=by, link=link, **options)


# --- moving, copying -------------------------------------------------------------------------


def _check_destination(node: Node, new_parent: Node) -> None:
    _check_folder(new_parent)
    if new_parent.space_id == node.space_id and (
        new_parent.pk == node.pk or new_parent.path.startswith(node.path + "/")
    ):
        raise Conflict(_into_itself())


def _clear_destination(
    new_parent: Node, name: str, node: Node | None, *, by: Any, overwrite: bool
) -> bool:
    """True when something was there (and went to the trash, ``overwrite`` allowing)."""
    dest = live_child(new_parent, name)
    if dest is None or (node is not None and dest.pk == node.pk):
        return False
    if not overwrite:
        raise Conflict
    trash(dest, by=by)
    return True


def move(
    node: Node, new_parent: Node, new_name: str, *, by: Any, overwrite: bool = False
) -> tuple[Node, bool]:
    """Returns (node, replaced): ``replaced`` when an item at the destination was overwritten."""
    new_name = clean_name(new_name)
    if node.is_root:
        raise Forbidden
    _check_destination(node, new_parent)
    access.check(by, node, "delete")
    access.check(by, new_parent, "upload")
    if new_parent.pk == node.parent_id and new_name == node.name:
        return node, False
    with transaction.atomic():
        replaced = _clear_destination(new_parent, new_name, node, by=by, overwrite=overwrite)
        node.refresh_from_db()
        new_parent.refresh_from_db()
        old_space_id, old_path, old_parent = node.space_id, node.path, node.parent
        subtree = [node, *live_descendants(node)] if node.is_folder else [node]
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
        _changed(new_parent.space, new_parent)
        if old_parent is not None and not renamed:
            _changed(old_parent.space, old_parent)
    return node, replaced


def copy(
    node: Node, new_parent: Node, new_name: str, *, by: Any, overwrite: bool = False
) -> tuple[Node, bool]:
    """A deep copy (folders with everything in them, dead properties too); files share
    their blob with the original, so the copy costs no storage write."""
    new_name = clean_name(new_name)
    _check_destination(node, new_parent)
    access.check(by, node, "view")
    if not node.is_folder:
        access.check(by, node, "download")
    access.check(by, new_parent, "upload")
    with transaction.atomic():
        replaced = _clear_destination(new_parent, new_name, None, by=by, overwrite=overwrite)
        node.refresh_from_db()
        new_parent.refresh_from_db()
        subtree = [node, *live_descendants(node)] if node.is_folder else [node]
        subtree.sort(key=lambda n: n.path.count("/"))
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


# --- trash -----------------------------------------------------------------------------------


def trash(node: Node, *, by: Any, link: ShareLink | None = None) -> None:
    """Move ``node`` and everything below it to its space's trash."""
    if node.is_root:
        raise Forbidden
    if node.trashed:
        raise NotFound
    access.check(by, node, "delete", link=link)
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


def check_trash_access(node: Node, by: Any) -> None:
    if node.trashed_at is None:
        raise NotFound
    role = access.space_role(by, node.space)
    mine = by is not None and by.is_authenticated and node.trashed_by_id == by.pk
    if not mine and (role is None or role < "manager"):
        raise NotFound


def restore(node: Node, *, by: Any, to_parent: Node | None = None) -> Node:
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


def purge(node: Node, *, by: Any) -> None:
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
        Space.objects.filter(pk=node.space_id).update(used=F("used") - stored)
        collect_blobs(blob_ids)


def trash_items(space: Space) -> QuerySet[Node]:
    return Node.objects.filter(space=space, trashed_at__isnull=False).order_by("-trashed_at")


def empty_trash(space: Space, *, by: Any) -> int:
    count = 0
    for node in trash_items(space):
        purge(node, by=by)
        count += 1
    return count


# --- versions, favourites --------------------------------------------------------------------


def versions(node: Node) -> QuerySet[Version]:
    return node.versions.select_related("author")


def restore_version(version: Version, *, by: Any) -> Node:
    """The version becomes the current content; the current content becomes a version."""
    node = version.node
    access.check(by, node, "edit")
    with transaction.atomic():
        Version.objects.create(
            node=node,
            blob_id=node.blob_id or 0,
            size=node.size,
            mtime=node.mtime,
            author_id=node.modified_by_id,
        )
        delta = version.size - node.size
        node.blob_id = version.blob_id
        node.size = version.size
        node.mtime = timezone.now()
        node.etag = new_etag()
        node.modified_by = _actor(by)
        node.save()
        version.delete()
        _touch(node.space_id, access.ancestor_paths(node.path), delta)
        _record(Activity.Verb.RESTORED, node, by, version=str(version.mtime))
        _changed(node.space, node.parent)
    return node


def set_favourite(user: Any, node: Node, on: bool) -> None:
    access.check(user, node, "view")
    if on:
        Favourite.objects.get_or_create(user=user, node=node)
    else:
        Favourite.objects.filter(user=user, node=node).delete()
