"""The rooms' database writes: one thread of their own, which keeps its connection.

``database_sync_to_async`` closes the connection before and after every call — on SQLite a new
connection, its PRAGMAs, and a WAL checkpoint with its fsyncs each time the last connection
closes; on PostgreSQL a new connection and its authentication — and shares its one thread with
every consumer's queries. A keystroke waits for the write of its batch before it is broadcast,
so that cost is on every keystroke's path.

The thread keeps its connection while any room is open (``close`` when the last one closes,
so that nothing holds the database open for nothing, and tests can drop theirs) — except with
PostgreSQL's connection pool, where taking one from the pool costs no new connection and a
connection kept for hours would be one fewer for every request: there it goes back to the
pool after each write. A connection
the database dropped (PostgreSQL restarted, an idle timeout, a network cut) is replaced and the
write tried again (a few times): a write that failed was not acknowledged, and one that did commit but
whose answer was lost is only stored twice, which Yjs updates allow (applying one twice changes
nothing). Only when the tries are spent does the room give up (its clients reconnect and send
again what was not acknowledged).

On SQLite (the embedded mode), a room first tries ``append_now`` — for the updates its journal
already made durable and it broadcast (``journal``, decision 0013), or for those it could not
journal: the same two statements on the event loop itself, through a ``sqlite3`` connection of
the loop's own that never waits for the database's lock. A keystroke then costs no thread hop, and SQLite's calls, which release
the GIL, are not kept waiting for it by the loop. When another connection holds the write lock
(a Drive upload, the worker, an API call), or anything else goes wrong, it returns ``None``
without having written anything and the room writes in the thread as before: the loop is never
blocked by someone else's transaction. Its connection does not checkpoint the WAL itself (a
checkpoint copies pages and syncs the file): every ``CHECKPOINT_EVERY`` commits, the writer
thread runs a passive one. Decision 0012.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections

from cartable.pad import journal
from cartable.pad.journal import Journal
from cartable.pad.store import append_statements, last_journal_seq_statement, revision_rows

logger = logging.getLogger(__name__)

T = TypeVar("T")

_executor = ThreadPoolExecutor(1, thread_name_prefix="pad-writer")
# Before each new try after a connection or lock error (seconds): a lost connection is
# replaced at once; a lock that does not wait for a busy timeout (SQLite's shared cache, as
# in the tests' in-memory database) is given a moment to be released.
RETRY_PAUSES = (0.0, 0.05, 0.2, 0.5)
# The loop's connection leaves checkpoints to the writer thread: one every so many commits
# (each commit of a keystroke adds 3 to 5 pages to the WAL; SQLite's own default is 1 000 pages).
CHECKPOINT_EVERY = 250


def _call(function: Callable[..., T], *args: object) -> T:
    for pause in RETRY_PAUSES:
        try:
            return function(*args)
        except (InterfaceError, OperationalError):
            logger.warning("pad writer: database error, retrying", exc_info=True)
            connection.close()
            time.sleep(pause)
        except DatabaseError:
            # Whatever else went wrong, start the next write on a fresh connection.
            connection.close()
            raise
    try:
        return function(*args)
    except DatabaseError:
        connection.close()
        raise


def _call_and_release(function: Callable[..., T], *args: object) -> T:
    try:
        return _call(function, *args)
    finally:
        connection.close()  # back to the pool


async def run(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in the writer thread, with its connection kept between calls
    (unless connections come from a pool)."""
    call = _call_and_release if connection.settings_dict["OPTIONS"].get("pool") else _call
    return await asyncio.get_running_loop().run_in_executor(_executor, call, function, *args)


async def close() -> None:
    """Close the writer thread's connection and the loop's (the next write opens one)."""
    close_loop_database()
    await asyncio.get_running_loop().run_in_executor(_executor, _close)


def _close() -> None:
    # `connection` is looked up here, in the writer thread: each thread has its own.
    connection.close()


# --- On the event loop, for SQLite --------------------------------------------------------


class _LoopDatabase:
    """A ``sqlite3`` connection of one thread's (the event loop's), and its two statements."""

    def __init__(self, settings_dict: dict[str, Any]) -> None:
        name = str(settings_dict["NAME"])
        self.connection = sqlite3.connect(
            name,
            uri=name.startswith("file:"),
            timeout=0,
            isolation_level=None,
            check_same_thread=False,
        )
        self.connection.executescript(settings_dict.get("OPTIONS", {}).get("init_command", ""))
        self.connection.execute("PRAGMA wal_autocheckpoint=0")
        self.move_head, self.insert = append_statements("?")
        self.last_journal_seq = last_journal_seq_statement()
        self.commits = 0


_loop_databases = threading.local()


def _loop_database() -> _LoopDatabase | None:
    database: _LoopDatabase | None = getattr(_loop_databases, "database", None)
    if database is not None:
        return database
    wrapper = connections["default"]
    if wrapper.vendor != "sqlite":
        return None
    # The tests' in-memory database is shared by its URI (its table locks do not wait for a
    # timeout either: a busy table sends the write to the thread). A private one is not.
    name = str(wrapper.settings_dict["NAME"])
    if wrapper.is_in_memory_db() and not name.startswith("file:"):  # type: ignore[attr-defined]
        return None
    try:
        database = _LoopDatabase(wrapper.settings_dict)
    except sqlite3.Error:
        logger.warning("pad writer: no connection on the loop", exc_info=True)
        return None  # the writer thread writes; the next keystroke tries again
    _loop_databases.database = database
    return database


def _timestamp(at: float) -> str:
    # ``at`` (Unix time) as Django stores a DateTimeField on SQLite with USE_TZ
    # (``adapt_datetimefield_value``: naive, in UTC), without its per-call lookup of the
    # thread's connection.
    return str(datetime.datetime.fromtimestamp(at, datetime.UTC).replace(tzinfo=None))


def append_now(
    pad_pk: int,
    items: list[tuple[bytes, int | None]],
    *,
    journal_seq: int | None = None,
    at: float | None = None,
) -> int | None:
    """``store.append_revisions`` on the calling thread (the event loop) if the database is
    SQLite and its write lock is free at once; ``None``, with nothing written, otherwise."""
    database = _loop_database()
    if database is None:
        return None
    cursor = database.connection
    try:
        cursor.execute("BEGIN IMMEDIATE")
    except sqlite3.Error:
        return None  # another connection is writing: the writer thread waits for it
    try:
        now = _timestamp(time.time() if at is None else at)
        row = cursor.execute(database.move_head, (len(items), now, journal_seq, pad_pk)).fetchone()
        if row is None:
            raise LookupError(f"no pad {pad_pk}")
        head = int(row[0])
        cursor.executemany(database.insert, revision_rows(pad_pk, head, items, now))
        cursor.execute("COMMIT")
    except Exception:
        # Anything else (a table locked in a shared cache, a missing pad, a full disk): undo,
        # and let the writer thread try with its retries and its errors.
        logger.debug("pad writer: writing on the loop failed", exc_info=True)
        _forget_loop_database(database)
        return None
    database.commits += 1
    if database.commits % CHECKPOINT_EVERY == 0:
        asyncio.get_running_loop().run_in_executor(_executor, _checkpoint)
    return head


def journal_on_loop() -> Journal | None:
    """The process's journal, when the rooms store on the loop (SQLite, ``append_now``)."""
    found = journal.current()
    if found is not None:
        return found
    database = _loop_database()
    if database is None:
        return None

    def first_seq() -> int:
        row = database.connection.execute(database.last_journal_seq).fetchone()
        return int(row[0]) + 1

    return journal.get(first_seq)


def _forget_loop_database(database: _LoopDatabase) -> None:
    try:
        database.connection.rollback()
        database.connection.close()
    except sqlite3.Error:
        pass
    _loop_databases.database = None


def _checkpoint() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except DatabaseError:
        # The next one will do (and the next write opens a fresh connection).
        logger.warning("pad writer: WAL checkpoint failed", exc_info=True)
        connection.close()


def close_loop_database() -> None:
    """Close this thread's loop connection (the next ``append_now`` opens one)."""
    database = getattr(_loop_databases, "database", None)
    if database is not None:
        _forget_loop_database(database)
