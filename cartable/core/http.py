"""Downloads from platform storage: streamed, with HTTP Range and conditional requests.

Nothing here reads a whole file into memory. Behind nginx, ``CARTABLE_X_ACCEL_PREFIX`` hands
local files to nginx; with S3, clients are redirected to a short-lived signed URL, or, when
``CARTABLE_S3_REDIRECT_DOWNLOADS`` is off, the object is streamed from S3 range by range.
"""

from __future__ import annotations

import functools
import inspect
import mimetypes
import re
from collections.abc import AsyncIterator, Callable, Generator
from typing import IO, Any, TypeVar, cast
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import http_date, parse_http_date_safe, quote_etag

CHUNK = 1024 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _ranged(fh: IO[bytes], start: int, length: int | None) -> Generator[bytes, None, None]:
    try:
        fh.seek(start)
        remaining = length
        while remaining is None or remaining > 0:
            chunk = fh.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def s3_object(storage: Storage, name: str) -> Any | None:
    """The boto3 object behind ``name`` if ``storage`` is S3, its metadata loaded by one HEAD.

    django-storages' own file reads the whole object into memory on first read: we only
    borrow its object and fetch byte ranges from it.
    """
    if not hasattr(storage, "bucket_name"):
        return None
    return storage.open(name, "rb").obj  # type: ignore[attr-defined]


def s3_ranged(obj: Any, start: int, length: int) -> Generator[bytes, None, None]:
    if length <= 0:
        return
    body = obj.get(Range=f"bytes={start}-{start + length - 1}")["Body"]
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def _give_connections_back() -> None:
    # In the request's thread, once the view and the middleware are done: the bytes may take
    # minutes to reach a slow client, and do not need the request's database connection (one
    # of the pool's few), which Django would give back only at the end of the response.
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or conn.in_atomic_block:
            continue
        if conn.settings_dict["CONN_MAX_AGE"] == 0:  # else kept, as at the end of the request
            conn.close()


async def _in_threads(chunks: Generator[bytes, None, None]) -> AsyncIterator[bytes]:
    # Under ASGI, Django would read a synchronous iterator whole into memory before sending
    # it; an asynchronous one is sent chunk by chunk. Each read runs in the thread pool, so a
    # slow disk or S3 holds neither the event loop nor the thread of other requests.
    await sync_to_async(_give_connections_back)()
    read = sync_to_async(lambda: next(chunks, None), thread_sensitive=False)
    try:
        while (chunk := await read()) is not None:
            yield chunk
    finally:
        await sync_to_async(chunks.close, thread_sensitive=False)()


def stream_chunks(request: HttpRequest, chunks: Generator[bytes, None, None]) -> Any:
    """``chunks`` as the server wants them: async under ASGI, as they are under WSGI."""
    if isinstance(request, ASGIRequest):
        return _in_threads(chunks)
    return chunks


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """``(start, end)`` inclusive for one satisfiable range; None to ignore; False if unsatisfiable."""
    match = _RANGE.match(header.strip())
    if not match:
        return None  # multiple or malformed ranges: answer with the whole body
    first, last = match.groups()
    if not first and not last:
        return None
    if size == 0:
        return False  # an empty body has no byte to give
    if not first:
        suffix = int(last)
        if suffix == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or (last and end < start):
        return False
    return start, min(end, size - 1)


def content_disposition(filename: str | None, *, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    if filename is None:
        return kind
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "download"
    # A quote, a backslash or a line break would end the parameter early.
    ascii_name = re.sub(r"[\\\x00-\x1f\x7f]", "", ascii_name) or "download"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- User bytes -----------------------------------------------------------------------------
# Bytes a user supplied (a file, an image in a pad, an export, a preview made from a file)
# never run in Cartable's origin: a browser that opens them must not find a page of ours
# holding someone's script. Every response carrying them has the headers of
# ``user_bytes_headers``: an attachment unless the type is one browsers show without running
# anything, ``nosniff`` so that the type is believed, and a CSP that allows nothing and
# sandboxes the document (an opaque origin, no script) in case a browser renders it anyway.
# docs/security/user-bytes.md says what is promised; cartable/core/tests/test_user_bytes.py
# checks every endpoint.

# A CSP that lets nothing load or run, and gives the document an opaque origin.
SANDBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
# Shown inline: browsers' image, media, text and PDF viewers draw their own page, with inline
# styles, around the bytes (which they load again for media); only our own viewer may frame it.
INLINE_CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; sandbox"
)
# What may be shown inline: types a browser renders in a viewer of its own, never as a page
# of the origin. Not HTML, SVG, XML (any of which may hold a script), not JavaScript.
# PDF is on the list: Chromium's and Firefox's viewers run no script in the origin, and both
# show a PDF under the sandboxing CSP (cartable/drive/tests/test_browser_viewer.py).
INLINE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "application/pdf",
        "text/plain",
    }
)
INLINE_PREFIXES = ("audio/", "video/")


def shown_inline(content_type: str) -> bool:
    """Whether bytes of this type may be shown in the browser rather than downloaded."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime in INLINE_TYPES or mime.startswith(INLINE_PREFIXES)


def user_bytes_headers(
    content_type: str, filename: str | None, *, inline: bool = False
) -> dict[str, str]:
    """The headers of a response carrying a user's bytes (any protocol, any server).

    ``inline`` asks to show them in the browser; they are, only if ``shown_inline``.
    """
    shown = inline and shown_inline(content_type)
    return {
        "Content-Type": content_type,
        "Content-Disposition": content_disposition(filename, inline=shown),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": INLINE_CSP if shown else SANDBOX_CSP,
        "X-Frame-Options": "SAMEORIGIN" if shown else "DENY",
    }


def protect_user_bytes(response: HttpResponseBase) -> HttpResponseBase:
    """Gives a Django response the headers of ``user_bytes_headers``, from its own
    Content-Type and Content-Disposition (kept when it is an attachment or may stay inline)."""
    content_type = response.get("Content-Type") or "application/octet-stream"
    kind, _sep, params = (response.get("Content-Disposition") or "").partition(";")
    inline = kind.strip().lower() in ("", "inline")
    headers = user_bytes_headers(content_type, None, inline=inline)
    if params.strip():
        shown = headers["Content-Disposition"]
        headers["Content-Disposition"] = f"{shown};{params}"
    for name, value in headers.items():
        response[name] = value
    return response


# Statuses whose body is the user's bytes (or that stand for them: 304, 416).
_BYTES_STATUSES = frozenset({200, 203, 206, 304, 416})

View = TypeVar("View", bound=Callable[..., Any])


def serves_user_bytes(view: View) -> View:
    """Marks a view whose answers carry bytes a user supplied, and protects each of them.

    Every successful answer of the view gets ``protect_user_bytes``, whoever built it; its
    other answers (a page asking for a password, an error page) are left as they are. The
    mark, ``serves_user_bytes = True``, is carried by ``functools.wraps`` through the other
    decorators; ``cartable/core/tests/test_user_bytes.py`` reads it on every URL pattern.
    """
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def protected_async(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = await view(request, *args, **kwargs)
            if response.status_code in _BYTES_STATUSES:
                protect_user_bytes(response)
            return response

        wrapped: Any = protected_async
    else:

        @functools.wraps(view)
        def protected(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            if response.status_code in _BYTES_STATUSES:
                protect_user_bytes(response)
            return response

        wrapped = protected
    wrapped.serves_user_bytes = True
    return cast(View, wrapped)


def storage_response(
    request: HttpRequest,
    name: str,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    etag: str | None = None,
    inline: bool = False,
    storage: Storage | None = None,
    size: int | None = None,
) -> HttpResponseBase:
    """A stored file's bytes (a user's: see ``user_bytes_headers``); ``inline`` asks to
    show them in the browser, which happens only for the types of ``shown_inline``."""
    storage = storage or default_storage
    filename = filename or name.rsplit("/", 1)[-1]
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    protection = user_bytes_headers(content_type, filename, inline=inline)
    disposition = protection["Content-Disposition"]

    if hasattr(storage, "bucket_name") and getattr(settings, "S3_REDIRECT_DOWNLOADS", True):
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
        )  # type: ignore[call-arg]
        # The object store, another origin, is told the type and disposition; the redirect
        # itself carries the rest, as every answer about these bytes does.
        redirect = HttpResponseRedirect(url)
        for header, value in protection.items():
            if header not in ("Content-Type", "Content-Disposition"):
                redirect[header] = value
        return redirect

    obj = s3_object(storage, name)
    modified: Any = None
    if obj is not None:
        if size is None:
            size = int(obj.content_length)
        modified = obj.last_modified
    else:
        if size is None:
            size = storage.size(name)
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            modified = None
    if etag is None:
        etag = f"{size:x}-{int(modified.timestamp() * 1000):x}" if modified else f"{size:x}"
    quoted = quote_etag(etag)
    last_modified = http_date(modified.timestamp()) if modified else None

    def common(response: HttpResponseBase) -> HttpResponseBase:
        response["ETag"] = quoted
        response["Accept-Ranges"] = "bytes"
        if last_modified:
            response["Last-Modified"] = last_modified
        for header, value in protection.items():
            if header != "Content-Type" or response.status_code != 304:
                response[header] = value
        return response

    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = [t.strip() for t in if_none_match.split(",")]
        if "*" in tags or quoted in tags or f"W/{quoted}" in tags:
            return common(HttpResponse(status=304))
    elif modified and request.headers.get("If-Modified-Since"):
        since = parse_http_date_safe(request.headers["If-Modified-Since"])
        if since is not None and int(modified.timestamp()) <= since:
            return common(HttpResponse(status=304))

    accel = getattr(settings, "X_ACCEL_PREFIX", "")
    if accel and obj is None and hasattr(storage, "path"):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{quote(name)}"
        return common(response)

    wanted = None
    range_header = request.headers.get("Range")
    if range_header and request.method in ("GET", "HEAD"):
        if_range = request.headers.get("If-Range")
        if (
            not if_range
            or if_range.strip() == quoted
            or (last_modified and if_range.strip() == last_modified)
        ):
            wanted = parse_range(range_header, size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return common(response)
    if request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(size)
        return common(response)

    if isinstance(wanted, tuple):
        start, end = wanted
        length: int | None = end - start + 1
    else:
        start, end, length = 0, size - 1, None
    if obj is not None:
        chunks = s3_ranged(obj, start, end - start + 1)
    else:
        chunks = _ranged(storage.open(name, "rb"), start, length)
    streamed = StreamingHttpResponse(
        stream_chunks(request, chunks), status=206 if wanted else 200, content_type=content_type
    )
    streamed["Content-Length"] = str(end - start + 1)
    if wanted:
        streamed["Content-Range"] = f"bytes {start}-{end}/{size}"
    return common(streamed)
