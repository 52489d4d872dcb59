"""A broadcast's websocket frames, encoded once and written to each connection's socket.

A pad's broadcast is the same bytes for every editor. Through ASGI, each of them costs a
message dict, the server's ``send`` coroutine and its frame encoding — most of the server's
time with 500 editors. Under uvicorn (``cartable serve``), a connection that is
open, not paused by flow control and without extensions (``cartable serve`` turns
permessage-deflate off) is sent the pre-encoded frames with one ``transport.write``: for an
unmasked, uncompressed binary message the frame is what uvicorn's websockets protocol would have
written itself (RFC 6455 §5.2). Under any other server, or when a check fails, the message goes
through ASGI as usual.

This reads uvicorn's ``WebSocketsSansIOProtocol`` (its default since 0.35) by its attributes;
an upgrade that renames them only turns the fast path off (``direct_writer`` returns ``None``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

DirectWrite = Callable[[bytes], bool]


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


def direct_writer(server_send: Any) -> DirectWrite | None:
    """A function writing pre-encoded frames to this websocket, when the server allows it.

    It returns ``False`` (having written nothing) whenever the frames must go through ASGI
    instead: the connection closing or closed, its writes paused, an extension negotiated.
    """
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
        from websockets.protocol import State
    except ImportError:  # pragma: no cover - uvicorn is a dependency
        return None
    protocol = getattr(server_send, "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
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

    def write(frames: bytes) -> bool:
        if (
            not protocol.handshake_complete
            or protocol.close_sent
            or protocol.disconnected
            or conn.state is not State.OPEN
            or conn.extensions
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
        ):
            return False
        protocol.transport.write(frames)
        return True

    return write
