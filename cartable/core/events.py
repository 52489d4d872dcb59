"""Real-time events, sent after the transaction commits, to a user's or a group's sockets."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

_captures: list[list[dict[str, Any]]] = []


def user_channel_group(user_id: int) -> str:
    return f"user.{user_id}"


def group_channel_group(group_id: int) -> str:
    return f"group.{group_id}"


# The ASGI server's event loop, when the code sending runs in a thread that server's own
# handlers started (``cartable.drive.webdav.http.run_sync`` sets it). ``async_to_sync`` from
# a plain thread starts a new thread and a new event loop for every event, which cost a
# small WebDAV upload more than its database work; on the server's loop it costs nothing.
server_loop: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "server_loop", default=None
)


def _log_failure(future: concurrent.futures.Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        logger.error("could not send an event", exc_info=exc)


def _send(channel_group: str, event: dict[str, Any]) -> None:
    for capture in _captures:
        capture.append({"to": channel_group, **event})
    layer = get_channel_layer()
    if layer is None:
        return
    loop = server_loop.get()
    if loop is not None and not loop.is_closed():
        message = {"type": "platform.event", "event": event}
        sent = asyncio.run_coroutine_threadsafe(layer.group_send(channel_group, message), loop)
        sent.add_done_callback(_log_failure)
        return
    try:
        async_to_sync(layer.group_send)(channel_group, {"type": "platform.event", "event": event})
    except Exception:
        # A lost real-time event must never undo the committed change that caused it.
        logger.exception("could not send event %s to %s", event.get("type"), channel_group)


def send_event(
    *, user_ids: Iterable[int] = (), group_ids: Iterable[int] = (), type: str, **data: Any
) -> None:
    event = {"type": type, **data}
    targets = [user_channel_group(u) for u in user_ids] + [
        group_channel_group(g) for g in group_ids
    ]

    def deliver() -> None:
        for target in targets:
            _send(target, event)

    transaction.on_commit(deliver)


@contextlib.contextmanager
def capture_events() -> Iterator[list[dict[str, Any]]]:
    """Collect the events sent inside the block (after their transaction committed)."""
    captured: list[dict[str, Any]] = []
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)
