"""The chat beside each pad: kept with the pad, delivered live to its open editors."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from cartable.pad.models import ChatMessage, PadAuthor

MAX_LENGTH = 2000
HISTORY = 100


def as_dict(message: ChatMessage, author: PadAuthor | None = None) -> dict[str, Any]:
    author = author if author is not None else message.author
    return {
        "id": message.pk,
        "author_id": author.author_id if author else None,
        "name": author.name if author else "",
        "colour": author.colour if author else "#e2e8f0",
        "text": message.text,
        "time": int(message.created_at.timestamp() * 1000),
    }


def parse(raw: str) -> str:
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested past the decoder's depth
        return ""
    text = payload.get("text") if isinstance(payload, dict) else None
    return text.strip()[:MAX_LENGTH] if isinstance(text, str) else ""


def recent(pad_pk: int, limit: int = HISTORY) -> list[dict[str, Any]]:
    messages = list(
        ChatMessage.objects.filter(pad_id=pad_pk)
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )
    return [as_dict(m) for m in reversed(messages)]


def post(pad_pk: int, author_pk: int | None, text: str) -> dict[str, Any]:
    message = ChatMessage.objects.create(pad_id=pad_pk, author_id=author_pk, text=text[:MAX_LENGTH])
    return as_dict(message, PadAuthor.objects.filter(pk=author_pk).first() if author_pk else None)


def post_from_server(pad_pk: int, author_pk: int | None, text: str) -> dict[str, Any]:
    """A chat message from outside a room (the API): stored, then delivered to open rooms."""
    message = post(pad_pk, author_pk, text)
    layer = get_channel_layer()
    if layer is not None:
        transaction.on_commit(
            lambda: async_to_sync(layer.group_send)(
                f"pad.{pad_pk}", {"type": "pad.chat", "messages": [message], "origin": "server"}
            )
        )
    return message
