"""A pad being edited, in one server process: the Yjs document, its connections, its writer.

Every update a client sends is applied to the document, made durable, and only then
acknowledged to its author and broadcast: on SQLite (the embedded mode) by one write to the
process's journal (``journal``), the database insert following right after the broadcast; on
PostgreSQL by a commit in the rooms' writer thread (``writer``), a batch per transaction. The
broadcast is batched too: what was written since the last one is merged into one update and
sent once to each connection — fan-out is the cost of real time, and merged Yjs updates keep
it from growing with the square of the number of typists. Up to ``BROADCAST_SPACED_FROM``
connections a room broadcasts at the end of the event loop's turn; a crowd gets fewer, larger
updates, spaced (``_broadcast_soon``), instead of a server busy sending and late.

With several server processes (``CARTABLE_REDIS_URL``), each process that has the pad open
keeps a room; durable updates travel between them over the channel layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from pycrdt import Doc, TransactionEvent, merge_updates

from cartable.core import jobs
from cartable.pad import frames, journal, presence, protocol, store, writer
from cartable.pad.actions import chat
from cartable.pad.cursors import Cursors
from cartable.pad.frames import DirectWrite
from cartable.pad.protocol import AwarenessEntry
from cartable.pad.ratelimit import PAD_RATE_BURST, PAD_RATE_PER_SECOND, TokenBucket

logger = logging.getLogger(__name__)

BATCH_SECONDS = 0.01  # awareness (cursors) and chat: merged over this window
# Each broadcast costs ~N sends and N typists make ~N updates a second, so the send work of
# broadcasting every update grows as N². Up to BROADCAST_SPACED_FROM connections a room
# broadcasts at the end of the event loop's turn in which updates arrived (what arrived in the
# same turn goes out merged); above, its broadcasts are spaced by a time growing as the square
# of the excess, BROADCAST_SPACING_AT_FULL at BROADCAST_FULL_SPACING_AT connections (during
# which updates merge), BROADCAST_MAX_SECONDS at most.
BROADCAST_SPACED_FROM = 200
BROADCAST_FULL_SPACING_AT = 500
BROADCAST_SPACING_AT_FULL = 0.025
BROADCAST_MAX_SECONDS = 0.04
WRITE_BATCH = 500

Send = Callable[[bytes], Awaitable[None]]


class PendingWrite(NamedTuple):
    """An update (or an empty one) waiting for the rooms' writer task."""

    connection: Connection | None  # waiting for its acknowledgement; None: already sent
    update: bytes | None  # None: nothing to store, an acknowledgement to send
    author_pk: int | None
    journal_seq: int | None = None  # in the journal already, acknowledged and broadcast
    at: float | None = None  # when it was journaled


@dataclass(eq=False)
class Connection:
    """One websocket on a pad, as the room sees it."""

    send: Send
    close: Callable[[], Awaitable[None]]
    author_pk: int | None
    can_edit: bool
    can_chat: bool = False
    saved: int = 0  # updates of this connection made durable
    # The awareness client id this connection announced first, the only one it may update.
    awareness_id: int | None = None
    closed: bool = False
    # Broadcasts wait here for this connection's own sending task: a slow client delays only
    # itself, and a broadcast costs no new task per connection.
    outbox: list[bytes] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pump: asyncio.Task[None] | None = None
    sending: bool = False
    # Writes pre-encoded frames straight to the socket when the server allows it (frames.py).
    write_direct: DirectWrite | None = None
    # Its messages are read by a frames.FrameReader, not through ASGI.
    reads_directly: bool = False

    def push(self, messages: list[bytes]) -> None:
        if not self.closed:
            self.outbox.extend(messages)
            self.wake.set()

    def deliver(self, messages: list[bytes], encoded: bytes) -> None:
        """Send ``messages`` (``encoded``: their frames) now if the socket takes them, in
        order behind anything still queued, else through this connection's sender."""
        if self.closed:
            return
        if (
            self.write_direct is not None
            and not self.outbox
            and not self.sending
            and self.write_direct(encoded)
        ):
            return
        self.push(messages)

    async def run_pump(self) -> None:
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            messages, self.outbox = self.outbox, []
            self.sending = True
            try:
                for message in messages:
                    await self.send(message)
            except Exception:
                return
            finally:
                self.sending = False


class PadRoom:
    def __init__(self, pad_pk: int, doc: Doc, head: int) -> None:
        self.pad_pk = pad_pk
        self.doc = doc
        self.head = head
        self.connections: set[Connection] = set()
        self.awareness: dict[int, AwarenessEntry] = {}
        self.cursors = Cursors()  # which connection holds which client id of ``awareness``
        self._writes: asyncio.Queue[PendingWrite] = asyncio.Queue()
        self._waiting_acks = 0  # items of _writes with a connection
        # Journaled, acknowledged and broadcast, to be inserted: (seq, update, author, time)
        self._journaled: list[tuple[int, bytes, int | None, float]] = []
        self._store_scheduled = False
        self._outbox: list[bytes] = []
        self._awareness_out: dict[int, AwarenessEntry] = {}
        self._flush_handle: asyncio.Handle | None = None
        self._flush_at = 0.0
        self._last_flush = 0.0
        self._acks: dict[Connection, int] = {}
        self._tasks: list[asyncio.Task[Any]] = []
        # Rooms listen on the channel layer for changes made elsewhere (API, imports, other
        # processes); they relay clients' changes to it only when other processes exist.
        self._layer = get_channel_layer()
        self._relay = _is_shared(self._layer)
        self._channel: str | None = None
        self.broken = False
        self.bucket = TokenBucket(PAD_RATE_PER_SECOND, PAD_RATE_BURST)
        self.dirty_text = False
        self._integrated: bytes | None = None
        self._writing = False  # the writer task is writing a batch
        self._subscription = doc.observe(self._on_change)

    @property
    def group_name(self) -> str:
        return f"pad.{self.pad_pk}"

    async def start(self, channel: str | None = None) -> None:
        """``channel``: already subscribed to the pad's group (see ``subscribe``), before the
        document was loaded, so that no change made elsewhere in between is missed."""
        self._tasks.append(asyncio.create_task(self._writer(), name=f"pad-writer-{self.pad_pk}"))
        if self._layer is not None:
            self._channel = channel or await subscribe(self._layer, self.pad_pk)
            self._tasks.append(
                asyncio.create_task(self._listen(), name=f"pad-listen-{self.pad_pk}")
            )

    async def stop(self) -> None:
        if self._layer is not None and self._channel:
            await self._layer.group_discard(self.group_name, self._channel)
        await self.settle()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.dirty_text and not self.broken:
            await database_sync_to_async(store.save_text)(self.pad_pk, self.doc)

    def _compact_if_due(self, before: int) -> None:
        """Past each ``store.COMPACT_EVERY`` revisions (a batch moves the head from ``before``
        past a multiple, seldom onto it), a job moves the pad's snapshot forward."""
        if self.head // store.COMPACT_EVERY == before // store.COMPACT_EVERY:
            return
        task = asyncio.create_task(database_sync_to_async(jobs.later)("pad.compact", self.pad_pk))
        self._tasks.append(task)
        task.add_done_callback(self._forget_task)

    def _forget_task(self, task: asyncio.Task[Any]) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning(
                "pad %s: could not ask for compaction", self.pad_pk, exc_info=task.exception()
            )

    # --- Connections ---------------------------------------------------------------------

    async def join(self, connection: Connection) -> None:
        self.connections.add(connection)
        connection.pump = asyncio.create_task(connection.run_pump())
        await connection.send(protocol.sync_message(protocol.SYNC_STEP1, self.doc.get_state()))
        if self.awareness:
            await connection.send(protocol.awareness_message(list(self.awareness.values())))
        history = await database_sync_to_async(chat.recent)(self.pad_pk)
        if history:
            await connection.send(protocol.chat_message({"messages": history, "history": True}))
        presence.changed()

    async def leave(self, connection: Connection) -> None:
        connection.closed = True
        if connection.pump is not None:
            connection.pump.cancel()
        self.connections.discard(connection)
        client_id = self.cursors.release(connection)
        if client_id is not None:
            entry = self.awareness.get(client_id)
            if entry is not None:
                gone = AwarenessEntry(client_id, entry.clock + 1, "null")
                self._queue_awareness([gone], relay=True, author=connection.author_pk)
        presence.changed()

    # --- Messages from clients -----------------------------------------------------------

    def receive_now(self, connection: Connection, message: bytes) -> bool:
        """Handle a client's message at once, if it needs nothing awaited (every kind but chat
        messages); ``False``, having done nothing, otherwise: then ``receive`` it."""
        reader = protocol.Reader(message)
        kind = reader.var_uint()
        if kind == protocol.MESSAGE_SYNC:
            sub_type = reader.var_uint()
            payload = reader.var_bytes()
            if sub_type == protocol.SYNC_STEP1:
                connection.push(
                    [protocol.sync_message(protocol.SYNC_STEP2, self.doc.get_update(payload))]
                )
            elif sub_type in (protocol.SYNC_STEP2, protocol.SYNC_UPDATE):
                self.receive_update(connection, payload)
            else:
                raise protocol.ProtocolError(f"unknown sync message {sub_type}")
        elif kind == protocol.MESSAGE_AWARENESS:
            entries = protocol.parse_awareness(reader.var_bytes(), protocol.MAX_AWARENESS_ENTRIES)
            own = self.cursors.own(connection, entries)
            if own:
                self._queue_awareness(own, relay=True, author=connection.author_pk)
        elif kind == protocol.MESSAGE_CHAT:
            return False
        elif kind == protocol.MESSAGE_QUERY_AWARENESS and self.awareness:
            connection.push([protocol.awareness_message(list(self.awareness.values()))])
        # Auth and unknown message types are ignored, as y-websocket servers do.
        return True

    async def receive(self, connection: Connection, message: bytes) -> None:
        if self.receive_now(connection, message):
            return
        reader = protocol.Reader(message)
        reader.var_uint()  # MESSAGE_CHAT: the only kind receive_now leaves
        if not connection.can_chat:
            raise PermissionError("this connection may not chat")
        text = chat.parse(reader.var_string())
        if text:
            posted = await database_sync_to_async(chat.post)(
                self.pad_pk, connection.author_pk, text
            )
            self._deliver_chat([posted], relay=True)

    def receive_update(self, connection: Connection, update: bytes) -> None:
        """Every update message gets exactly one acknowledgement, in order — empty and already
        known ones included — so that a client counts what it sent against what is saved."""
        if self.broken:
            raise RuntimeError("room is closing")
        if _is_empty_update(update):
            self._store(connection, None)
            return
        if not connection.can_edit:
            raise PermissionError("read-only connection sent a change")
        self._integrated = None
        self.doc.apply_update(update)  # raises on a malformed update: nothing is stored
        integrated, self._integrated = self._integrated, None
        # None: already known (a reconnecting client resending), or waiting in the document
        # for an update it depends on: nothing to store yet, but an acknowledgement to send.
        self._store(connection, integrated)

    def _store(self, connection: Connection, update: bytes | None) -> None:
        """Make ``update`` durable, then acknowledge and broadcast it.

        On SQLite, it goes to the journal (one ``write``, ``journal.py``), is acknowledged and
        broadcast at once, and is inserted into the database right after
        (``_store_journaled``). Otherwise (PostgreSQL, or the journal failed) it is written now
        if nothing waits to be written before it and the database allows it without waiting
        (``writer.append_now``), else through the writer task, and acknowledged after that.
        """
        if not self._relay and self._waiting_acks == 0:
            if update is None:
                self._saved([connection], [])
                return
            log = writer.journal_on_loop()
            if log is not None:
                at = time.time()
                try:
                    seq = log.append(self.pad_pk, connection.author_pk, update, at)
                except OSError:
                    logger.exception("pad %s: could not write to the journal", self.pad_pk)
                else:
                    self._journaled.append((seq, update, connection.author_pk, at))
                    # The broadcast is scheduled first: the insert runs after it.
                    self._saved([connection], [update])
                    if not self._store_scheduled:
                        self._store_scheduled = True
                        asyncio.get_running_loop().call_soon(self._store_journaled)
                    return
            if not self._writing and self._writes.empty():
                before = self.head
                head = writer.append_now(self.pad_pk, [(update, connection.author_pk)])
                if head is not None:
                    self.head = head
                    self._saved([connection], [update], before)
                    return
        self._waiting_acks += 1
        self._writes.put_nowait(PendingWrite(connection, update, connection.author_pk))

    def _store_journaled(self) -> None:
        """Insert what the journal holds and the database not yet: on the loop if nothing
        waits in the writer task and the database allows it at once, else through it."""
        self._store_scheduled = False
        items, self._journaled = self._journaled, []
        if not items:
            return
        if not self._writing and self._writes.empty():
            before = self.head
            seq, at = items[-1][0], items[-1][3]
            updates = [(update, author) for _s, update, author, _t in items]
            head = writer.append_now(self.pad_pk, updates, journal_seq=seq, at=at)
            if head is not None:
                self.head = head
                _journal_stored(len(items))
                self._compact_if_due(before)
                return
        for seq, update, author, at in items:
            self._writes.put_nowait(PendingWrite(None, update, author, seq, at))

    async def settle(self) -> None:
        """Wait until every update this room accepted is in the database (or it broke)."""
        self._store_journaled()
        while not self.broken and (self._writing or not self._writes.empty()):
            await asyncio.sleep(0.002)

    def _on_change(self, event: TransactionEvent) -> None:
        # Called only by a transaction that changed the document (new structs or deletions),
        # with what it changed: the client's update less what the document already had, plus
        # any update held back for lack of this one. That is what is stored and broadcast.
        # Cheaper than comparing state vectors (O(clients)) and delete sets (O(document)).
        self._integrated = event.update

    # --- Writing, then broadcasting ------------------------------------------------------

    async def _writer(self) -> None:
        while True:
            first = await self._writes.get()
            self._writing = True
            batch = [first]
            while len(batch) < WRITE_BATCH and not self._writes.empty():
                batch.append(self._writes.get_nowait())
            updates = [(w.update, w.author_pk) for w in batch if w.update is not None]
            journaled = [w for w in batch if w.journal_seq is not None]
            before = self.head
            if updates:
                # Journaled updates are queued in their order: the last is the latest.
                append = functools.partial(
                    store.append_revisions,
                    journal_seq=journaled[-1].journal_seq if journaled else None,
                    at=journaled[-1].at if journaled else None,
                )
                try:
                    self.head = await writer.run(append, self.pad_pk, updates)
                except Exception:
                    # The document now holds changes the database does not: drop the room, so
                    # that clients reconnect and send again what was not saved.
                    logger.exception("pad %s: could not save %d updates", self.pad_pk, len(updates))
                    self.broken = True
                    await _close_room(self)
                    return
            self._writing = False
            _journal_stored(len(journaled))
            # Journaled updates were acknowledged and broadcast when they were journaled.
            waiting = [w.connection for w in batch if w.connection is not None]
            new = [w.update for w in batch if w.update is not None and w.journal_seq is None]
            self._waiting_acks -= len(waiting)
            if waiting or new:
                self._saved(waiting, new)
            if updates:
                self._compact_if_due(before)
            if new and self._relay:
                merged = merge_updates(*new) if len(new) > 1 else new[0]
                await self._layer.group_send(
                    self.group_name,
                    {"type": "pad.update", "update": merged, "origin": presence.PROCESS_ID},
                )

    def _saved(
        self, connections: list[Connection], updates: list[bytes], before: int | None = None
    ) -> None:
        """``updates`` are durable, and so are the messages of ``connections`` (one each, in
        order): acknowledge them and broadcast the updates."""
        for connection in connections:
            connection.saved += 1
            self._acks[connection] = connection.saved
        if updates:
            self.dirty_text = True
            self._outbox.extend(updates)
        # Acknowledgements go with the broadcast: one wake-up of each author's sender.
        self._broadcast_soon()
        if updates and before is not None:
            self._compact_if_due(before)

    def _queue_awareness(
        self, entries: list[AwarenessEntry], *, relay: bool, author: int | None = None
    ) -> None:
        """Keep and broadcast ``entries``, of one connection (of ``author``) or from another
        process."""
        for entry in entries:
            if entry.state == "null":
                self.awareness.pop(entry.client_id, None)
            else:
                self.awareness[entry.client_id] = entry
            self._awareness_out[entry.client_id] = entry
        if relay and self._relay:
            payload = [(e.client_id, e.clock, e.state) for e in entries]
            asyncio.create_task(  # noqa: RUF006 - fire and forget, the layer has its own buffer
                self._layer.group_send(
                    self.group_name,
                    {
                        "type": "pad.awareness",
                        "entries": payload,
                        "author": author,
                        "origin": presence.PROCESS_ID,
                    },
                )
            )
        self._schedule_flush()

    def _deliver_chat(self, messages: list[dict[str, Any]], *, relay: bool) -> None:
        data = protocol.chat_message({"messages": messages, "history": False})
        for connection in list(self.connections):
            connection.push([data])
        if relay and self._relay:
            asyncio.ensure_future(
                self._layer.group_send(
                    self.group_name,
                    {"type": "pad.chat", "messages": messages, "origin": presence.PROCESS_ID},
                )
            )

    def _schedule_flush(self, delay: float = BATCH_SECONDS) -> None:
        """Flush in ``delay`` seconds, or sooner if a flush is already due sooner."""
        loop = asyncio.get_running_loop()
        at = loop.time() + delay
        if self._flush_handle is not None:
            if self._flush_at <= at:
                return
            self._flush_handle.cancel()  # an update must not wait for the cursors' batch
        self._flush_at = at
        if delay > 0:
            self._flush_handle = loop.call_at(at, self._flush)
        else:
            self._flush_handle = loop.call_soon(self._flush)

    def _broadcast_soon(self) -> None:
        """Flush at the end of this turn of the event loop if the last broadcast is far enough
        behind, else when it will be."""
        excess = len(self.connections) - BROADCAST_SPACED_FROM
        if excess <= 0:
            self._schedule_flush(0.0)
            return
        interval = min(
            BROADCAST_MAX_SECONDS,
            BROADCAST_SPACING_AT_FULL
            * (excess / (BROADCAST_FULL_SPACING_AT - BROADCAST_SPACED_FROM)) ** 2,
        )
        wait = self._last_flush + interval - asyncio.get_running_loop().time()
        self._schedule_flush(max(wait, 0.0))

    def _flush(self) -> None:
        self._flush_handle = None
        self._last_flush = asyncio.get_running_loop().time()
        messages = []
        if self._outbox:
            updates, self._outbox = self._outbox, []
            merged = merge_updates(*updates) if len(updates) > 1 else updates[0]
            messages.append(protocol.sync_message(protocol.SYNC_UPDATE, merged))
        if self._awareness_out:
            entries, self._awareness_out = list(self._awareness_out.values()), {}
            messages.append(protocol.awareness_message(entries))
        acks, self._acks = self._acks, {}
        encoded = b"".join(frames.binary_frame(m) for m in messages)
        for connection in self.connections:
            count = acks.get(connection)
            if count is not None:
                ack = protocol.saved_message(count)
                connection.deliver([ack, *messages], frames.binary_frame(ack) + encoded)
            elif messages:
                connection.deliver(messages, encoded)

    async def _listen(self) -> None:
        if self._layer is None or self._channel is None:
            return
        while True:
            message = await self._layer.receive(self._channel)
            if message.get("origin") == presence.PROCESS_ID:
                continue
            if message["type"] == "pad.update":
                self.doc.apply_update(message["update"])
                self._outbox.append(message["update"])
                self._broadcast_soon()
            elif message["type"] == "pad.chat":
                self._deliver_chat(message["messages"], relay=False)
            elif message["type"] == "pad.awareness":
                entries = [AwarenessEntry(*e) for e in message["entries"]]
                self.cursors.remote(entries, message.get("author"))
                self._queue_awareness(entries, relay=False)
            elif message["type"] == "pad.custom":
                frame = protocol.custom_message(message["message"])
                for connection in self.connections:
                    connection.push([frame])
            elif message["type"] == "pad.reset":
                # The document was replaced wholesale (a pad moved or deleted): start afresh.
                await _close_room(self)


def _journal_stored(count: int) -> None:
    log = journal.current()
    if count and log is not None:
        log.stored(count)


def _is_empty_update(update: bytes) -> bool:
    # An update with no structs and an empty delete set: Yjs sends it in sync step 2.
    return update in (b"\x00\x00", b"")


async def subscribe(layer: Any, pad_pk: int) -> str:
    """A new channel of this process, in the pad's group: what is sent to the pad from now on."""
    channel: str = await layer.new_channel()
    await layer.group_add(f"pad.{pad_pk}", channel)
    return channel


def _is_shared(layer: Any) -> bool:
    return layer is not None and type(layer).__name__ != "InMemoryChannelLayer"


# --- The process's rooms ----------------------------------------------------------------

# The open rooms are presence.rooms, which presence reads for padUsers and getStats.
_rooms: dict[int, PadRoom] = presence.rooms  # type: ignore[assignment]
_users: dict[int, int] = {}
_locks: dict[Any, asyncio.Lock] = {}


def _lock() -> asyncio.Lock:
    # One lock per event loop: tests run several loops in one process.
    loop = asyncio.get_running_loop()
    if loop not in _locks:
        _locks[loop] = asyncio.Lock()
    return _locks[loop]


async def open_room(pad_pk: int) -> PadRoom:
    async with _lock():
        room = _rooms.get(pad_pk)
        if room is None:
            if not journal.recovered():
                await database_sync_to_async(journal.recover_once)()
            # Subscribed first: a change another server stores while the document loads is
            # then received after it, and applying an update twice does nothing.
            layer = get_channel_layer()
            channel = await subscribe(layer, pad_pk) if layer is not None else None
            doc, head = await database_sync_to_async(store.load_document)(pad_pk)
            room = PadRoom(pad_pk, doc, head)
            await room.start(channel)
            _rooms[pad_pk] = room
        _users[pad_pk] = _users.get(pad_pk, 0) + 1
        return room


async def release_room(room: PadRoom) -> None:
    async with _lock():
        _users[room.pad_pk] = _users.get(room.pad_pk, 1) - 1
        if _users[room.pad_pk] > 0:
            return
        _users.pop(room.pad_pk, None)
        # What the room accepted is in the database before another room can load the pad.
        await room.settle()
        if _rooms.get(room.pad_pk) is room:
            del _rooms[room.pad_pk]
    if _rooms:
        presence.changed()
    else:
        await presence.flush()
    await room.stop()
    if not _rooms:
        await writer.close()
        journal.close()


async def _close_room(room: PadRoom) -> None:
    """Forget a room whose state can no longer be trusted; its clients reconnect and resync."""
    room.broken = True
    if _rooms.get(room.pad_pk) is room:
        del _rooms[room.pad_pk]
    for connection in list(room.connections):
        await connection.close()
