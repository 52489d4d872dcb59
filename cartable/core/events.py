"""Real-time events, sent after the transaction commits, to a user's or a group's sockets."""

from __future__ import annotations

import contextlib
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


def _send(channel_group: str, event: dict[str, Any]) -> None:
    for capture in _captures:
        capture.append({"to": channel_group, **event})
    layer = get_channel_layer()
    if layer is None:
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
