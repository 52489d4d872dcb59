"""Chat, open editors and the instance."""

from __future__ import annotations

from typing import Any

from cartable.pad import presence
from cartable.pad.actions import api as api_actions
from cartable.pad.etherpad.common import (
    ApiError,
    Params,
    api_pads,
    get_author,
    get_pad,
    ms,
    sanitize_pad_id,
)
from cartable.pad.models import ChatMessage, PadAuthor

# --- Chat -------------------------------------------------------------------------------


def _chat_bound(p: Params, name: str) -> int:
    try:
        return int(str(p.get(name)).strip())
    except ValueError:
        raise ApiError(f"{name} is not a number") from None


def get_chat_history(p: Params) -> dict[str, Any]:
    both = p.given("start") and p.given("end")
    start = _chat_bound(p, "start") if both else 0
    end = _chat_bound(p, "end") if both else None
    if both:
        if start < 0:
            raise ApiError("start is below zero")
        if end is not None and end < 0:
            raise ApiError("end is below zero")
        if end is not None and start > end:
            raise ApiError("start is higher than end")
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    messages = ChatMessage.objects.filter(pad=pad).select_related("author")
    head = messages.count() - 1
    if end is None:
        end = head
    elif start > head:
        raise ApiError("start is higher than the current chatHead")
    elif end > head:
        raise ApiError("end is higher than the current chatHead")
    chosen = messages.order_by("created_at", "id")[start : end + 1] if end >= start else []
    return {"messages": [api_actions.chat_json(m) for m in chosen]}


def get_chat_head(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    return {"chatHead": ChatMessage.objects.filter(pad=pad).count() - 1}


def append_chat_message(p: Params) -> None:
    text = p.text("text")
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    author = get_author(p.get("authorID")) if p.given("authorID") else None
    raw_time = p.get("time")
    try:
        time_ms = int(str(raw_time)) if raw_time not in (None, "") else None
    except ValueError:
        time_ms = None  # Etherpad takes the current time for anything but an integer
    api_actions.append_chat_message(pad, text, author=author, time_ms=time_ms)


# --- Open editors -----------------------------------------------------------------------


def pad_users_count(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    return {"padUsersCount": len(presence.pad_connections(pad.pk))}


def pad_users(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    author_pks = [pk for pk in presence.pad_connections(pad.pk) if pk is not None]
    found = PadAuthor.objects.in_bulk(set(author_pks))
    users = []
    for pk in author_pks:
        author = found.get(pk)
        if author is not None:
            users.append(
                {
                    "colorId": author.colour,
                    "name": author.name or None,
                    "timestamp": ms(author.updated_at),
                    "id": author.author_id,
                }
            )
    return {"padUsers": users}


def send_clients_message(p: Params) -> None:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    msg = p.get("msg")
    api_actions.send_clients_message(pad, msg if isinstance(msg, str) else str(msg))


# --- Instance ---------------------------------------------------------------------------


def check_token(p: Params) -> None:
    return None


def list_all_pads(p: Params) -> dict[str, Any]:
    return {"padIDs": list(api_pads().order_by("pad_id").values_list("pad_id", flat=True))}


def get_stats(p: Params) -> dict[str, Any]:
    open_pads = presence.connections()
    return {
        "totalPads": api_pads().count(),
        "totalSessions": sum(len(c) for c in open_pads.values()),
        "totalActivePads": sum(1 for c in open_pads.values() if c),
    }
