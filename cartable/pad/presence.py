"""Who has which pad open, across server processes: what padUsers and getStats answer.

Each process writes the authors connected to its open rooms into the cache under its own key,
with a time to live that it refreshes while it has rooms; a reader sums the keys of the live
processes. In the embedded mode the cache is the process's memory, which is right: there is
one process. With Redis, a process that dies stops counting after ``TTL`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)

TTL = 60
REFRESH = 20
_INDEX = "pad-users:processes"

_refreshers: dict[Any, asyncio.Task[None]] = {}


def _process_key(process_id: str) -> str:
    return f"pad-users:{process_id}"


def snapshot() -> dict[int, list[int | None]]:
    """This process's open pads and the author of each connection."""
    from cartable.pad.room import _rooms

    return {
        pk: [c.author_pk for c in room.connections]
        for pk, room in list(_rooms.items())
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


def publish_now() -> None:
    from cartable.pad.room import PROCESS_ID

    cache.set(_process_key(PROCESS_ID), snapshot(), TTL)
    _register(PROCESS_ID)


async def publish() -> None:
    """Called by rooms when a connection joins or leaves; never fails the caller."""
    try:
        from asgiref.sync import sync_to_async

        await sync_to_async(publish_now, thread_sensitive=False)()
    except Exception:
        logger.warning("could not publish pad presence", exc_info=True)
    _ensure_refresher()


def _ensure_refresher() -> None:
    loop = asyncio.get_running_loop()
    task = _refreshers.get(loop)
    if task is None or task.done():
        _refreshers[loop] = loop.create_task(_refresh(), name="pad-presence")


def stop_refresher() -> None:
    """The process has no open room left: nothing to refresh."""
    task = _refreshers.pop(asyncio.get_running_loop(), None)
    if task is not None:
        task.cancel()


async def _refresh() -> None:
    from cartable.pad.room import _rooms

    while _rooms:
        await asyncio.sleep(REFRESH)
        try:
            from asgiref.sync import sync_to_async

            await sync_to_async(publish_now, thread_sensitive=False)()
        except Exception:
            logger.warning("could not refresh pad presence", exc_info=True)


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
