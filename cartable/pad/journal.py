"""Pad's journal: a keystroke made durable by one ``write(2)`` before it is broadcast (SQLite).

In the embedded mode a keystroke used to be committed to SQLite before its broadcast: a
transaction, three to five pages into the WAL, ~200 µs on the event loop for every keystroke.
The journal makes it durable with one ``write(2)`` of a few dozen bytes to an append-only file
instead — durable in the same sense as SQLite's WAL with ``synchronous=NORMAL``: once
``write`` returns, the bytes are the kernel's, and a SIGKILL of the process loses none of them
(a power cut may lose the last ones, as it may lose the WAL's last commits). The room then
acknowledges and broadcasts the keystroke, and inserts it into the database right after, on
the loop or in its writer thread (``room.PadRoom._store_journaled``), in batches.

Each insert records the last journal sequence number it stored on the pad's row
(``Pad.journal_seq``), in the same transaction. After a crash, ``recover`` (run by ``cartable
serve`` before it listens, and by the first room a process opens) reads what journals their
processes left, inserts every record whose number is above its pad's ``journal_seq``, in order,
and deletes the files: each record is stored exactly once. A journal belongs to its process
while the process lives (an exclusive ``flock``): ``recover`` leaves a live process's journal
alone. A file whose last record was cut short (a power cut) is read up to that record; a
record is checked by its CRC-32.

A journal starts a new file when it has grown past ``ROTATE_BYTES`` and every record in it is
in the database. PostgreSQL (the scaled-out mode) does not use the journal: its rooms commit
each batch before broadcasting it, in the writer thread. Decision 0013.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cartable.pad import store
from cartable.pad.models import Pad

logger = logging.getLogger(__name__)

# A record: length of the body and its CRC-32, then the body: sequence number, pad, author
# (-1: none), time (Unix seconds), and the Yjs update.
PREFIX = struct.Struct("<II")
BODY = struct.Struct("<qqqd")
ROTATE_BYTES = 64 * 1024 * 1024
SUFFIX = ".journal"


def directory() -> Path:
    return Path(settings.DATA_DIR) / "pad-journal"


@dataclass(frozen=True)
class Record:
    seq: int
    pad_pk: int
    author_pk: int | None
    at: float
    update: bytes


def encode(seq: int, pad_pk: int, author_pk: int | None, at: float, update: bytes) -> bytes:
    body = BODY.pack(seq, pad_pk, -1 if author_pk is None else author_pk, at) + update
    return PREFIX.pack(len(body), zlib.crc32(body)) + body


def read(path: Path) -> list[Record]:
    """The records of a journal file, up to the first incomplete or damaged one."""
    data = path.read_bytes()
    records = []
    offset = 0
    while offset + PREFIX.size <= len(data):
        length, crc = PREFIX.unpack_from(data, offset)
        start = offset + PREFIX.size
        body = data[start : start + length]
        if length < BODY.size or len(body) < length or zlib.crc32(body) != crc:
            logger.warning("pad journal %s: damaged or cut short at byte %d", path, offset)
            break
        seq, pad_pk, author_pk, at = BODY.unpack_from(body)
        update = body[BODY.size :]
        records.append(Record(seq, pad_pk, None if author_pk < 0 else author_pk, at, update))
        offset = start + length
    return records


class Journal:
    """This process's journal file: ``append`` from any thread; ``stored`` when inserted."""

    def __init__(self, folder: Path, first_seq: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._seq = itertools.count(first_seq)
        self._lock = threading.Lock()
        self.unstored = 0
        self.fd = -1
        self.path = folder
        self.size = 0
        self._open()

    def _open(self) -> None:
        path = self.folder / f"{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd, self.path, self.size = fd, path, 0

    def append(self, pad_pk: int, author_pk: int | None, update: bytes, at: float) -> int:
        """Write one record; its sequence number once the kernel has it (``OSError``: not)."""
        if self.size > ROTATE_BYTES and self.unstored == 0:
            self._rotate()
        seq = next(self._seq)
        data = encode(seq, pad_pk, author_pk, at, update)
        written = os.write(self.fd, data)
        if written != len(data):  # a full disk: no record rather than a partial one
            os.ftruncate(self.fd, self.size)
            raise OSError(f"pad journal: wrote {written} of {len(data)} bytes")
        self.size += written
        self.unstored += 1
        return seq

    def stored(self, count: int) -> None:
        """``count`` records are in the database (called on the loop)."""
        self.unstored -= count

    def _rotate(self) -> None:
        with self._lock:
            old_fd, old_path = self.fd, self.path
            self._open()
            os.close(old_fd)
            old_path.unlink(missing_ok=True)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
            if self.unstored == 0:
                self.path.unlink(missing_ok=True)


_journal: Journal | None = None
_journal_lock = threading.Lock()
_failed_at = 0.0
_next_seq = 1
RETRY_OPEN_SECONDS = 5.0


def get(first_seq: Callable[[], int]) -> Journal | None:
    """The process's journal, opened the first time with ``first_seq()`` as its first number;
    ``None`` if it cannot be opened (tried again after a few seconds)."""
    global _journal, _failed_at
    if _journal is not None:
        return _journal
    if time.monotonic() - _failed_at < RETRY_OPEN_SECONDS:
        return None
    with _journal_lock:
        if _journal is None:
            try:
                # Above what the database holds, and above what this process handed out
                # before (a journal closed with records not stored, a room that broke).
                _journal = Journal(directory(), max(first_seq(), _next_seq))
            except Exception:
                logger.warning("pad journal: cannot open one", exc_info=True)
                _failed_at = time.monotonic()
                return None
    return _journal


def current() -> Journal | None:
    return _journal


def close() -> None:
    """Close the process's journal (when its last room closes; the next keystroke opens
    another). Its file is deleted if every record is stored, else left for ``recover``. A
    process that exits leaves its file: ``recover`` deletes it once it finds it all stored."""
    global _journal, _next_seq
    with _journal_lock:
        if _journal is not None:
            _next_seq = next(_journal._seq)
            _journal.close()
            _journal = None


# --- Recovery ---------------------------------------------------------------------------

_recovered = False


def recovered() -> bool:
    """Whether this process ran ``recover`` already."""
    return _recovered


def recover_once() -> int:
    """``recover``, the first time a process calls it."""
    global _recovered
    if _recovered:
        return 0
    count = recover()
    _recovered = True
    return count


def recover(folder: Path | None = None) -> int:
    """Store what dead processes' journals hold and the database does not; delete them.
    Returns the number of records inserted."""
    folder = folder or directory()
    if not folder.is_dir():
        return 0
    inserted = 0
    own = _journal.path if _journal is not None else None
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        if path == own:
            continue
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live process's
            inserted += _recover_file(path)
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return inserted


def _recover_file(path: Path) -> int:
    by_pad: dict[int, list[Record]] = {}
    for record in read(path):
        by_pad.setdefault(record.pad_pk, []).append(record)
    inserted = 0
    for pad_pk, records in by_pad.items():
        with transaction.atomic():
            stored = (
                Pad.objects.select_for_update()
                .filter(pk=pad_pk)
                .values_list("journal_seq", flat=True)
                .first()
            )
            if stored is None:
                continue  # the pad was deleted
            missing = sorted((r for r in records if r.seq > stored), key=lambda r: r.seq)
            if not missing:
                continue
            store.append_revisions(
                pad_pk,
                [(r.update, r.author_pk) for r in missing],
                journal_seq=missing[-1].seq,
                at=missing[-1].at,
            )
        logger.warning(
            "pad journal: %d revisions of pad %s recovered from %s", len(missing), pad_pk, path
        )
        inserted += len(missing)
        doc, _head = store.load_document(pad_pk)
        store.save_text(pad_pk, doc)
    return inserted
