"""Creating folders and writing files."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from cartable.drive import access, fastpath, previews
from cartable.drive.actions.base import (
    _actor,
    _changed,
    _check_folder,
    _make_room,
    _owner_fields,
    _record,
    _touch,
    check_depth,
    discard_blob,
    free_name,
    live_child,
)
from cartable.drive.actions.indexing import index_later
from cartable.drive.blobs import BlobWriter
from cartable.drive.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
)
from cartable.drive.models import (
    Activity,
    Blob,
    Node,
    ShareLink,
    Space,
    Version,
    hash_path,
    new_etag,
)
from cartable.drive.mounts import Location, clean_name, split_path
from cartable.drive.scan import scanner_or_none
from cartable.drive.spaces import quota_of

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def create_folder(
    parent: Node, name: str, *, by: Visitor, link: ShareLink | None = None, exist_ok: bool = False
) -> Node:
    name = clean_name(name)
    _check_folder(parent)
    allowed = access.check(by, parent, "upload", link=link)
    check_depth(f"{parent.path}/{name}")
    existing = live_child(parent, name)
    if existing is not None:
        signed_in = by is not None and by.is_authenticated
        if "drop" in allowed and not _own(existing, by) and (signed_in or not exist_ok):
            # What another pupil handed in: the new folder (and the uploader's files) go
            # beside it, never in, and "already exists" would tell that it is there (an
            # anonymous visitor of a file drop link sees none of them either way).
            name = free_name(parent, name)
        elif exist_ok and existing.is_folder:
            return existing
        else:
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


def as_seen(location: Location, *, by: Visitor) -> Location:
    """``location`` (a path of ``by``'s view, as WebDAV names things) as ``by`` sees it. In a
    homework box they only drop into, another pupil's file or folder is not there and its name
    is free (the name :func:`check_write` would give, never the other's path, which a lock
    would otherwise hold), and a path through another pupil's folder has no folder to go in:
    the same answers as for names nobody took, so that trying names tells nothing. Elsewhere
    (no drop folder above) it is returned as it is, without a query."""
    parent = location.parent
    if parent is None or location.is_mount_point:
        return location
    if not any(n.file_drop for n in access.lineage(parent)):
        return location
    if "view" not in access.abilities(by, parent):
        location.parent = location.node = None
        return location
    node = location.node
    if node is None or "view" in access.abilities(by, node):
        return location
    name = free_name(parent, location.name)
    location.node = None
    location.name = name
    location.space_path = f"{parent.path}/{name}"
    location.user_path = f"{location.user_path.rsplit('/', 1)[0]}/{name}"
    return location


def _own(node: Node, by: Visitor | None) -> bool:
    return bool(by is not None and by.is_authenticated and node.created_by_id == by.pk)


def make_folders(root: Node, relative: str, *, by: Visitor, link: ShareLink | None = None) -> Node:
    """The folder at ``relative`` below ``root``, created with its parents when missing."""
    folder = root
    for part in split_path(relative):
        folder = create_folder(folder, part, by=by, link=link, exist_ok=True)
    return folder


def new_writer(
    space: Space,
    *,
    expected_size: int | None = None,
    storage: Storage | None = None,
    adler32: bool = True,
    refresh: bool = True,
) -> BlobWriter:
    """A writer for a file going into ``space``: the quota and, when configured, the
    virus scanner watch the bytes as they come. ``refresh``: read the space's ``used``
    again (not needed when ``space`` was loaded by this request)."""
    scanner = scanner_or_none()  # ScanUnavailable (fail closed) before any byte is read
    quota = quota_of(space)
    limit = None
    if quota is not None:
        if refresh:
            space.refresh_from_db(fields=["used"])
        limit = max(0, quota - space.used)
        if expected_size is None or expected_size > limit:
            # Old versions may make room: count them as available, _make_room frees them
            # later. (A body of a known size that fits needs no sum over the space.)
            kept = Version.objects.filter(node__space=space).aggregate(s=Sum("size"))["s"] or 0
            limit += kept
    return BlobWriter(
        limit=limit,
        expected_size=expected_size,
        storage=storage,
        scanner=scanner,
        adler32=adler32,
    )


# ``check_write``'s ``existing`` when the caller has not looked for it.
UNKNOWN: Any = object()


@dataclass(frozen=True)
class WriteCheck:
    """What :func:`check_write` found: the name to use, the file it replaces, and whether
    the writer only drops files there (file drop folder)."""

    name: str
    existing: Node | None
    dropping: bool


def check_write(
    parent: Node,
    name: str,
    *,
    by: Visitor,
    link: ShareLink | None = None,
    existing: Node | None = UNKNOWN,
) -> WriteCheck:
    """Before receiving bytes: may ``by`` put a file named ``name`` into ``parent``?
    ``existing``: the live node at that name, when the caller already looked it up.
    A file drop never overwrites another's file: the name may change.
    """
    name = clean_name(name)
    _check_folder(parent)
    own = access.access_of(by, parent, link=link)
    allowed = access.abilities_for(own, parent, by)
    if "view" not in allowed:
        raise NotFound
    if "upload" not in allowed:
        raise Forbidden
    check_depth(f"{parent.path}/{name}")
    if existing is UNKNOWN or (existing is not None and existing.name != name):
        existing = live_child(parent, name)
    if existing is None:
        return WriteCheck(name, None, own.dropping)
    if "drop" in allowed and not _own(existing, by):
        # Another's file or folder, which this person does not see: never theirs to
        # overwrite, nor to learn of by a refusal.
        return WriteCheck(free_name(parent, name), None, own.dropping)
    if existing.is_folder:
        raise Conflict
    access.check(by, existing, "edit", link=link)
    return WriteCheck(name, existing, own.dropping)


def check_can_write(
    parent: Node, name: str, *, by: Visitor, link: ShareLink | None = None
) -> tuple[str, Node | None]:
    """Before receiving bytes: may ``by`` put a file named ``name`` into ``parent``?
    Returns the name to use (a file drop never overwrites another's file) and what it replaces.
    """
    checked = check_write(parent, name, by=by, link=link)
    return checked.name, checked.existing


def store_file(
    parent: Node,
    name: str,
    blob: Blob,
    *,
    by: Visitor,
    link: ShareLink | None = None,
    mtime: datetime | None = None,
    if_match: str | None = None,
    if_none_match: str | None = None,
    mime_type: str | None = None,
    actor_label: str = "",
    checked: WriteCheck | None = None,
) -> tuple[Node, bool]:
    """Make ``blob`` the content of the file ``name`` in ``parent``; returns (node, created).

    On refusal the blob is discarded. ``if_match``/``if_none_match``: ETag conditions
    (``"*"`` allowed), checked in the same transaction as the write. ``checked``: what
    :func:`check_write` answered for this name before the bytes came (not asked again
    unless the file there changed since).
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
            checked=checked,
        )
    except BaseException:
        discard_blob(blob)
        raise


def _store_file(
    parent: Node,
    name: str,
    blob: Blob,
    *,
    by: Visitor,
    link: ShareLink | None,
    mtime: datetime | None,
    if_match: str | None,
    if_none_match: str | None,
    mime_type: str | None,
    actor_label: str,
    checked: WriteCheck | None,
) -> tuple[Node, bool]:
    if checked is None or checked.name != name:
        checked = check_write(parent, name, by=by, link=link)
    name = checked.name
    now = timezone.now()
    # The statements of this transaction are hand-written (``fastpath``): see that module.
    space = parent.space
    mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    with transaction.atomic():
        fastpath.lock_space(space)
        path = f"{parent.path}/{name}"
        existing = None
        if checked.existing is not None:
            # An overwrite: its current row (ETag, size) is read again under the lock.
            live = Node.objects.select_for_update().filter(
                space_id=space.pk, trashed=False, path_hash=hash_path(path)
            )
            existing = live.first()
        else:
            found = fastpath.live_id(space.pk, path)
            if found is not None:  # another writer came first
                existing = Node.objects.select_for_update().get(pk=found)
        if (existing.pk if existing else None) != (
            checked.existing.pk if checked.existing else None
        ):
            # Another writer came first: what may be done with what is there now?
            checked = check_write(parent, name, by=by, link=link, existing=existing)
            if checked.name != name:
                existing = None
                name = checked.name
                mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
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
            node = Node(
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
            fastpath.insert_node(node)
            delta, created = blob.size, True
        fastpath.add_used(space, blob.size)
        fastpath.touch(space.pk, access.ancestor_paths(node.path), delta, now)
        verb = Activity.Verb.CREATED if created else Activity.Verb.CHANGED
        if created and checked.dropping:
            verb = Activity.Verb.DROPPED
        _record(verb, node, by, size=blob.size, actor_label=actor_label)
        index_later(node)
        _changed(space, parent)
        previews.schedule_previews(blob, mime)
    return node, created


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()}


def write_file(
    parent: Node,
    name: str,
    chunks: Iterable[bytes],
    *,
    by: Visitor,
    link: ShareLink | None = None,
    expected_size: int | None = None,
    **options: Any,
) -> tuple[Node, bool]:
    """Receive ``chunks`` into a new blob, then :func:`store_file` it."""
    checked = check_write(parent, name, by=by, link=link)
    writer = new_writer(parent.space, expected_size=expected_size)
    with writer:
        for chunk in chunks:
            writer.write(chunk)
        blob = writer.finish()
    return store_file(parent, checked.name, blob, by=by, link=link, checked=checked, **options)
