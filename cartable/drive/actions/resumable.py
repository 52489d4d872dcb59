"""One lifecycle for every upload that comes in parts: tus (the browser's resumable uploads)
and Nextcloud's chunked uploads (its desktop and mobile clients).

- **begin**: an ``Upload`` row, its size reserved in the destination space's quota together
  with the other uploads in progress (``uploads.reserve``);
- **append**: a part stored under its name (a tus offset, a Nextcloud chunk name), replacing a
  part of the same name; the upload lives on for ``lifetime`` more;
- **assemble**: the parts' bytes in order, read as they are needed (``read_part`` /
  ``chunks``), into a file of Drive (the protocol's own store: ``uploads.store``,
  ``actions.store_file``);
- **discard**: the row and its parts' files, once the transaction commits; a file that cannot
  be deleted is logged, never raised (its bytes are orphans the retention finds);
- **expire**: every upload past its expiry discarded, one failure not stopping the others
  (the daily retention rule).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cartable.core.storage import purge_stale_parts
from cartable.drive.actions.uploads import reserve
from cartable.drive.models import Upload, UploadPart

log = logging.getLogger(__name__)

READ_CHUNK = 1024 * 1024
PREFIX = "drive/uploads"

# Beginning is reserving: the row and its share of the quota come together (``uploads``).
begin = reserve


def append(
    upload: Upload,
    name: str,
    storage_name: str,
    size: int,
    *,
    lifetime: timedelta,
    replace: bool = True,
) -> bool:
    """Record the part ``name`` (its bytes already at ``storage_name``): True when it is new,
    False when it replaced a part of that name (whose file goes after the commit). Raises
    IntegrityError when a part of that name exists and ``replace`` is False (tus: another
    request stored these bytes first), or when another request created it at the same moment:
    the caller deletes its own file."""
    with transaction.atomic():
        old = UploadPart.objects.filter(upload=upload, name=name).first() if replace else None
        if old is not None:
            replaced = old.storage_name
            old.storage_name, old.size = storage_name, size
            old.save(update_fields=["storage_name", "size"])
            transaction.on_commit(lambda: _delete_files([replaced]))
        else:
            UploadPart.objects.create(
                upload=upload, name=name, storage_name=storage_name, size=size
            )
        now = timezone.now()
        Upload.objects.filter(pk=upload.pk).update(expires_at=now + lifetime, updated_at=now)
    return old is None


def read_part(storage_name: str, write: Callable[[bytes], object]) -> None:
    """One part's bytes, piece by piece, to ``write``."""
    with default_storage.open(storage_name, "rb") as fh:
        while piece := fh.read(READ_CHUNK):
            write(piece)


def chunks(upload: Upload) -> Iterator[bytes]:
    """The upload's bytes, its parts in the order of their names."""
    for part in upload.parts.order_by("name"):
        with default_storage.open(part.storage_name, "rb") as fh:
            while piece := fh.read(READ_CHUNK):
                yield piece


def discard(upload: Upload) -> None:
    """The upload and its parts' files (after the commit, or at once outside a transaction)."""
    names = list(upload.parts.values_list("storage_name", flat=True))
    upload.delete()
    transaction.on_commit(lambda: _delete_files(names))


def forget_part(part: UploadPart) -> None:
    name = part.storage_name
    part.delete()
    transaction.on_commit(lambda: _delete_files([name]))


def expire(now: datetime | None = None) -> int:
    """Discards every upload past its expiry; returns how many. One that fails is logged and
    left for the next run; the others go all the same."""
    count = 0
    for upload in Upload.objects.filter(expires_at__lt=now or timezone.now()):
        try:
            with transaction.atomic():
                discard(upload)
        except Exception:
            log.exception("could not discard the expired upload %s", upload.pk)
            continue
        count += 1
    return count + purge_stale_parts(PREFIX, (now or timezone.now()) - timedelta(days=1))


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete upload part %s", name)
