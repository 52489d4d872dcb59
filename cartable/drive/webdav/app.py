"""The ASGI application that serves ``/remote.php/``: WebDAV outside Django's request cycle.

It signs the request in (``auth``: HTTP Basic with an app password, or the browser's session
plus its CSRF token in ``requesttoken``, as Nextcloud's web UI sends it), finds the tree
registered for its path (``http.register``) and answers with it. ``cartable.drive.asgi``
imports the modules that register trees.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from typing import Any

from cartable.core import busy
from cartable.drive.webdav import auth
from cartable.drive.webdav.headers import BadHeader, split_path
from cartable.drive.webdav.http import (
    _TREES,
    SMALL_PUT,
    ClientGone,
    DavError,
    Request,
    Response,
    SmallPut,
    TreeFactory,
    run_sync,
)

logger = logging.getLogger(__name__)


def _route(
    request: Request,
) -> tuple[TreeFactory, re.Match[str], SmallPut | None] | None:
    for pattern, factory, small_put in _TREES:
        match = pattern.match(request.raw_path)
        if match:
            return factory, match, small_put
    return None


def _signed_in_put(
    request: Request, factory: TreeFactory, match: re.Match[str], small_put: SmallPut, body: bytes
) -> Response:
    auth.authenticate_now(request)
    return small_put(factory(request, match), request, body)


async def _send(
    send: Callable[[dict[str, Any]], Any], request: Request, response: Response
) -> None:
    headers = {k.lower(): v for k, v in response.headers.items()}
    body = response.body
    if isinstance(body, bytes | bytearray):
        if "content-length" not in headers:
            headers["content-length"] = str(len(body))
        if request.method == "HEAD" and response.status < 300:
            body = b""
    raw_headers = [
        (k.encode("latin-1"), str(v).encode("latin-1", "replace")) for k, v in headers.items()
    ]
    if not request.body_read and request.has_body:
        # The body was not read: the connection cannot carry another request.
        raw_headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
    if isinstance(body, bytes | bytearray):
        await send({"type": "http.response.body", "body": bytes(body)})
        return
    try:
        async for chunk in body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        closer = getattr(body, "aclose", None)
        if closer is not None:
            await closer()
    await send({"type": "http.response.body", "body": b""})


async def application(scope: dict[str, Any], receive: Callable[[], Any], send: Callable) -> None:
    request = Request(scope, receive)
    try:
        routed = _route(request)
        if routed is None:
            raise DavError(404)
        factory, match, small_put = routed
        request.prefix = match.group("prefix")
        try:
            request.segments = split_path(match.group("rest") or "")
        except BadHeader:
            raise DavError(400, message="bad path") from None
        length = request.content_length if request.method == "PUT" else None
        if small_put is not None and length is not None and length <= SMALL_PUT:
            # Most files a sync client sends: one thread hop for everything (a refusal,
            # 401 included, comes after a body this small; the connection stays usable).
            body = await request.body(limit=length)
            if len(body) != length:
                raise DavError(400, message="The body is shorter than its Content-Length.")
            response = await run_sync(_signed_in_put, request, factory, match, small_put, body)
        else:
            await auth.authenticate(request)
            tree = factory(request, match)
            response = await tree.handle(request)
    except DavError as exc:
        response = exc.response()
    except ClientGone:
        return
    except Exception as exc:
        if busy.is_busy(exc):
            logger.warning(
                "WebDAV %s %s: no database connection free", request.method, request.raw_path
            )
            response = Response(503, headers={"Retry-After": str(busy.RETRY_AFTER)})
        else:
            logger.exception("WebDAV %s %s failed", request.method, request.raw_path)
            response = Response(500)
    with contextlib.suppress(OSError):
        await _send(send, request, response)
