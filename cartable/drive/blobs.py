"""Writing file contents to platform storage as they arrive, never holding them whole.

On local disk the bytes go straight into a hidden ``.part`` file beside their final place
and are renamed once complete, so a file is written once and an interrupted upload leaves
nothing where readers look. On other storages (S3) they go through a spooled temporary file
and ``Storage.save``, which uploads in parts.

A blob row is created only when the bytes are complete; a blob no node refers to (a crash
between the two, or a refused upload) is deleted by the retention job.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import uuid
import zlib
from typing import IO, TYPE_CHECKING

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from cartable.drive.errors import QuotaExceeded
from cartable.drive.models import Blob
from cartable.drive.previews import delete_previews

if TYPE_CHECKING:
    from cartable.drive.scan import Scanner

SPOOL_LIMIT = 8 * 1024 * 1024
PREFIX = "drive/blobs"


def _local_path(storage: Storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def new_blob_name() -> str:
    token = uuid.uuid4().hex
    return f"{PREFIX}/{token[:2]}/{token[2:4]}/{token}"


class BlobWriter:
    """Receives a file's bytes with ``write``; ``finish`` stores them and returns the Blob.

    ``limit`` is the most bytes the space can take (None: no limit); going over raises
    QuotaExceeded as soon as it happens, before storage sees the rest. A scanner (see
    ``cartable.drive.scan``) may be given to see every chunk. SHA-1 and MD5 are always
    computed; Adler-32 unless ``adler32`` is false.
    """

    def __init__(
        self,
        *,
        limit: int | None = None,
        expected_size: int | None = None,
        storage: Storage | None = None,
        scanner: Scanner | None = None,
        adler32: bool = True,
    ) -> None:
        if limit is not None and expected_size is not None and expected_size > limit:
            raise QuotaExceeded
        self.storage = storage or default_storage
        self.limit = limit
        self.scanner = scanner
        self.name = new_blob_name()
        self.size = 0
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._md5 = hashlib.md5(usedforsecurity=False)
        # Adler-32 is cheap but not free; left out (empty) when no client will ask for it.
        self._adler: int | None = 1 if adler32 else None
        self._done = False
        self._path = _local_path(self.storage, self.name)
        self._file: IO[bytes]
        if self._path is not None:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            self._part = self._path + ".part"
            self._file = open(self._part, "wb")  # noqa: SIM115 - closed by finish/abort
        else:
            self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT)  # noqa: SIM115

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            self.abort()
            raise QuotaExceeded
        self._sha1.update(chunk)
        self._md5.update(chunk)
        if self._adler is not None:
            self._adler = zlib.adler32(chunk, self._adler)
        if self.scanner is not None:
            self.scanner.feed(chunk)
        self._file.write(chunk)

    def finish(self, *, save: bool = True) -> Blob:
        """The bytes stored, and their Blob; with ``save`` false the Blob is not saved yet
        (the caller saves it in its own transaction, or deletes the bytes)."""
        try:
            if self.scanner is not None:
                self.scanner.result()  # raises Infected
            if self._path is not None:
                self._file.close()
                os.replace(self._part, self._path)
                stored = self.name
            else:
                self._file.seek(0)
                stored = self.storage.save(self.name, File(self._file, name=self.name))
                self._file.close()
        except BaseException:
            self.abort()
            raise
        self._done = True
        blob = Blob(
            storage_name=stored,
            size=self.size,
            sha1=self._sha1.hexdigest(),
            md5=self._md5.hexdigest(),
            adler32=f"{self._adler:08x}" if self._adler is not None else "",
        )
        if save:
            blob.save()
        return blob

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self._file.close()
        finally:
            if self._path is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._part)

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.abort()


def open_blob(blob: Blob, storage: Storage | None = None) -> IO[bytes]:
    return (storage or default_storage).open(blob.storage_name, "rb")


def delete_blob_bytes(blob: Blob, storage: Storage | None = None) -> None:
    (storage or default_storage).delete(blob.storage_name)
    delete_previews(blob.pk)
