"""WebDAV write locks (RFC 4918 §6–7) on paths of a space, kept in the database.

A lock names a path, which need not exist (locking an unmapped URL creates an empty file, as
RFC 4918 §7.3 asks), and covers that path and, with depth infinity, everything below. Expired
locks are ignored and deleted lazily. Locks do not follow a resource that moves: moving or
deleting one removes the locks on its paths.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from cartable.accounts.models import User
from cartable.drive.models import Lock, Space, hash_path
from cartable.drive.webdav import davxml

if TYPE_CHECKING:
    from cartable.core.types import Visitor

TOKEN_PREFIX = "opaquelocktoken:"  # noqa: S105 (a URI scheme)

# Locks are rows that every PROPFIND of their paths lists (lockdiscovery): bounded, so that
# no one can fill the database or make a file's listing huge for everybody. Clients hold a
# handful (LibreOffice, Office and Finder lock the files they have open).
MAX_LOCKS_PER_PERSON = 500  # live locks a signed-in person holds, anywhere
MAX_LOCKS_PER_PATH = 50  # live shared locks on one path, whoever holds them


def ancestors_and_self(path: str) -> list[str]:
    """``"/a/b"`` → ``["", "/a", "/a/b"]``."""
    if not path:
        return [""]
    parts = path.split("/")[1:]
    return [""] + ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def covering(space_id: int, path: str, *, below: bool = False) -> list[Lock]:
    """The live locks on ``path`` or on a folder above it with depth infinity; with ``below``,
    also the locks on anything under ``path``."""
    query = Q(path_hash__in=[hash_path(p) for p in ancestors_and_self(path)])
    if below:
        query |= Q(path__startswith=path + "/")
    locks = Lock.objects.filter(query, space_id=space_id, expires_at__gt=timezone.now())
    return [
        lock
        for lock in locks
        if lock.path == path
        or (lock.infinite and (lock.path == "" or path.startswith(lock.path + "/")))
        or (below and lock.path.startswith(path + "/"))
    ]


def covers(lock: Lock, path: str) -> bool:
    """Whether ``lock`` (live) covers ``path`` itself."""
    return lock.path == path or (
        lock.infinite and (lock.path == "" or path.startswith(lock.path + "/"))
    )


def locks_in(space_id: int, folder_path: str) -> dict[str, list[Lock]]:
    """Live locks on ``folder_path`` or below, and above it with depth infinity, by path."""
    above = [hash_path(p) for p in ancestors_and_self(folder_path)]
    query = Q(path_hash__in=above) | Q(path__startswith=folder_path + "/")
    result: dict[str, list[Lock]] = {}
    for lock in Lock.objects.filter(query, space_id=space_id, expires_at__gt=timezone.now()):
        result.setdefault(lock.path, []).append(lock)
    return result


def applying(locks_by_path: dict[str, list[Lock]], path: str) -> list[Lock]:
    """Of ``locks_by_path``, those that cover ``path``."""
    found = []
    for lock_path, locks in locks_by_path.items():
        for lock in locks:
            if lock_path == path or (
                lock.infinite and (lock_path == "" or path.startswith(lock_path + "/"))
            ):
                found.append(lock)
    return found


class LockConflict(Exception):
    pass


class TooManyLocks(Exception):
    pass


def create(
    *,
    space_id: int,
    path: str,
    user: Visitor,
    exclusive: bool,
    infinite: bool,
    timeout: int,
    owner_xml: str,
) -> Lock:
    """A new lock; LockConflict if an existing one is incompatible with it, TooManyLocks past
    :data:`MAX_LOCKS_PER_PERSON` or :data:`MAX_LOCKS_PER_PATH`."""
    found = covering(space_id, path, below=infinite)
    for other in found:
        if exclusive or other.exclusive:
            raise LockConflict
    if sum(1 for other in found if other.path == path) >= MAX_LOCKS_PER_PATH:
        raise TooManyLocks
    if isinstance(user, User):
        held = Lock.objects.filter(user=user, expires_at__gt=timezone.now()).count()
        if held >= MAX_LOCKS_PER_PERSON:
            raise TooManyLocks
    expires_at = timezone.now() + timedelta(seconds=timeout)
    _extend_locks_until(space_id, expires_at)
    return Lock.objects.create(
        token=f"{TOKEN_PREFIX}{uuid.uuid4()}",
        space_id=space_id,
        path=path,
        path_hash=hash_path(path),
        infinite=infinite,
        exclusive=exclusive,
        owner_xml=owner_xml,
        user=user if isinstance(user, User) else None,
        timeout=timeout,
        expires_at=expires_at,
    )


def _extend_locks_until(space_id: int, expires_at: datetime) -> None:
    Space.objects.filter(
        Q(locks_until__isnull=True) | Q(locks_until__lt=expires_at), pk=space_id
    ).update(locks_until=expires_at)


def may_be_locked(space: Space) -> bool:
    """Whether a live lock may exist in ``space`` (loaded in this request); when not, there
    is no need to look for one."""
    return space.locks_until is not None and space.locks_until > timezone.now()


def refresh(lock: Lock, timeout: int) -> Lock:
    lock.timeout = timeout
    lock.expires_at = timezone.now() + timedelta(seconds=timeout)
    _extend_locks_until(lock.space_id, lock.expires_at)
    lock.save(update_fields=["timeout", "expires_at"])
    return lock


def release(space_id: int, path: str, token: str) -> bool:
    """Removes the lock ``token`` if it covers ``path``; False when it does not."""
    for lock in covering(space_id, path):
        if lock.token == token:
            lock.delete()
            return True
    return False


def forget(space_id: int, path: str) -> None:
    """Drops the locks on ``path`` and below (the resource was deleted or moved away)."""
    Lock.objects.filter(
        Q(path_hash=hash_path(path)) | Q(path__startswith=path + "/"), space_id=space_id
    ).delete()


def purge_expired() -> int:
    deleted, _ = Lock.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def may_write(locks: list[Lock], user: Visitor, tokens: set[str]) -> bool:
    """Whether a request by ``user`` submitting ``tokens`` may change what ``locks`` cover."""
    if not locks:
        return True
    user_id = getattr(user, "pk", None)
    for lock in locks:
        if lock.token in tokens and (lock.user_id is None or lock.user_id == user_id):
            if lock.exclusive:
                return True
            continue
        if lock.exclusive:
            return False
    # Only shared locks: one of them submitted is enough.
    return any(lock.token in tokens for lock in locks)


def activelock_xml(lock: Lock, root_href: str) -> str:
    scope = "exclusive" if lock.exclusive else "shared"
    remaining = max(0, int((lock.expires_at - timezone.now()).total_seconds()))
    return (
        "<d:activelock><d:locktype><d:write/></d:locktype>"
        f"<d:lockscope><d:{scope}/></d:lockscope>"
        f"<d:depth>{'infinity' if lock.infinite else '0'}</d:depth>"
        f"{lock.owner_xml}"
        f"<d:timeout>Second-{remaining}</d:timeout>"
        f"<d:locktoken><d:href>{davxml.text(lock.token)}</d:href></d:locktoken>"
        f"<d:lockroot><d:href>{davxml.text(root_href)}</d:href></d:lockroot>"
        "</d:activelock>"
    )


SUPPORTED_LOCK = (
    "<d:lockentry><d:lockscope><d:exclusive/></d:lockscope>"
    "<d:locktype><d:write/></d:locktype></d:lockentry>"
    "<d:lockentry><d:lockscope><d:shared/></d:lockscope>"
    "<d:locktype><d:write/></d:locktype></d:lockentry>"
)
