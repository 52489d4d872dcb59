"""A person's or a class's space, and its root folder: made the first time it is asked for.

Asking is idempotent (two requests at once end with one space), so the queries that find a
person's files may ask too; this is the only writing the query layer does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cartable.accounts.models import Group, User
from cartable.drive.models import Node, Space


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


def personal_space(user: User) -> Space:
    cached: Space | None = getattr(user, "_drive_space", None)
    if cached is None:
        cached = Space.objects.filter(user=user).first() or _create_space(user=user)
        # Kept on the instance: a request asks for it many times (WebDAV sets it at sign-in).
        user._drive_space = cached  # type: ignore[attr-defined]
    return cached


def group_space(group: Group) -> Space:
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
