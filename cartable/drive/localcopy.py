"""A blob's bytes as a local file, for the converters that read files (previews, extraction).

Storage may be S3: a converter never sees a storage path, only a copy in a temporary folder
of its own, which also keeps it from wandering into other users' files.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files.storage import default_storage

from cartable.drive.models import Blob

COPY_CHUNK = 1024 * 1024


def open_bytes(blob: Blob) -> IO[bytes]:
    return default_storage.open(blob.storage_name, "rb")


@contextlib.contextmanager
def workdir(prefix: str = "cartable-drive-") -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def copy_to(blob: Blob, target: Path, *, limit: int | None = None) -> Path:
    """Copy the blob's bytes (its first ``limit`` bytes, if given) to ``target``."""
    with open_bytes(blob) as source, target.open("wb") as out:
        if limit is None:
            shutil.copyfileobj(source, out, COPY_CHUNK)
        else:
            left = limit
            while left > 0:
                data = source.read(min(COPY_CHUNK, left))
                if not data:
                    break
                out.write(data)
                left -= len(data)
    return target


def read_head(blob: Blob, size: int) -> bytes:
    """The first ``size`` bytes of the blob (fewer if it is shorter)."""
    parts: list[bytes] = []
    left = size
    with open_bytes(blob) as source:
        while left > 0:
            data = source.read(min(COPY_CHUNK, left))
            if not data:
                break
            parts.append(data)
            left -= len(data)
    return b"".join(parts)
