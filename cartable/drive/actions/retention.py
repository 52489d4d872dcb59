"""What Drive cleans up every day (run by the platform's retention job).

- the trash: items deleted more than ``CARTABLE_DRIVE_TRASH_DAYS`` ago are purged;
- versions, thinned as Nextcloud does: every version of the last 10 seconds is kept, then one
  per 2 seconds up to a minute, one per 10 seconds... see ``SLOTS``: one per minute for the
  first hour, one per hour for the first day, one per day for the first 30 days, one per
  week after that. A full space also gives up its oldest versions first when a new write
  needs the room (see ``actions._make_room``);
- blobs nothing refers to any more (a crash between writing bytes and recording them);
- chunked and resumable uploads not finished after their expiry;
- expired WebDAV locks.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cartable.core.storage import purge_stale_parts
from cartable.drive.actions import _delete_versions, purge, resumable
from cartable.drive.blobs import PREFIX, delete_blob_bytes
from cartable.drive.models import Blob, Lock, Node, Version

# (age up to, one version per this many seconds)
SLOTS = [
    (timedelta(seconds=10), 1),
    (timedelta(minutes=1), 10),
    (timedelta(hours=1), 60),
    (timedelta(days=1), 3600),
    (timedelta(days=30), 86400),
    (None, 7 * 86400),
]
ORPHAN_GRACE = timedelta(days=1)


def purge_old_trash() -> int:
    cutoff = timezone.now() - timedelta(days=settings.DRIVE_TRASH_DAYS)
    count = 0
    for node in Node.objects.filter(trashed_at__lt=cutoff).select_related("space"):
        purge(node, by=None)
        count += 1
    return count


def versions_to_drop(versions: list[Version], now: object = None) -> list[Version]:
    """Of one file's versions, those the thinning policy does not keep."""
    now = now or timezone.now()
    kept_slots: set[tuple[int, int]] = set()
    drop = []
    for version in sorted(versions, key=lambda v: v.mtime, reverse=True):
        age = now - version.mtime  # type: ignore[operator]
        for index, (limit, step) in enumerate(SLOTS):
            if limit is None or age <= limit:
                slot = (index, int(version.mtime.timestamp()) // step)
                break
        if slot in kept_slots:
            drop.append(version)
        else:
            kept_slots.add(slot)
    return drop


def thin_versions() -> int:
    count = 0
    node_ids = Version.objects.values_list("node_id", flat=True).distinct()
    for node in Node.objects.filter(pk__in=node_ids).select_related("space"):
        drop = versions_to_drop(list(node.versions.all()))
        if drop:
            _delete_versions(node.space, drop)
            count += len(drop)
    return count


def purge_orphan_blobs() -> int:
    cutoff = timezone.now() - ORPHAN_GRACE
    count = 0
    for blob in Blob.objects.filter(
        created_at__lt=cutoff, nodes__isnull=True, versions__isnull=True
    ):
        delete_blob_bytes(blob)
        blob.delete()
        count += 1
    return count + purge_stale_parts(PREFIX, cutoff)


def purge_expired_uploads() -> int:
    return resumable.expire()


def purge_expired_locks() -> int:
    deleted, _ = Lock.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
