"""The WebDAV application in the test's own process and database transaction.

``cartable.asgi.application`` is called as a server would call it, with HTTP Basic and an
app password, so that the request goes through everything a real client's does (routing,
sign-in, the tree, the actions). The handlers' database work, which runs in a thread pool
(``webdav.http.run_sync``), runs instead in the test's thread: it sees what the test wrote in
its transaction, which is rolled back afterwards as usual (no live server, no commit).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from asgiref.sync import async_to_sync, sync_to_async

if TYPE_CHECKING:
    from cartable.accounts.models import User

HOST = "testserver"


async def _here(fn: Any, *args: Any, **kwargs: Any) -> Any:
    # Thread-sensitive: the thread that called async_to_sync, the test's, with its connection.
    return await sync_to_async(functools.partial(fn, *args, **kwargs), thread_sensitive=True)()


@contextlib.contextmanager
def dav_in_test_thread() -> Iterator[None]:
    """While active, WebDAV database work runs in the calling test's thread."""
    import cartable.drive.asgi  # noqa: F401 - registers the trees
    from cartable.drive.webdav import http as app

    patched = []
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("cartable.") and (
            getattr(module, "run_sync", None) is app.run_sync
        ):
            patched.append(module)
    original = app.run_sync
    for module in patched:
        module.run_sync = _here  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in patched:
            module.run_sync = original  # type: ignore[attr-defined]


@dataclass
class DavResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    @property
    def status_code(self) -> int:
        return self.status


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


async def _call(scope: dict[str, Any], body: bytes) -> DavResponse:
    # This module is a pytest plugin, loaded before Django is set up.
    from cartable.asgi import application

    pending = [{"type": "http.request", "body": body, "more_body": False}]
    started: dict[str, Any] = {}
    parts: list[bytes] = []
    answered = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        # The whole body was sent: the client leaves once it has its answer.
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    await application(scope, receive, send)
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in started["headers"]}
    return DavResponse(started["status"], headers, b"".join(parts))


class DavClient:
    """A WebDAV client of one person (or nobody: ``authorization=None``).

    Paths are relative to ``/remote.php/dav/files/<username>/`` unless they start with
    ``/remote.php/``."""

    def __init__(self, username: str, authorization: str | None) -> None:
        self.username = username
        self.authorization = authorization

    @classmethod
    def of(cls, user: User) -> DavClient:
        """A client signed in with a new app password of ``user``."""
        # This module is a pytest plugin, loaded before Django is set up.
        from cartable.accounts.actions import create_app_password

        _app_password, clear = create_app_password(user, "tests")
        return cls(user.username, basic(user.username, clear))

    def url(self, path: str) -> str:
        if path.startswith("/remote.php/"):
            return path
        quoted = "/".join(quote(p, safe="") for p in path.strip("/").split("/") if p)
        return f"/remote.php/dav/files/{quote(self.username, safe='')}/{quoted}"

    def request(self, method: str, path: str, body: bytes = b"", **headers: str) -> DavResponse:
        url = self.url(path)
        raw = [(b"host", HOST.encode())]
        if self.authorization:
            raw.append((b"authorization", self.authorization.encode()))
        if body or method in ("PUT", "PROPFIND", "PROPPATCH", "LOCK"):
            raw.append((b"content-length", str(len(body)).encode()))
        for name, value in headers.items():
            raw.append((name.lower().replace("_", "-").encode(), value.encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": url,
            "raw_path": url.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": raw,
            "client": ("127.0.0.1", 50000),
            "server": (HOST, 80),
        }
        with dav_in_test_thread():
            response: DavResponse = async_to_sync(_call)(scope, body)
        return response

    def destination(self, path: str) -> str:
        return f"http://{HOST}{self.url(path)}"

    def propfind(self, path: str, depth: str = "1") -> DavResponse:
        return self.request("PROPFIND", path, Depth=depth)

    def get(self, path: str) -> DavResponse:
        return self.request("GET", path)

    def put(self, path: str, data: bytes) -> DavResponse:
        return self.request("PUT", path, data)

    def copy(self, path: str, to: str, **headers: str) -> DavResponse:
        return self.request("COPY", path, Destination=self.destination(to), **headers)

    def move(self, path: str, to: str, **headers: str) -> DavResponse:
        return self.request("MOVE", path, Destination=self.destination(to), **headers)

    def delete(self, path: str) -> DavResponse:
        return self.request("DELETE", path)
