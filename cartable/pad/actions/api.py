"""Changes that Etherpad's HTTP API makes besides pad text: groups, authors, sessions, chat,
saved revisions. Pad-level changes (create, copy, move, restore) live in ``actions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from cartable.pad import actions
from cartable.pad.actions import authors, chat
from cartable.pad.models import ChatMessage, Pad, PadAuthor, PadGroup, PadSession, SavedRevision

# --- Groups -----------------------------------------------------------------------------


def create_group(*, mapper: str | None = None) -> PadGroup:
    return PadGroup.objects.create(mapper=mapper)


def group_for_mapper(mapper: str) -> PadGroup:
    """The group mapped to ``mapper`` in the calling application, created on first use."""
    group = PadGroup.objects.filter(mapper=mapper).first()
    if group is not None:
        return group
    try:
        with transaction.atomic():
            return create_group(mapper=mapper)
    except IntegrityError:
        return PadGroup.objects.get(mapper=mapper)


@transaction.atomic
def delete_group(group: PadGroup) -> None:
    """The group, its pads (open editors are closed) and its sessions."""
    for pad in Pad.objects.filter(pad_group=group):
        actions.delete_pad(pad)
    group.delete()


# --- Authors ----------------------------------------------------------------------------


def create_author(name: str | None = None, *, mapper: str | None = None) -> PadAuthor:
    author = PadAuthor(name=(name or "")[:100], mapper=mapper)
    author.colour = authors.colour_for(author.author_id)
    author.save()
    return author


def author_for_mapper(mapper: str, name: str | None = None) -> PadAuthor:
    """The author mapped to ``mapper`` in the calling application; ``name`` renames it."""
    author = PadAuthor.objects.filter(mapper=mapper).first()
    if author is None:
        try:
            with transaction.atomic():
                return create_author(name, mapper=mapper)
        except IntegrityError:
            author = PadAuthor.objects.get(mapper=mapper)
    if name and author.name != name[:100]:
        author.name = name[:100]
        author.save(update_fields=["name", "updated_at"])
    return author


# --- Sessions ---------------------------------------------------------------------------


def create_session(group: PadGroup, author: PadAuthor, valid_until: int) -> PadSession:
    return PadSession.objects.create(pad_group=group, author=author, valid_until=valid_until)


def delete_session(session: PadSession) -> None:
    session.delete()


# --- Chat and saved revisions -----------------------------------------------------------


@transaction.atomic
def append_chat_message(
    pad: Pad, text: str, *, author: PadAuthor | None = None, time_ms: int | None = None
) -> None:
    """A chat message from the integrating site; open editors receive it live."""
    delivered = chat.post_from_server(pad.pk, author.pk if author else None, text)
    if time_ms is not None:
        # The caller's time wins, as in Etherpad; the message leaves only after the commit.
        created_at = dt.datetime.fromtimestamp(time_ms / 1000, tz=dt.UTC)
        ChatMessage.objects.filter(pk=delivered["id"]).update(created_at=created_at)
        delivered["time"] = time_ms


def chat_json(message: ChatMessage) -> dict[str, Any]:
    """A chat message as Etherpad's API gives it."""
    author = message.author
    return {
        "text": message.text,
        "userId": author.author_id if author else None,
        "userName": (author.name or None) if author else None,
        "time": int(message.created_at.timestamp() * 1000),
    }


def save_revision(
    pad: Pad, rev: int, *, label: str = "", saved_by: PadAuthor | None = None
) -> SavedRevision:
    """Name a revision; saving one that is already saved does nothing, as in Etherpad."""
    existing = SavedRevision.objects.filter(pad=pad, rev=rev).first()
    if existing is not None:
        return existing
    return actions.save_revision(pad, label, rev=rev, author_pk=saved_by.pk if saved_by else None)


# --- Messages to open editors -----------------------------------------------------------


def send_clients_message(pad: Pad, msg: str) -> None:
    """Etherpad's sendClientsMessage: every open editor of the pad receives ``msg``."""
    payload = {
        "type": "COLLABROOM",
        "data": {"type": msg, "time": int(timezone.now().timestamp() * 1000)},
    }
    transaction.on_commit(lambda: _tell_rooms(pad.pk, "pad.custom", message=payload))


def _tell_rooms(pad_pk: int, kind: str, **fields: Any) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(
            f"pad.{pad_pk}", {"type": kind, "origin": "server", **fields}
        )
