"""Files arriving from the browser (tus uploads, the plain upload form, public links): into a
folder, creating the folders of a dropped folder, doing what the person chose when the name
is taken. And the quota that uploads in progress, resumable or chunked, reserve."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.drive import errors
from cartable.drive.access import abilities
from cartable.drive.actions import free_bytes, free_name, live_child, make_folders, write_file
from cartable.drive.models import Node, ShareLink, Space, Upload, UploadPart

CONFLICT_MODES = ("ask", "replace", "rename")


def held_bytes(user: Any, *, besides: tuple[Upload, str] | None = None) -> int:
    """What ``user``'s unfinished uploads (tus and Nextcloud's chunked) hold in storage, but
    the part ``besides`` (an upload and a part's name, about to be replaced). Parts are in no
    space's count until the upload ends: each new part must fit in the free space with all of
    them, or many uploads at once could hold many times the quota on the server's disk."""
    parts = UploadPart.objects.filter(upload__user=user, upload__expires_at__gt=timezone.now())
    if besides is not None:
        upload, name = besides
        parts = parts.exclude(upload=upload, name=name)
    return int(parts.aggregate(s=Sum("size"))["s"] or 0)


def existing(
    folder: Node, parts: list[str], name: str, *, by: Any, link: Any = None
) -> Node | None:
    """What ``parts/name`` below ``folder`` names now, as far as ``by`` may know.

    In a file drop folder, another person's file of the same name is not the dropper's
    business: their file will get a free name (see ``check_can_write``).
    """
    node: Node | None = folder
    for part in [*parts, name]:
        if node is None or not node.is_folder:
            return None
        node = live_child(node, part)
    if node is None:
        return None
    if "view" not in abilities(by, node, link=link):
        return None
    return node


def taken(name: str) -> errors.Conflict:
    return errors.Conflict(_("“%(name)s” already exists in this folder.") % {"name": name})


def store(
    folder: Node,
    parts: list[str],
    name: str,
    chunks: Iterable[bytes],
    *,
    by: Any,
    link: ShareLink | None = None,
    conflict: str = "ask",
    uploader: str = "",
    expected_size: int | None = None,
) -> Node:
    """Write ``chunks`` as ``parts/name`` below ``folder``.

    ``conflict``: ``ask`` refuses a taken name (Conflict), ``replace`` makes a new version of
    the file there, ``rename`` keeps both under a free name. ``uploader``: the name an
    anonymous visitor gave on a file drop page, shown to the folder's owner.
    """
    parent = make_folders(folder, "/".join(parts), by=by, link=link) if parts else folder
    if conflict == "rename":
        name = free_name(parent, name)
    options: dict[str, Any] = {}
    if conflict != "replace":
        options["if_none_match"] = "*"
    if uploader and not getattr(by, "is_authenticated", False):
        # The name an anonymous visitor gave on the drop page, in the activity list.
        options["actor_label"] = uploader[:254]
    try:
        node, _created = write_file(
            parent, name, chunks, by=by, link=link, expected_size=expected_size, **options
        )
    except errors.PreconditionFailed as exc:
        raise taken(name) from exc
    return node


# --- Uploads in progress (tus, Nextcloud chunking) ------------------------------------------


def reserved_bytes(space: Space, *, exclude: Upload | None = None) -> int:
    """What the unfinished, unexpired uploads to ``space`` hold back: the size each announced,
    or, for one that announced none, the bytes it has received so far."""
    live = Upload.objects.filter(space=space, expires_at__gt=timezone.now())
    if exclude is not None:
        live = live.exclude(pk=exclude.pk)
    announced = live.filter(total_size__isnull=False).aggregate(s=Sum("total_size"))["s"]
    received = UploadPart.objects.filter(upload__in=live.filter(total_size__isnull=True)).aggregate(
        s=Sum("size")
    )["s"]
    return (announced or 0) + (received or 0)


def reserve(
    space: Space, *, user: Any, size: int | None, expires_at: datetime, **fields: Any
) -> Upload:
    """A new upload of ``size`` bytes (None: not announced) to ``space``: refused with
    ``QuotaExceeded`` unless the space's free quota, less what its other uploads in progress
    reserve, holds it.

    Without this, each of ten uploads fits alone and all ten together pass the quota. The
    space's row is locked (PostgreSQL; on SQLite, the transaction takes the database's one
    write lock) from the check to the new row's commit, so that two uploads created at once
    are checked one after the other.
    """
    with transaction.atomic():
        locked = Space.objects.select_for_update().get(pk=space.pk)
        free = free_bytes(locked)
        if free is not None and size is not None and size > free - reserved_bytes(locked):
            raise errors.QuotaExceeded()
        return Upload.objects.create(
            space=locked, user=user, total_size=size, expires_at=expires_at, **fields
        )
