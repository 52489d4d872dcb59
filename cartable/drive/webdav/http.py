"""The DAV server's HTTP layer, outside Django's request cycle: requests and responses, trees
(a DAV namespace per URL pattern, see :func:`register`), and the thread pool database work
runs in (:func:`run_sync`).

Django's ASGI handler reads a whole request body into a temporary file before a view sees
it, and runs synchronous views one at a time in a single thread. Neither suits a protocol
whose requests are large uploads or many small ones in parallel. Here the body is read as
it arrives and handed to the storage writer chunk by chunk, and database work runs in a
pool of threads, so requests proceed side by side. What Django's handler would do and
matters here is done by hand: database connections are checked at the start and end of each
piece of work (see ``_reuse_connections``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import re
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from django.db import connections

from cartable.core.events import server_loop
from cartable.drive.webdav import davxml
from cartable.drive.webdav.headers import BadHeader, split_path

logger = logging.getLogger(__name__)

T = TypeVar("T")

# XML request bodies (PROPFIND, PROPPATCH, LOCK) beyond this are refused.
MAX_XML_BODY = 1024 * 1024
# Uploads reach storage in pieces of this size: few thread hops, bounded memory.
WRITE_CHUNK = 1024 * 1024
DB_THREADS = 8

_executor: ThreadPoolExecutor | None = None


def pool() -> ThreadPoolExecutor:
    """The threads of database and storage work (``DB_THREADS``)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="dav")
    return _executor


_sqlite_writer = threading.Lock()


@contextlib.contextmanager
def serial_writes() -> Iterator[None]:
    """Around a write transaction: with SQLite, the pool's threads take turns here.

    SQLite lets one writer in at a time and makes the others wait by sleeping 1, 2, 5, 10…
    milliseconds between tries: eight small uploads in parallel spent most of their time
    asleep, for transactions of a millisecond. A lock in the process wakes the next writer
    at once (other processes, such as a separate worker, still wait on SQLite's timeout).
    PostgreSQL needs nothing of the kind.
    """
    if connections["default"].vendor != "sqlite":
        yield
        return
    with _sqlite_writer:
        yield


def _reuse_connections() -> None:
    """Keeps each pool thread's SQLite connection from one piece of work to the next.

    Django closes connections at the end of every request unless CONN_MAX_AGE says
    otherwise, and with SQLite (the embedded mode) opening one costs several milliseconds:
    more than a small PUT. A pool thread's connection is kept instead, and closed only when
    it is broken or was left in a transaction, which is what ``close_old_connections`` checks
    besides the age.

    Other databases follow Django's rule, as at the end of a request: with PostgreSQL's
    connection pool (CONN_MAX_AGE 0) the connection goes back to the pool after each piece
    of work, so that the threads waiting on clients' bytes hold none of the pool's few.
    """
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.vendor != "sqlite":
            conn.close_if_unusable_or_obsolete()
            continue
        if conn.in_atomic_block or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


def _in_request(fn: Callable[[], T]) -> T:
    _reuse_connections()
    try:
        return fn()
    finally:
        _reuse_connections()


async def run_sync(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in the DAV thread pool, with Django's connection handling."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    # Real-time events sent from there go out on this loop (see cartable.core.events).
    context.run(server_loop.set, loop)
    call = functools.partial(context.run, _in_request, functools.partial(fn, *args, **kwargs))
    return await loop.run_in_executor(pool(), call)


async def run_io(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the pool, for storage reads and writes (no database)."""
    return await asyncio.get_running_loop().run_in_executor(pool(), functools.partial(fn, *args))


class ClientGone(Exception):
    """The client closed the connection before sending its whole body."""


class DavError(Exception):
    """Ends a request with ``status``; ``condition`` names a DAV: precondition element."""

    def __init__(
        self,
        status: int,
        condition: str = "",
        message: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or condition or str(status))
        self.status = status
        self.condition = condition
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        body = davxml.error(self.condition, self.message) if self.condition else b""
        if not body and self.message:
            body = davxml.error("error", self.message).replace(b"<d:error/>", b"")
        response = Response(self.status, body, headers=dict(self.headers))
        if body:
            response.headers.setdefault("Content-Type", "application/xml; charset=utf-8")
        return response


@dataclass
class Response:
    status: int
    body: bytes | AsyncIterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def xml(cls, body: bytes, status: int = 207, **headers: str) -> Response:
        return cls(status, body, {"Content-Type": "application/xml; charset=utf-8", **headers})


class Request:
    """One HTTP request to a DAV tree."""

    def __init__(self, scope: dict[str, Any], receive: Callable[[], Any]) -> None:
        self.scope = scope
        self._receive = receive
        self.method: str = scope["method"].upper()
        raw = scope.get("raw_path") or scope["path"].encode()
        self.raw_path: str = raw.decode("latin-1").split("?", 1)[0]
        headers: dict[str, str] = {}
        for key, value in scope.get("headers", []):
            name = key.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[name] = f"{headers[name]}, {text}" if name in headers else text
        self.headers = headers
        self.user: Any = None
        self.session_auth = False
        self.body_read = False
        # Set by the router: the tree's URL prefix (percent-encoded) and the path within it.
        self.prefix = ""
        self.segments: list[str] = []

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def host(self) -> str | None:
        return self.headers.get("host")

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("content-length")
        if value is None:
            return None
        try:
            length = int(value)
        except ValueError:
            raise DavError(400, message="bad Content-Length") from None
        if length < 0:
            raise DavError(400, message="bad Content-Length")
        return length

    @property
    def has_body(self) -> bool:
        length = self.content_length
        return bool(length) or "chunked" in self.headers.get("transfer-encoding", "").lower()

    async def stream(self) -> AsyncIterator[bytes]:
        """The body as it arrives; ClientGone if the client leaves before its end."""
        if self.body_read:
            return
        self.body_read = True
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    async def stream_pieces(self, size: int = WRITE_CHUNK) -> AsyncIterator[bytes]:
        """The body in pieces of about ``size`` bytes (the last one shorter)."""
        buffer = bytearray()
        async for chunk in self.stream():
            buffer += chunk
            if len(buffer) >= size:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)

    async def body(self, limit: int = MAX_XML_BODY) -> bytes:
        parts = bytearray()
        async for chunk in self.stream():
            parts += chunk
            if len(parts) > limit:
                raise DavError(413, message="request body too large")
        return bytes(parts)

    async def drain(self) -> None:
        """Reads and drops what is left of the body, so the connection can be reused."""
        try:
            async for _chunk in self.stream():
                pass
        except ClientGone:
            pass

    def href(self, segments: list[str], collection: bool = False) -> str:
        path = self.prefix + "".join("/" + quote(s, safe="") for s in segments)
        if collection:
            path += "/"
        return path or "/"

    def segments_of(self, raw_path: str) -> list[str] | None:
        """The segments of another URL path in this tree, None if it is outside."""
        prefix = self.prefix.rstrip("/")
        if raw_path != prefix and not raw_path.startswith(prefix + "/"):
            return None
        try:
            return split_path(raw_path[len(prefix) :])
        except BadHeader:
            return None


class Tree:
    """A DAV namespace: a method ``do_<method>`` per HTTP method it answers."""

    async def handle(self, request: Request) -> Response:
        handler = getattr(self, "do_" + request.method.lower().replace("-", "_"), None)
        if handler is None:
            raise DavError(405, headers={"Allow": ", ".join(self.allowed_methods())})
        result: Response = await handler(request)
        return result

    def allowed_methods(self) -> list[str]:
        return sorted(
            name[3:].upper()
            for name in dir(self)
            if name.startswith("do_") and callable(getattr(self, name))
        )


class ListedTree(Tree):
    """A tree whose PROPFIND answer is built by a synchronous ``propfind(request, depth)``
    (the Nextcloud uploads, trash bin and versions trees)."""

    async def do_propfind(self, request: Request) -> Response:
        await request.drain()
        depth = (request.header("depth") or "1").strip()
        return Response.xml(await run_sync(self.propfind, request, depth))

    def propfind(self, request: Request, depth: str) -> bytes:
        raise NotImplementedError


TreeFactory = Callable[[Request, "re.Match[str]"], Tree]
# A tree's handler for a whole small PUT, run in a pool thread (see ``application``).
SmallPut = Callable[[Tree, Request, bytes], "Response"]
_TREES: list[tuple[re.Pattern[str], TreeFactory, SmallPut | None]] = []
# A PUT with a Content-Length up to this, to a tree that has a ``small_put``, is read whole,
# then signed in, checked and stored in one thread hop.
SMALL_PUT = 64 * 1024


def register(pattern: str, factory: TreeFactory, small_put: SmallPut | None = None) -> None:
    """Serves URL paths matching ``pattern`` (on the raw, percent-encoded path) with a tree.

    The pattern must have a group ``prefix`` (the tree's URL prefix) and ``rest`` (the path
    inside it); ``factory(request, match)`` makes the tree for a request, after sign-in.
    ``small_put(tree, request, body)``: answers a small PUT whose body is already read, in
    a pool thread (sign-in and the tree's making then run in the same thread).
    """
    _TREES.append((re.compile(pattern), factory, small_put))
