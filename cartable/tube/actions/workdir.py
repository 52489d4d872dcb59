"""A private working folder for ffprobe and ffmpeg, holding a copy of a video's original (the
sandbox shows a converter its working folder and nothing else of the data)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

COPY_CHUNK = 1024 * 1024


@contextlib.contextmanager
def with_original(storage_name: str, suffix: str = "") -> Iterator[Path]:
    """The original, in a new folder of the data directory's ``tmp``: a hard link to the
    stored file on local disk (no copy of a big video), a copy otherwise (S3); the folder and
    all that was made in it are gone afterwards. ffmpeg writes new files, never its input; a
    converter subverted by a crafted file could at worst rewrite that same original, which
    its uploader may replace anyway, and nothing else of the data."""
    top = Path(settings.DATA_DIR) / "tmp"
    top.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="tube-", dir=top))
    try:
        source = folder / f"source{suffix}"
        if not _link(storage_name, source):
            with default_storage.open(storage_name, "rb") as fh, open(source, "wb") as out:
                shutil.copyfileobj(fh, out, COPY_CHUNK)
        yield source
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _link(storage_name: str, source: Path) -> bool:
    try:
        os.link(default_storage.path(storage_name), source)
    except (NotImplementedError, OSError):
        return False
    return True
