"""Downloads from platform storage: streamed, with HTTP Range and conditional requests.

Nothing here reads a whole file into memory. Behind nginx, ``CARTABLE_X_ACCEL_PREFIX`` hands
local files to nginx; with S3, clients are redirected to a short-lived signed URL, or, when
``CARTABLE_S3_REDIRECT_DOWNLOADS`` is off, the object is streamed from S3 range by range.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import http_date, parse_http_date_safe, quote_etag

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _ranged(fh: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
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


def _s3_ranged(obj: Any, start: int, length: int) -> Iterator[bytes]:
    if length <= 0:
        return
    body = obj.get(Range=f"bytes={start}-{start + length - 1}")["Body"]
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


async def _in_threads(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # Each read runs in the thread pool, so a slow disk or S3 holds no event loop and no
    # other request's thread; closing the generator closes the file.
    read = sync_to_async(_next_chunk, thread_sensitive=False)
    try:
        while (chunk := await read(chunks)) is not None:
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=False)()


def _stream(
    request: HttpRequest, chunks: Iterator[bytes]
) -> Iterator[bytes] | AsyncIterator[bytes]:
    """What to give StreamingHttpResponse for this request.

    Under ASGI Django reads a synchronous iterator to its end before sending a byte
    (``StreamingHttpResponse.__aiter__`` falls back to ``list()``), so it gets an async one.
    """
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

    start, end = wanted if isinstance(wanted, tuple) else (0, size - 1)
    length = end - start + 1
    if obj is not None:
        chunks = _s3_ranged(obj, start, length)
    else:
        fh = storage.open(name, "rb")
        if wanted is None and not isinstance(request, ASGIRequest):
            # Under WSGI, FileResponse lets the server use sendfile (wsgi.file_wrapper).
            whole = FileResponse(fh, content_type=content_type)
            whole.block_size = CHUNK
            whole["Content-Length"] = str(size)
            return common(whole)
        chunks = _ranged(fh, start, length)
    streamed = StreamingHttpResponse(
        _stream(request, chunks), status=206 if wanted else 200, content_type=content_type
    )
    streamed["Content-Length"] = str(length)
    if wanted:
        streamed["Content-Range"] = f"bytes {start}-{end}/{size}"
    return common(streamed)
