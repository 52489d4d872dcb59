"""A Yjs client for tests: a pycrdt document speaking y-websocket, through Channels' communicator
or, with ``YClient.server_url`` set (the ``uvicorn_server`` fixture), over a real websocket to
uvicorn serving the application in the test's own event loop — the way ``cartable serve`` runs
it, with the pad's direct frame reading and writing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.testing.websocket import WebsocketCommunicator
from pycrdt import Doc

from cartable.asgi import application
from cartable.pad import document, protocol


class SocketCommunicator:
    """What the tests use of Channels' ``WebsocketCommunicator``, over a real websocket."""

    def __init__(self, url: str, headers: list[tuple[bytes, bytes]]) -> None:
        self.url = url
        self.headers = [(k.decode(), v.decode()) for k, v in headers if k != b"host"]
        self.socket: Any = None

    async def connect(self, timeout: float = 5) -> tuple[bool, int | None]:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        try:
            self.socket = await asyncio.wait_for(
                connect(self.url, additional_headers=self.headers, compression=None), timeout
            )
        except InvalidStatus:
            return False, None  # closed before it was accepted: uvicorn answers 403
        return True, None

    async def send_to(self, bytes_data: bytes) -> None:
        await self.socket.send(bytes_data)

    async def receive_output(self, timeout: float = 1) -> dict[str, Any]:
        from websockets.exceptions import ConnectionClosed

        try:
            data = await asyncio.wait_for(self.socket.recv(), timeout)
        except ConnectionClosed as closed:
            return {"type": "websocket.close", "code": closed.rcvd.code if closed.rcvd else None}
        return {"type": "websocket.send", "bytes": data}

    async def disconnect(self) -> None:
        await self.socket.close()


class ConnectionClosedEarly(AssertionError):
    """The server closed the websocket before what the test waited for happened."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"the connection closed (code {code}) before the awaited condition")
        self.code = code


class YClient:
    server_url: str | None = None  # "ws://127.0.0.1:port": connect over a real websocket

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.doc = Doc()
        document.fragment(self.doc)
        self.saved = 0
        self.sent = 0
        self.awareness: list[protocol.AwarenessEntry] = []
        self.custom: list[Any] = []
        self.chat: list[Any] = []
        self.closed_code: int | None = None

    @classmethod
    async def connect(cls, path: str, cookie: str | None = None) -> tuple[YClient, bool, Any]:
        headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        communicator: Any
        if cls.server_url:
            communicator = SocketCommunicator(cls.server_url + path, headers)
        else:
            communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect()
        return cls(communicator), connected, code

    async def sync(self) -> None:
        await self.communicator.send_to(
            bytes_data=protocol.sync_message(protocol.SYNC_STEP1, self.doc.get_state())
        )
        await self.pump(lambda: self._synced, timeout=5)

    _synced = False

    def _handle(self, data: bytes) -> list[bytes]:
        replies = []
        reader = protocol.Reader(data)
        kind = reader.var_uint()
        if kind == protocol.MESSAGE_SYNC:
            sub = reader.var_uint()
            payload = reader.var_bytes()
            if sub == protocol.SYNC_STEP1:
                replies.append(
                    protocol.sync_message(protocol.SYNC_STEP2, self.doc.get_update(payload))
                )
                self.sent += 1  # an update message too: the server acknowledges it
            else:
                self.doc.apply_update(payload)
                if sub == protocol.SYNC_STEP2:
                    self._synced = True
        elif kind == protocol.MESSAGE_AWARENESS:
            self.awareness.extend(protocol.parse_awareness(reader.var_bytes()))
        elif kind == protocol.MESSAGE_SAVED:
            self.saved = reader.var_uint()
        elif kind == protocol.MESSAGE_CHAT:
            self.chat.append(json.loads(reader.var_string()))
        elif kind == protocol.MESSAGE_CUSTOM:
            self.custom.append(json.loads(reader.var_string()))
        return replies

    async def pump(self, until: Any, timeout: float = 5.0) -> None:
        """Handles the server's messages until ``until()`` holds; fails on a timeout, and when
        the connection closes first (wait for ``lambda: client.closed_code is not None`` to
        expect a close)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not until():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("condition not met")
            message = await self.communicator.receive_output(timeout=remaining)
            if message["type"] == "websocket.close":
                self.closed_code = message.get("code")
                if until():
                    return
                raise ConnectionClosedEarly(self.closed_code)
            if message.get("bytes") is not None:
                for reply in self._handle(message["bytes"]):
                    await self.communicator.send_to(bytes_data=reply)

    async def edit(self, mutate: Any) -> None:
        before = self.doc.get_state()
        mutate(self.doc)
        update = self.doc.get_update(before)
        await self.send_update(update)

    async def send_update(self, update: bytes) -> None:
        self.sent += 1
        await self.communicator.send_to(
            bytes_data=protocol.sync_message(protocol.SYNC_UPDATE, update)
        )

    async def set_paragraphs(self, *lines: str) -> None:
        await self.edit(
            lambda doc: document.replace_content(doc, document.text_to_pm("\n".join(lines)))
        )

    def text(self) -> str:
        return document.to_text(self.doc)

    async def close(self) -> None:
        await self.communicator.disconnect()
