"""``/ws/pad/<padID>``: the Yjs sync protocol (y-websocket framing) for one pad."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from cartable.pad import authors, frames
from cartable.pad.access import resolve
from cartable.pad.ratelimit import RATE_BURST, RATE_PER_SECOND, TokenBucket
from cartable.pad.room import Connection, PadRoom, open_room, release_room

logger = logging.getLogger(__name__)


def _connection_rights(
    scope: dict[str, Any], pad_id: str
) -> tuple[int, bool, bool, int | None] | None:
    user = scope.get("user")
    cookies = scope.get("cookies") or {}
    session_ids = cookies.get("sessionID", "").split(",")
    access = resolve(user, pad_id, session_ids=session_ids)
    if access is None:
        return None
    if access.session_author_pk is not None:
        author_pk: int | None = access.session_author_pk
    elif user is not None and user.is_authenticated:
        author_pk = authors.author_for_user(user).pk
    else:
        guest = authors.guest_author(scope.get("session"))
        author_pk = guest.pk if guest else None
    return (
        access.pad.pk,
        access.can_edit,
        "chat" in access.abilities and author_pk is not None,
        author_pk,
    )


class PadConsumer(AsyncWebsocketConsumer):
    room: PadRoom | None = None
    connection: Connection | None = None

    async def connect(self) -> None:
        pad_id = self.scope["url_route"]["kwargs"]["pad_id"]
        rights = await database_sync_to_async(_connection_rights)(self.scope, pad_id)
        if rights is None:
            await self.close(code=4404)
            return
        pad_pk, can_edit, can_chat, author_pk = rights
        self.bucket = TokenBucket(RATE_PER_SECOND, RATE_BURST)
        # Past Channels' session wrapper (see ServerSendMiddleware): a broadcast is a message
        # to every editor.
        self._server_send = self.scope.get("server_send", self.base_send)
        self.room = await open_room(pad_pk)
        self.connection = Connection(
            send=self._send_bytes,
            close=self._close,
            author_pk=author_pk,
            can_edit=can_edit,
            can_chat=can_chat,
            write_direct=frames.direct_writer(self._server_send),
        )
        await self.accept()
        await self.room.join(self.connection)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch runs `close_old_connections` in the sync thread before every
        # message: a thread hop per keystroke, queued behind the database work. Receiving
        # does no database work here (the room's writer has its own thread).
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def _send_bytes(self, data: bytes) -> None:
        await self._server_send({"type": "websocket.send", "bytes": data})

    async def _close(self) -> None:
        await self.close(code=4500)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if bytes_data is None or self.room is None or self.connection is None:
            return
        # The stricter of the writer's limit and the pad's: both slow down, neither drops.
        wait = max(self.bucket.delay(), self.room.bucket.delay())
        if wait:
            await asyncio.sleep(min(wait, 5.0))
        try:
            await self.room.receive(self.connection, bytes_data)
        except PermissionError:
            await self.close(code=4403)
        except Exception:
            logger.warning("pad %s: bad message, closing", self.room.pad_pk, exc_info=True)
            await self.close(code=4400)

    async def disconnect(self, code: int) -> None:
        if self.room is not None and self.connection is not None:
            await self.room.leave(self.connection)
            await release_room(self.room)
            self.room = None
