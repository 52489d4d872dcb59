"""GET and PUT: file contents streamed both ways, in bounded memory.

Downloads read the next piece from storage while the current one is being sent. Uploads go
to a blob writer piece by piece as they arrive; the file changes only once the whole body is
in and checked (length, ``OC-Checksum``), so an interrupted upload leaves nothing visible
and no partial blob.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.http import http_date, parse_http_date_safe

from cartable.core.http import parse_range, s3_object, s3_ranged, user_bytes_headers
from cartable.drive import actions, fastpath
from cartable.drive.errors import DriveError
from cartable.drive.models import Blob, Node
from cartable.drive.webdav import props
from cartable.drive.webdav.errors import dav_error, drive_errors
from cartable.drive.webdav.headers import parse_mtime
from cartable.drive.webdav.http import (
    ClientGone,
    DavError,
    Request,
    Response,
    Tree,
    pool,
    run_io,
    run_sync,
    serial_writes,
)

if TYPE_CHECKING:
    from cartable.drive.webdav.files import FilesTree

READ_CHUNK = 1024 * 1024


def file_headers(node: Node) -> dict[str, str]:
    etag = f'"{node.etag}"'
    return {
        "ETag": etag,
        "OC-ETag": etag,
        "OC-FileId": f"{node.pk:08d}{props.instance_id()}",
        "Last-Modified": http_date(node.mtime.timestamp()),
    }


@dataclass
class Download:
    response: Response
    storage_name: str = ""
    start: int = 0
    length: int = 0


def _etag_listed(header: str, etag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def prepare_get(tree: FilesTree, request: Request) -> Download:
    location, node = tree.existing(request)
    tree.conditions(request, location)
    headers = file_headers(node)
    if node.is_folder:
        headers["Content-Type"] = "text/plain; charset=utf-8"
        return Download(Response(200, b"", headers))
    if "download" not in location.extra["abilities"]:
        raise DavError(403)
    # The file's own type, shown by a browser only if it runs nothing; else an attachment.
    headers.update(
        user_bytes_headers(node.mime_type or "application/octet-stream", node.name, inline=True)
    )
    etag = headers["ETag"]
    mtime = int(node.mtime.timestamp())
    if_match = request.header("if-match")
    if if_match is not None and not _etag_listed(if_match, etag):
        raise DavError(412)
    since = parse_http_date_safe(request.header("if-unmodified-since") or "")
    if if_match is None and since is not None and mtime > since:
        raise DavError(412)
    if_none_match = request.header("if-none-match")
    if if_none_match is not None:
        if _etag_listed(if_none_match, etag):
            return Download(Response(304, b"", headers))
    else:
        since = parse_http_date_safe(request.header("if-modified-since") or "")
        if since is not None and mtime <= since:
            return Download(Response(304, b"", headers))
    size = node.size
    headers["Accept-Ranges"] = "bytes"
    wanted: Any = None
    range_header = request.header("range")
    if range_header:
        if_range = (request.header("if-range") or "").strip()
        if not if_range or if_range == etag or if_range == headers["Last-Modified"]:
            wanted = parse_range(range_header, size)
    if wanted is False:
        headers["Content-Range"] = f"bytes */{size}"
        return Download(Response(416, b"", headers))
    status, start, length = 200, 0, size
    if isinstance(wanted, tuple):
        status, start, length = 206, wanted[0], wanted[1] - wanted[0] + 1
        headers["Content-Range"] = f"bytes {start}-{wanted[1]}/{size}"
    headers["Content-Length"] = str(length)
    blob = node.blob
    if blob is None or request.method == "HEAD" or length == 0:
        return Download(Response(status, b"", headers))
    return Download(Response(status, b"", headers), blob.storage_name, start, length)


async def get(tree: FilesTree, request: Request) -> Response:
    download = await run_sync(prepare_get, tree, request)
    response = download.response
    if download.storage_name:
        response.body = stream(download.storage_name, download.start, download.length)
    return response


async def stream(name: str, start: int, length: int) -> AsyncIterator[bytes]:
    """``length`` bytes of a stored file from ``start``, reading ahead of what is sent."""
    loop = asyncio.get_running_loop()
    if hasattr(default_storage, "bucket_name"):
        async for chunk in _stream_s3(name, start, length):
            yield chunk
        return
    path = default_storage.path(name)
    fd = await run_io(os.open, path, os.O_RDONLY)
    try:
        offset, end = start, start + length
        pending: asyncio.Future[bytes] | None = None

        def read(at: int) -> asyncio.Future[bytes]:
            return loop.run_in_executor(pool(), os.pread, fd, min(READ_CHUNK, end - at), at)

        pending = read(offset)
        while pending is not None:
            chunk = await pending
            pending = None
            if not chunk:
                break
            offset += len(chunk)
            if offset < end:
                pending = read(offset)
            yield chunk
    finally:
        if pending is not None:
            with contextlib.suppress(OSError):
                await pending
        os.close(fd)


async def _stream_s3(name: str, start: int, length: int) -> AsyncIterator[bytes]:
    def open_range() -> Generator[bytes, None, None]:
        return s3_ranged(s3_object(default_storage, name), start, length)

    chunks = await run_io(open_range)
    try:
        while (chunk := await run_io(next, chunks, None)) is not None:
            yield chunk
    finally:
        await run_io(chunks.close)


# --- PUT -----------------------------------------------------------------------------------


@dataclass
class Upload:
    parent: Node
    name: str
    existed: bool
    tokens: set[str]
    writer: Any
    checked: actions.WriteCheck | None = None


def prepare_put(tree: FilesTree, request: Request) -> Upload:
    location = tree.locate(request.segments)
    node = location.node
    if node is not None and node.is_folder:
        raise DavError(405, message="This is a folder.")
    if location.parent is None:
        raise DavError(409, message="The folder does not exist.")
    tokens = tree.conditions(request, location)
    tree.unlocked(location, tokens, parent=node is None)
    etag = f'"{node.etag}"' if node is not None else None
    if_match = request.header("if-match")
    if if_match is not None and (etag is None or not _etag_listed(if_match, etag)):
        raise DavError(412)
    if_none_match = request.header("if-none-match")
    if if_none_match is not None and etag is not None and _etag_listed(if_none_match, etag):
        raise DavError(412)
    with drive_errors():
        checked = actions.check_write(location.parent, location.name, by=tree.user, existing=node)
        writer = actions.new_writer(
            location.parent.space,
            expected_size=request.content_length,
            # Only a client that checks an Adler-32 asks for it (Nextcloud's use SHA-1).
            adler32="ADLER32" in (request.header("oc-checksum") or "").upper(),
            # The parent's space came with it, from this request's lookup.
            refresh=False,
        )
    return Upload(location.parent, checked.name, node is not None, tokens, writer, checked)


def finish_put(tree: FilesTree, request: Request, upload: Upload, blob: Blob) -> Node:
    with drive_errors():
        node, _created = actions.store_file(
            upload.parent,
            upload.name,
            blob,
            by=tree.user,
            mtime=parse_mtime(request.header("x-oc-mtime")),
            if_match=request.header("if-match"),
            if_none_match=request.header("if-none-match"),
            checked=upload.checked,
        )
    return node


def finish_upload(tree: FilesTree, request: Request, upload: Upload) -> Node:
    """Once the whole body is in: the bytes stored, checked against ``OC-Checksum``, and
    made the file's content, the blob's row in the same (short) write transaction."""
    blob = upload.writer.finish(save=False)
    try:
        if checksum_mismatch(request.header("oc-checksum"), blob):
            raise DavError(400, message="The checksum does not match the contents.")
        with serial_writes(), transaction.atomic():
            fastpath.insert(blob)  # blob.save(), without compiling the statement
            return finish_put(tree, request, upload, blob)
    except BaseException:
        # No row refers to these bytes (it was never saved, or rolled back).
        with contextlib.suppress(OSError):
            upload.writer.storage.delete(blob.storage_name)
        raise


def checksum_mismatch(header: str | None, blob: Blob) -> bool:
    """Whether an ``OC-Checksum: SHA1:…`` (or MD5, ADLER32) header disagrees with the bytes."""
    if not header:
        return False
    kind, _, value = header.strip().partition(":")
    known = {"SHA1": blob.sha1, "MD5": blob.md5, "ADLER32": blob.adler32}.get(kind.upper())
    return known is not None and bool(known) and known.lower() != value.strip().lower()


async def _settle(writing: asyncio.Future[None] | None) -> None:
    """Waits for a write still running (its error, if any, is not this request's news)."""
    if writing is not None:
        with contextlib.suppress(BaseException):
            await writing


def put_whole(tree: FilesTree, request: Request, body: bytes) -> tuple[Upload, Node]:
    """A small PUT whose body is already in memory, in one pool thread: the same checks as
    ``prepare_put``, the bytes written, then ``finish_upload``."""
    upload = prepare_put(tree, request)
    try:
        upload.writer.write(body)
        return upload, finish_upload(tree, request, upload)
    except BaseException:
        upload.writer.abort()
        raise


def put_small(tree: Tree, request: Request, body: bytes) -> Response:
    """A PUT of a small body already read, in a pool thread (``app.register``'s
    ``small_put``): the same checks and answers as ``put``."""
    tree = cast("FilesTree", tree)  # registered for the files trees only (files.py)
    try:
        upload, node = put_whole(tree, request, body)
    except BaseException as exc:
        error = _put_error(exc)
        if error is exc:
            raise
        raise error from None
    return _put_answer(request, upload, node)


def _put_error(exc: BaseException) -> BaseException:
    """What the client is told when an upload fails with ``exc``."""
    if isinstance(exc, DriveError):
        return dav_error(exc)
    return exc


async def put(tree: FilesTree, request: Request) -> Response:
    expected = request.content_length
    upload = await run_sync(prepare_put, tree, request)
    writer = upload.writer
    # Each piece is hashed and written in a pool thread while the next one is received.
    writing: asyncio.Future[None] | None = None
    try:
        async for piece in request.stream_pieces():
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(run_io(writer.write, piece))
        if writing is not None:
            await writing
            writing = None
        if expected is not None and writer.size != expected:
            raise DavError(400, message="The body is shorter than its Content-Length.")
        node = await run_sync(finish_upload, tree, request, upload)
    except ClientGone:
        await _settle(writing)
        await run_io(writer.abort)
        raise
    except BaseException as exc:
        await _settle(writing)
        await run_io(writer.abort)
        error = _put_error(exc)
        if error is exc:
            raise
        raise error from None
    return _put_answer(request, upload, node)


def _put_answer(request: Request, upload: Upload, node: Node) -> Response:
    headers = file_headers(node)
    del headers["Last-Modified"]
    if request.header("x-oc-mtime"):
        headers["X-OC-MTime"] = "accepted"
    return Response(204 if upload.existed else 201, b"", headers)
