"""Downloads from platform storage: streamed, with HTTP Range and conditional requests.

Nothing here reads a whole file into memory. Behind nginx, ``CARTABLE_X_ACCEL_PREFIX`` hands
local files to nginx; with S3, clients are redirected to a short-lived signed URL, or, when
``CARTABLE_S3_REDIRECT_DOWNLOADS`` is off, the object is streamed from S3 range by range.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import AsyncIterator, Generator
from typing import IO, Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.core.handlers.asgi import ASGIRequest
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


def _s3_object(storage: Storage, name: str) -> Any | None:
    """The boto3 object behind ``name`` if ``storage`` is S3, its metadata loaded by one HEAD.

    django-storages' own file reads the whole object into memory on first read: we only
    borrow its object and fetch byte ranges from it.
    """
    if not hasattr(storage, "bucket_name"):
        return None
    return storage.open(name, "rb").obj  # type: ignore[attr-defined]


def _s3_ranged(obj: Any, start: int, length: int) -> Generator[bytes, None, None]:
    if length <= 0:
        return
    body = obj.get(Range=f"bytes={start}-{start + length - 1}")["Body"]
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


async def _in_threads(chunks: Generator[bytes, None, None]) -> AsyncIterator[bytes]:
    # Under ASGI, Django would read a synchronous iterator whole into memory before sending
    # it; an asynchronous one is sent chunk by chunk. Each read runs in the thread pool, so a
    # slow disk or S3 holds neither the event loop nor the thread of other requests.
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


def content_disposition(filename: str, *, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "download"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


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
    storage = storage or default_storage
    filename = filename or name.rsplit("/", 1)[-1]
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    disposition = content_disposition(filename, inline=inline)

    if hasattr(storage, "bucket_name") and getattr(settings, "S3_REDIRECT_DOWNLOADS", True):
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
        )  # type: ignore[call-arg]
        return HttpResponseRedirect(url)

    obj = _s3_object(storage, name)
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
        response["Content-Disposition"] = disposition
        response["X-Content-Type-Options"] = "nosniff"
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
        chunks = _s3_ranged(obj, start, end - start + 1)
    else:
        chunks = _ranged(storage.open(name, "rb"), start, length)
    streamed = StreamingHttpResponse(
        stream_chunks(request, chunks), status=206 if wanted else 200, content_type=content_type
    )
    streamed["Content-Length"] = str(end - start + 1)
    if wanted:
        streamed["Content-Range"] = f"bytes {start}-{end}/{size}"
    return common(streamed)
