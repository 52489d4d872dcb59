"""Writing to platform storage without holding whole files in memory.

Files are written under a temporary name and only then given their final name, so that an
interrupted write never leaves a partial file where readers look.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.files import File
from django.core.files.storage import Storage, default_storage

SPOOL_LIMIT = 8 * 1024 * 1024

log = logging.getLogger(__name__)


class TooLarge(ValueError):
    pass


@dataclass(frozen=True)
class Stored:
    name: str
    size: int
    sha1: str
    md5: str


def save_stream(
    name: str,
    chunks: Iterable[bytes],
    *,
    storage: Storage | None = None,
    max_size: int | None = None,
) -> Stored:
    """Store the bytes of ``chunks`` as ``name`` (or a free variant); checksums on the way.

    The bytes go through a spooled temporary file (memory up to 8 MB, then disk), so that
    the size and checksums are known and the limit checked before storage sees anything.
    """
    storage = storage or default_storage
    sha1 = hashlib.sha1(usedforsecurity=False)
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT) as spool:
        for chunk in chunks:
            size += len(chunk)
            if max_size is not None and size > max_size:
                raise TooLarge(f"more than {max_size} bytes")
            sha1.update(chunk)
            md5.update(chunk)
            spool.write(chunk)
        spool.seek(0)
        stored_name = storage.save(name, File(spool, name=name.rsplit("/", 1)[-1]))
    return Stored(name=stored_name, size=size, sha1=sha1.hexdigest(), md5=md5.hexdigest())


def unique_name(prefix: str, filename: str = "") -> str:
    """A storage name that no user input can steer: ``prefix/ab/cd/<uuid><ext>``."""
    token = uuid.uuid4().hex
    ext = ""
    if "." in filename:
        ext = "." + "".join(ch for ch in filename.rsplit(".", 1)[-1].lower() if ch.isalnum())[:10]
    return f"{prefix.strip('/')}/{token[:2]}/{token[2:4]}/{token}{ext}"


def purge_stale_parts(prefix: str, cutoff: datetime, storage: Storage | None = None) -> int:
    """Deletes the ``.part`` files under ``prefix`` last written before ``cutoff``: writes a
    crash cut short, on local disk (never visible to anyone). Returns how many went; one that
    cannot be deleted is logged and left for the next run."""
    try:
        top = (storage or default_storage).path(prefix)
    except NotImplementedError:
        return 0
    limit = cutoff.timestamp()
    count = 0
    for folder, _dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(folder, name)
            try:
                if name.endswith(".part") and os.stat(path).st_mtime < limit:
                    os.unlink(path)
                    count += 1
            except OSError:
                log.warning("could not delete %s", path)
    return count
