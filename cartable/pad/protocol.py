"""The y-websocket wire format: ``[message type][payload]``, lib0 variable-length integers.

Types: 0 sync (sub-types 0 step 1, 1 step 2, 2 update), 1 awareness, 3 query awareness.
Cartable adds two types that standard clients ignore:

- 100, *saved*: the number of this connection's updates made durable so far, so that its
  editor can show "saved" truthfully;
- 101, *chat*: a JSON text. From a client ``{"text": "..."}``; from the server
  ``{"messages": [{"id", "author_id", "name", "colour", "text", "time"}], "history": bool}``
  (``time`` in milliseconds since the epoch, as Etherpad's chat API gives it);
- 102, *custom*: a JSON message from the HTTP API's sendClientsMessage, in Etherpad's shape
  ``{"type": "COLLABROOM", "data": {"type": msg, "time": ms}}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
MESSAGE_SAVED = 100
MESSAGE_CHAT = 101
MESSAGE_CUSTOM = 102

SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2

# The largest message a client may send (docs/pad.md, "Limits"). Measured with the editor's
# document: a formatted paste of 100 pages is one update of 780 to 850 KiB, 300 pages 2.2 MiB;
# sync step 2 after a long time offline carries what was typed meanwhile, far less. `cartable
# serve` gives uvicorn the same limit, so a larger frame is refused before it is buffered.
MAX_MESSAGE_SIZE = 8 * 1024 * 1024
# One connection's cursor state (awareness), as JSON: the editor sends a name, a colour and a
# selection (two relative positions): 83 to 320 bytes, measured in Chromium; a long name in a
# non-Latin script stays under 1 KiB. It is kept and sent to every newcomer: no room for anything else.
MAX_AWARENESS_STATE = 4 * 1024
# Entries read from one awareness message. A connection updates one client id, its own, which
# standard clients send alone; some also echo the states they receive (y-websocket does), which
# are dropped. Reading an entry costs ~10 µs of the event loop: a message of millions of tiny
# entries must not be read to the end.
MAX_AWARENESS_ENTRIES = 100
# RFC 6455's "message too big": a message, or a cursor state, over its limit.
CLOSE_TOO_LARGE = 1009


class ProtocolError(ValueError):
    pass


class TooLarge(ProtocolError):
    """A message or a cursor state over its limit: the connection is closed with 1009."""


def write_var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value & 0x7F)
    return bytes(out)


def write_var_bytes(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data


def write_var_string(text: str) -> bytes:
    return write_var_bytes(text.encode("utf-8"))


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        result = 0
        shift = 0
        while True:
            if self.pos >= len(self.data):
                raise ProtocolError("truncated integer")
            byte = self.data[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7
            if shift > 63:
                raise ProtocolError("integer too long")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        if self.pos + length > len(self.data):
            raise ProtocolError("truncated bytes")
        chunk = self.data[self.pos : self.pos + length]
        self.pos += length
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"not UTF-8: {exc.reason}") from None


def sync_message(sub_type: int, payload: bytes) -> bytes:
    return bytes([MESSAGE_SYNC]) + write_var_uint(sub_type) + write_var_bytes(payload)


def saved_message(count: int) -> bytes:
    return bytes([MESSAGE_SAVED]) + write_var_uint(count)


def custom_message(payload: Any) -> bytes:
    return bytes([MESSAGE_CUSTOM]) + write_var_string(json.dumps(payload, ensure_ascii=False))


@dataclass(frozen=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: str  # JSON text; "null" when the client left


def parse_awareness(payload: bytes, limit: int | None = None) -> list[AwarenessEntry]:
    """The entries of an awareness message; past ``limit`` of them, the rest is not read."""
    reader = Reader(payload)
    entries = []
    count = reader.var_uint()
    for _ in range(count if limit is None else min(count, limit)):
        entries.append(AwarenessEntry(reader.var_uint(), reader.var_uint(), reader.var_string()))
    return entries


def awareness_message(entries: list[AwarenessEntry]) -> bytes:
    body = bytearray(write_var_uint(len(entries)))
    for entry in entries:
        body += (
            write_var_uint(entry.client_id)
            + write_var_uint(entry.clock)
            + write_var_string(entry.state)
        )
    return bytes([MESSAGE_AWARENESS]) + write_var_bytes(bytes(body))


def chat_message(payload: dict[str, Any]) -> bytes:
    return bytes([MESSAGE_CHAT]) + write_var_string(json.dumps(payload, ensure_ascii=False))
