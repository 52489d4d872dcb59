"""A private working folder for ffprobe and ffmpeg, holding a copy of a video's original (the
sandbox shows a converter its working folder and nothing else of the data)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

COPY_CHUNK = 1024 * 1024


@contextlib.contextmanager
def with_original(storage_name: str, suffix: str = "") -> Iterator[Path]:
    """The original, copied into a new folder of the data directory's ``tmp`` (on the same
    disk as the files, so that big videos do not fill a small ``/tmp``); the folder and all
    that was made in it are gone afterwards."""
    top = Path(settings.DATA_DIR) / "tmp"
    top.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="tube-", dir=top))
    try:
        source = folder / f"source{suffix}"
        with default_storage.open(storage_name, "rb") as fh, open(source, "wb") as out:
            shutil.copyfileobj(fh, out, COPY_CHUNK)
        yield source
    finally:
        shutil.rmtree(folder, ignore_errors=True)
