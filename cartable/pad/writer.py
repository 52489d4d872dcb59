"""The rooms' database writes: one thread of their own, which keeps its connection.

``database_sync_to_async`` closes the connection before and after every call — on SQLite a new
connection, its PRAGMAs, and a WAL checkpoint with its fsyncs each time the last connection
closes; on PostgreSQL a new connection and its authentication — and shares its one thread with
every consumer's queries. A keystroke waits for the write of its batch before it is broadcast,
so that cost is on every keystroke's path.

The thread keeps its connection while any room is open (``close`` when the last one closes,
so that nothing holds the database open for nothing, and tests can drop theirs). A connection
the database dropped (PostgreSQL restarted, an idle timeout, a network cut) is replaced and the
write tried again (a few times): a write that failed was not acknowledged, and one that did commit but
whose answer was lost is only stored twice, which Yjs updates allow (applying one twice changes
nothing). Only when the tries are spent does the room give up (its clients reconnect and send
again what was not acknowledged).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)

T = TypeVar("T")

_executor = ThreadPoolExecutor(1, thread_name_prefix="pad-writer")
# Before each new try after a connection or lock error (seconds): a lost connection is
# replaced at once; a lock that does not wait for a busy timeout (SQLite's shared cache, as
# in the tests' in-memory database) is given a moment to be released.
RETRY_PAUSES = (0.0, 0.05, 0.2, 0.5)


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


async def run(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in the writer thread, with its connection kept between calls."""
    return await asyncio.get_running_loop().run_in_executor(_executor, _call, function, *args)


async def close() -> None:
    """Close the writer thread's connection (the next write opens one)."""
    await asyncio.get_running_loop().run_in_executor(_executor, _close)


def _close() -> None:
    # `connection` is looked up here, in the writer thread: each thread has its own.
    connection.close()
