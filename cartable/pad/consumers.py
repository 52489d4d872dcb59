"""``/ws/pad/<padID>``: the Yjs sync protocol (y-websocket framing) for one pad."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth.models import AnonymousUser

from cartable.accounts.models import User
from cartable.pad import frames, protocol, ratelimit
from cartable.pad.access import resolve
from cartable.pad.actions import authors
from cartable.pad.room import Connection, PadRoom, open_room, release_room

logger = logging.getLogger(__name__)


def _connection_rights(
    scope: dict[str, Any], pad_id: str
) -> tuple[int, bool, bool, int | None] | None:
    user = scope.get("user") or AnonymousUser()
    cookies = scope.get("cookies") or {}
    session_ids = cookies.get("sessionID", "").split(",")
    access = resolve(user, pad_id, session_ids=session_ids)
    if access is None:
        return None
    if access.session_author_pk is not None:
        author_pk: int | None = access.session_author_pk
    elif isinstance(user, User):
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
    # Messages read directly (frames.read_directly) but handed to ASGI's queue, not yet
    # handled: while there are any, the next ones go the same way, so that none overtakes.
    queued = 0
    joined = False
    closing = False
    writer_key: tuple[str, int] | None = None

    async def connect(self) -> None:
        pad_id = self.scope["url_route"]["kwargs"]["pad_id"]
        rights = await database_sync_to_async(_connection_rights)(self.scope, pad_id)
        if rights is None:
            await self.close(code=4404)
            return
        pad_pk, can_edit, can_chat, author_pk = rights
        # One limit per writer, whichever tabs or devices they write from (a connection with
        # no author — a reader — has its own).
        self.writer_key = ("author", author_pk) if author_pk is not None else ("socket", id(self))
        self.bucket = ratelimit.writers.acquire(self.writer_key)
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
        # Accepted with the server's own send, which does not yield: the frame reader goes in
        # before anything the client sends could have been read.
        await self._server_send({"type": "websocket.accept"})
        reader = frames.read_directly(
            self._server_send, self._receive_now, protocol.MAX_MESSAGE_SIZE
        )
        self.connection.reads_directly = reader is not None
        frames.report(
            self._server_send,
            writing=self.connection.write_direct is not None,
            reading=self.connection.reads_directly,
        )
        await self.room.join(self.connection)
        self.joined = True

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch runs `close_old_connections` in the sync thread before every
        # message: a thread hop per keystroke, queued behind the database work. Receiving
        # does no database work here (the room's writer has its own thread).
        if message["type"] == "websocket.receive":
            try:
                if _size(message) > protocol.MAX_MESSAGE_SIZE:
                    await self._refuse_too_large(_size(message))
                else:
                    await self._receive(message.get("bytes"), message.get("pad.wait", 0.0))
            finally:
                if "pad.wait" in message:
                    self.queued -= 1
        else:
            await super().dispatch(message)

    def _receive_now(self, data: bytes) -> None:
        """A binary message, straight from the frame reader: handled now if nothing is waiting
        before it and it needs nothing awaited, else queued for ``dispatch``. Never raises:
        the reader is in the middle of the connection's bytes."""
        if self.closing:
            return
        if len(data) > protocol.MAX_MESSAGE_SIZE:
            self._warn_too_large(len(data))
            self._close_soon(protocol.CLOSE_TOO_LARGE)
            return
        room, connection = self.room, self.connection
        if self.queued or not self.joined or room is None or connection is None:
            self._queue(data, 0.0)
            return
        try:
            # The stricter of the writer's limit and the pad's: both slow down, neither drops.
            wait = max(self.bucket.delay(), room.bucket.delay())
            if wait:
                self._queue(data, wait)
            elif not room.receive_now(connection, data):
                self._queue(data, -1.0)  # a chat message: its rate was counted
        except PermissionError:
            self._close_soon(4403)
        except protocol.TooLarge as exc:
            logger.warning("pad %s: %s, closing", room.pad_pk, exc)
            self._close_soon(protocol.CLOSE_TOO_LARGE)
        except Exception:
            logger.warning("pad %s: bad message, closing", room.pad_pk, exc_info=True)
            self._close_soon(4400)

    def _queue(self, data: bytes, wait: float) -> None:
        self.queued += 1
        frames.queue_message(
            self._server_send, {"type": "websocket.receive", "bytes": data, "pad.wait": wait}
        )

    def _close_soon(self, code: int) -> None:
        self.closing = True
        task = asyncio.ensure_future(self.close(code=code))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    async def _send_bytes(self, data: bytes) -> None:
        await self._server_send({"type": "websocket.send", "bytes": data})

    async def _close(self) -> None:
        await self.close(code=4500)

    def _warn_too_large(self, size: int) -> None:
        # Logged: a real writer reaching the limit is a limit to raise (docs/pad.md).
        pad_pk = self.room.pad_pk if self.room is not None else None
        logger.warning("pad %s: a message of %d bytes, over the limit, closing", pad_pk, size)

    async def _refuse_too_large(self, size: int) -> None:
        if self.closing:
            return
        self._warn_too_large(size)
        self.closing = True
        await self.close(code=protocol.CLOSE_TOO_LARGE)

    async def _receive(self, bytes_data: bytes | None, wait: float) -> None:
        """``wait``: 0 to apply the rate limits here, else how long they said to wait (a
        negative value: not at all)."""
        if bytes_data is None or self.room is None or self.connection is None or self.closing:
            return
        if not wait:
            # The stricter of the writer's limit and the pad's: both slow down, neither drops.
            wait = max(self.bucket.delay(), self.room.bucket.delay())
        if wait > 0:
            await asyncio.sleep(min(wait, 5.0))
        try:
            await self.room.receive(self.connection, bytes_data)
        except PermissionError:
            self.closing = True
            await self.close(code=4403)
        except protocol.TooLarge as exc:
            logger.warning("pad %s: %s, closing", self.room.pad_pk, exc)
            self.closing = True
            await self.close(code=protocol.CLOSE_TOO_LARGE)
        except Exception:
            logger.warning("pad %s: bad message, closing", self.room.pad_pk, exc_info=True)
            self.closing = True
            await self.close(code=4400)

    async def disconnect(self, code: int) -> None:
        if self.writer_key is not None:
            ratelimit.writers.release(self.writer_key)
            self.writer_key = None
        if self.room is not None and self.connection is not None:
            await self.room.leave(self.connection)
            await release_room(self.room)
            self.room = None


def _size(message: dict[str, Any]) -> int:
    """A received message's length, bytes or text (which the pad ignores, but not unbounded:
    under a server other than ``cartable serve``, nothing else limits it)."""
    return len(message.get("bytes") or b"") + len(message.get("text") or "")


_closing: set[asyncio.Task[None]] = set()
