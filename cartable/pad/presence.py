"""Who has which pad open, across server processes: what padUsers and getStats answer.

Each process writes the authors connected to its open rooms into the cache under its own key,
with a time to live that it refreshes while it has rooms; a reader sums the keys of the live
processes. In the embedded mode the cache is the process's memory, which is right: there is
one process. With Redis, a process that dies stops counting after ``TTL`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.core.cache import cache

logger = logging.getLogger(__name__)

TTL = 60
REFRESH = 20
_INDEX = "pad-users:processes"

# This process, among the servers sharing the channel layer and the cache.
PROCESS_ID = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


class OpenRoom(Protocol):
    """What presence reads of a room (``cartable.pad.room.PadRoom``)."""

    connections: set[Any]  # each with its ``author_pk``


# The rooms open in this process, by pad: kept by cartable.pad.room's open and release.
rooms: dict[int, OpenRoom] = {}
_publishers: dict[Any, tuple[asyncio.Event, asyncio.Task[None]]] = {}
_locks: dict[Any, asyncio.Lock] = {}


def _process_key(process_id: str) -> str:
    return f"pad-users:{process_id}"


def snapshot() -> dict[int, list[int | None]]:
    """This process's open pads and the author of each connection (read in the event loop)."""
    return {
        pk: [c.author_pk for c in room.connections]
        for pk, room in list(rooms.items())
        if room.connections
    }


def _register(process_id: str) -> None:
    """Keep this process in the index of live processes (read-modify-write, rarely)."""
    now = time.time()
    index: dict[str, float] = cache.get(_INDEX) or {}
    if index.get(process_id, 0) > now + TTL / 2:
        return
    index = {p: until for p, until in index.items() if until > now}
    index[process_id] = now + TTL
    cache.set(_INDEX, index, None)


def _write(process_id: str, data: dict[int, list[int | None]]) -> None:
    cache.set(_process_key(process_id), data, TTL)
    _register(process_id)


def changed() -> None:
    """A connection joined or left: publish soon, without making the room wait for the cache."""
    loop = asyncio.get_running_loop()
    state = _publishers.get(loop)
    if state is None or state[1].done():
        wake = asyncio.Event()
        state = (wake, loop.create_task(_publisher(wake), name="pad-presence"))
        _publishers[loop] = state
    state[0].set()


async def _publish_latest() -> None:
    """Write this process's connections as they are now; writes never cross each other."""
    loop = asyncio.get_running_loop()
    lock = _locks.setdefault(loop, asyncio.Lock())
    async with lock:
        data = snapshot()
        try:
            await sync_to_async(_write, thread_sensitive=False)(PROCESS_ID, data)
        except Exception:
            logger.warning("could not publish pad presence", exc_info=True)


async def _publisher(wake: asyncio.Event) -> None:
    """One writer per process: publishes on changes, and refreshes the records' lifetime."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=REFRESH)
        wake.clear()
        await _publish_latest()
        if not rooms and not wake.is_set():
            return


async def flush() -> None:
    """Publish now and wait for it: when the process's last pad closes, nothing may be left
    counted for the records' lifetime if the process stops right after."""
    await _publish_latest()


def connections() -> dict[int, list[int | None]]:
    """Every open pad of every live process, with the author of each connection."""
    now = time.time()
    index: dict[str, float] = cache.get(_INDEX) or {}
    keys = [_process_key(p) for p, until in index.items() if until > now]
    merged: dict[int, list[int | None]] = {}
    for data in cache.get_many(keys).values():
        for pad_pk, authors in data.items():
            merged.setdefault(pad_pk, []).extend(authors)
    return merged


def pad_connections(pad_pk: int) -> list[int | None]:
    return connections().get(pad_pk, [])
