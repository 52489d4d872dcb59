"""A broadcast's websocket frames, encoded once and written to each connection's socket.

A pad's broadcast is the same bytes for every editor. Through ASGI, each of them costs a
message dict, the server's ``send`` coroutine and its frame encoding — most of the server's
time with 500 editors. Under uvicorn (``cartable serve``), a connection that is
open, not paused by flow control and without extensions (``cartable serve`` turns
permessage-deflate off) is sent the pre-encoded frames with one ``transport.write``: for an
unmasked, uncompressed binary message the frame is what uvicorn's websockets protocol would have
written itself (RFC 6455 §5.2). Under any other server, or when a check fails, the message goes
through ASGI as usual.

The other way, ``read_directly`` puts a ``FrameReader`` between the connection's transport and
uvicorn's protocol: a client's unfragmented binary messages (all that y-websocket clients send)
are unmasked here and handed to the pad at once, without the websockets library's frame parser,
the ASGI queue, Channels' dispatch and the pause and resume of reading that uvicorn does around
every message. Every other frame (ping, pong, close, text, fragments) is passed, whole and in
order, to uvicorn's protocol, which handles it as before; so is everything after a frame it must
refuse (unmasked, too large), which it then does.

This reads uvicorn's ``WebSocketsSansIOProtocol`` (its default since 0.35) by its attributes;
an upgrade that renames them only turns the fast paths off (``direct_writer`` and
``read_directly`` return ``None``).
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Callable
from typing import Any

from websockets.protocol import State

logger = logging.getLogger(__name__)

DirectWrite = Callable[[bytes], bool]
OnMessage = Callable[[bytes], None]

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - the C extension is built for every platform we use
    from websockets.utils import apply_mask


def binary_frame(payload: bytes) -> bytes:
    """One final, unmasked binary frame (server to client)."""
    length = len(payload)
    if length < 126:
        header = bytes((0x82, length))
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x82, 126, length)
    else:
        header = struct.pack("!BBQ", 0x82, 127, length)
    return header + payload


def _uvicorn_protocol(server_send: Any) -> Any:
    """uvicorn's protocol object behind an ASGI ``send``, if it is the one these paths know."""
    try:  # imported here: Cartable also runs under other ASGI servers (daphne in some tests)
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:  # pragma: no cover - uvicorn is a dependency
        return None
    protocol = getattr(server_send, "__self__", None)
    return protocol if isinstance(protocol, WebSocketsSansIOProtocol) else None


def direct_writer(server_send: Any) -> DirectWrite | None:
    """A function writing pre-encoded frames to this websocket, when the server allows it.

    It returns ``False`` (having written nothing) whenever the frames must go through ASGI
    instead: the connection closing or closed, its writes paused, an extension negotiated.
    """
    protocol = _uvicorn_protocol(server_send)
    if protocol is None:
        return None
    if not all(
        hasattr(protocol, name)
        for name in (
            "conn",
            "transport",
            "writable",
            "handshake_complete",
            "close_sent",
            "disconnected",
        )
    ):
        return None
    conn = protocol.conn
    if not hasattr(conn, "state") or not hasattr(conn, "extensions"):
        return None
    # Called for every editor of every broadcast: what does not change is looked up once.
    transport, writable, is_open = protocol.transport, protocol.writable, State.OPEN
    transport_write, is_closing, is_writable = (
        transport.write,
        transport.is_closing,
        writable.is_set,
    )

    def write(frames: bytes) -> bool:
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.handshake_complete
            or conn.state is not is_open
            or conn.extensions
            or not is_writable()
            or is_closing()
        ):
            return False
        transport_write(frames)
        return True

    return write


class FrameReader(asyncio.Protocol):
    """Between a websocket's transport and uvicorn's protocol: reads the client's frames."""

    def __init__(self, server: Any, on_message: OnMessage, max_size: int) -> None:
        self.server = server
        self.on_message = on_message
        self.max_size = max_size
        # What arrived and is not read yet, as the pieces it came in: joined only once enough
        # is there for the next step (a header, a whole frame). A message trickled in small
        # pieces then costs each byte one or two copies, not one per piece after it.
        self.pieces: list[bytes] = []
        self.buffered = 0
        self.needed = 2
        self.passing = False  # everything goes to uvicorn's protocol from now on

    def data_received(self, data: bytes) -> None:
        if self.passing:
            self.server.data_received(data)
            return
        self.pieces.append(data)
        self.buffered += len(data)
        if self.buffered < self.needed:
            return
        buffer = self.pieces[0] if len(self.pieces) == 1 else b"".join(self.pieces)
        end = len(buffer)
        at = 0
        needed = 2
        while True:
            if end - at < 2:
                needed = 2
                break
            first, second = buffer[at], buffer[at + 1]
            length = second & 0x7F
            start = at + 2
            if length == 126:
                if end - start < 2:
                    needed = 4
                    break
                length = int.from_bytes(buffer[start : start + 2], "big")
                start += 2
            elif length == 127:
                if end - start < 8:
                    needed = 10
                    break
                length = int.from_bytes(buffer[start : start + 8], "big")
                start += 8
            if not second & 0x80 or length > self.max_size:
                # Not masked, or too large: uvicorn's protocol closes the connection for it.
                self.passing = True
                self.server.data_received(buffer[at:])
                self.pieces, self.buffered = [], 0
                return
            start += 4  # the mask
            stop = start + length
            if stop > end:
                needed = stop - at
                break
            if first == 0x82:  # FIN, no extension bits, binary
                self.on_message(apply_mask(buffer[start:stop], buffer[start - 4 : start]))
            else:
                self.server.data_received(buffer[at:stop])
            at = stop
        rest = buffer[at:] if at else buffer
        self.pieces = [rest] if rest else []
        self.buffered = len(rest)
        self.needed = needed

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connection_lost(exc)

    def eof_received(self) -> bool | None:
        return self.server.eof_received()  # type: ignore[no-any-return]

    def pause_writing(self) -> None:
        self.server.pause_writing()

    def resume_writing(self) -> None:
        self.server.resume_writing()


def read_directly(
    server_send: Any, on_message: OnMessage, max_size: int | None = None
) -> FrameReader | None:
    """Hand this websocket's binary messages to ``on_message`` from now on, not to ASGI.

    Call it right after accepting the connection, before anything was awaited: what the
    client sent until then would be read by uvicorn's protocol, out of order. A frame larger
    than ``max_size`` (or than the server's limit) is not buffered here: it goes, with what
    follows, to uvicorn's protocol, which refuses it past its own limit and otherwise hands it
    to the application through ASGI, where it is refused too.
    """
    protocol = _uvicorn_protocol(server_send)
    if protocol is None or not all(
        hasattr(protocol, name)
        for name in ("transport", "queue", "config", "handshake_complete", "read_paused", "conn")
    ):
        return None
    transport = protocol.transport
    if (
        not protocol.handshake_complete
        or not protocol.queue.empty()
        or getattr(protocol.conn, "extensions", None)
        or not hasattr(transport, "set_protocol")
        or transport.get_protocol() is not protocol
    ):
        return None
    limit = protocol.config.ws_max_size
    reader = FrameReader(protocol, on_message, limit if max_size is None else min(limit, max_size))
    transport.set_protocol(reader)
    return reader


def queue_message(server_send: Any, message: dict[str, Any]) -> None:
    """Put a message read by a ``FrameReader`` in the ASGI queue, where uvicorn would have put
    it, and pause reading until the application takes it, as uvicorn does."""
    protocol = server_send.__self__
    protocol.queue.put_nowait(message)
    if not protocol.read_paused:
        protocol.read_paused = True
        protocol.transport.pause_reading()


# What ``report`` found on this process's first pad connection under uvicorn, for the tests.
reported: tuple[bool, bool] | None = None


def report(server_send: Any, *, writing: bool, reading: bool) -> None:
    """Says once per process, in the log, whether both fast paths are on under uvicorn: an
    upgrade that switches them off is a warning for the operator, not a silent slowdown."""
    global reported
    protocol = getattr(server_send, "__self__", None)
    if reported is not None or not type(protocol).__module__.startswith("uvicorn."):
        return  # reported already, or another server (daphne, Channels' test communicator)
    reported = (writing, reading)
    if writing and reading:
        logger.info("Pad websockets: frames are read and written directly")
    else:
        logger.warning(
            "Pad websockets: direct frame %s off under %s; messages go through ASGI (slower)",
            " and ".join(
                name for name, on in (("writing", writing), ("reading", reading)) if not on
            ),
            type(protocol).__qualname__,
        )
