"""Nextcloud's chunked uploads at ``/remote.php/dav/uploads/<user>/<transfer id>/``.

A client makes a folder for one transfer (MKCOL; with chunked upload v2 a ``Destination``
header names the final file and ``OC-Total-Length`` its size, checked against the quota
before any byte is sent), PUTs the chunks into it (named so that they sort in order: v2
numbers them 1 to 10000, older clients pad their numbers with zeros; both sort the same
here), then MOVEs ``<transfer id>/.file`` to the destination. Only then are the chunks
assembled, streamed into one blob that becomes the file: until that MOVE nothing is visible,
and an abandoned transfer is removed after 24 hours (``drive-uploads`` retention rule).

Chunks are kept in platform storage under ``drive/uploads/``, outside any space's quota
count, but a transfer can never hold more than its destination space has free, less what the
space's other uploads in progress (these and tus's) reserve: the size they announced, or what
they received (``uploads.reserve``).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any
from urllib.parse import unquote

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.http import http_date

from cartable.drive import actions, mounts
from cartable.drive.actions import resumable, uploads
from cartable.drive.errors import DriveError, QuotaExceeded
from cartable.drive.models import Blob, Node, Space, Upload, UploadPart
from cartable.drive.webdav import davxml, locks
from cartable.drive.webdav.errors import dav_error, drive_errors
from cartable.drive.webdav.headers import (
    BadHeader,
    ForeignDestination,
    destination_path,
    parse_mtime,
)
from cartable.drive.webdav.headers import split_path as split_raw_path
from cartable.drive.webdav.http import (
    ClientGone,
    DavError,
    ListedTree,
    Request,
    Response,
    Tree,
    register,
    run_io,
    run_sync,
)
from cartable.drive.webdav.transfer import checksum_mismatch, file_headers

LIFETIME = timedelta(hours=24)
MAX_CHUNKS = 10000
READ_CHUNK = 1024 * 1024
SPOOL_LIMIT = 8 * 1024 * 1024
FILES_PATH = re.compile(r"^/remote\.php/dav/files/(?P<user>[^/]+)(?P<rest>/.*)?$")


class PartWriter:
    """One chunk's bytes to storage as they arrive (like the blob writer, without a blob)."""

    def __init__(self, name: str, limit: int | None, storage: Storage | None = None) -> None:
        self.storage = storage or default_storage
        self.name = name
        self.limit = limit
        self.size = 0
        self._file: IO[bytes]
        try:
            self._path: str | None = self.storage.path(name)
        except NotImplementedError:
            self._path = None
        if self._path is not None:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            self._file = open(self._path + ".part", "wb")  # noqa: SIM115 - closed below
        else:
            self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT)  # noqa: SIM115

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            raise QuotaExceeded
        self._file.write(chunk)

    def finish(self) -> str:
        if self._path is not None:
            self._file.close()
            os.replace(self._path + ".part", self._path)
            return self.name
        self._file.seek(0)
        stored = self.storage.save(self.name, File(self._file, name=self.name))
        self._file.close()
        return stored

    def abort(self) -> None:
        self._file.close()
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path + ".part")


def chunk_order(name: str) -> tuple[int, int, str]:
    """Numbered chunks by number (``2`` before ``10``), any other name after, by name."""
    return (0, int(name), "") if name.isdigit() else (1, 0, name)


@dataclass
class Target:
    """Where the assembled file goes."""

    location: mounts.Location
    parent: Node


class UploadsTree(ListedTree):
    def __init__(self, request: Request, owner: str) -> None:
        self.user = request.user
        if unquote(owner) != self.user.username:
            raise DavError(403, message="This is not your upload folder.")

    # --- helpers -------------------------------------------------------------------------

    def upload(self, transfer_id: str) -> Upload:
        upload = Upload.objects.filter(
            user=self.user, name=transfer_id, expires_at__gt=timezone.now()
        ).first()
        if upload is None:
            raise DavError(404, message="This upload does not exist (or expired).")
        return upload

    def target(self, request: Request, header: str | None) -> Target:
        """The file a Destination header names in the user's files tree."""
        try:
            raw = destination_path(header, request.host)
        except ForeignDestination:
            raise DavError(502, message="The destination is on another server.") from None
        except BadHeader as exc:
            raise DavError(400, message=str(exc)) from None
        match = FILES_PATH.match(raw)
        if match is None or unquote(match.group("user")) != self.user.username:
            raise DavError(403, message="The destination must be in your own files.")
        try:
            segments = split_raw_path(match.group("rest") or "")
        except BadHeader:
            raise DavError(400, message="bad Destination") from None
        if not segments:
            raise DavError(403, message="The destination cannot be your root folder.")
        with drive_errors():
            location = mounts.resolve(self.user, "/" + "/".join(segments))
        # In a homework box, what other pupils handed in is not there for a pupil.
        location = actions.as_seen(location, by=self.user)
        if location.parent is None or location.is_mount_point:
            raise DavError(409, message="The destination folder does not exist.")
        if location.node is not None and location.node.is_folder:
            raise DavError(409, message="The destination is a folder.")
        return Target(location, location.parent)

    def free(self, space: Space) -> int | None:
        space.refresh_from_db(fields=["used"])
        return actions.free_bytes(space)

    def space_for(self, upload: Upload) -> Space:
        if upload.space is not None:
            return upload.space
        if upload.destination:
            with contextlib.suppress(DriveError):
                return mounts.resolve(self.user, upload.destination).space
        return actions.personal_space(self.user)

    # --- MKCOL ---------------------------------------------------------------------------

    async def do_mkcol(self, request: Request) -> Response:
        if request.has_body:
            await request.drain()
            raise DavError(415)
        await run_sync(self.mkcol, request)
        return Response(201)

    def mkcol(self, request: Request) -> None:
        if len(request.segments) != 1:
            raise DavError(409 if len(request.segments) > 1 else 405)
        transfer_id = request.segments[0]
        if len(transfer_id) > 255:
            raise DavError(400, message="name too long")
        total = _length(request.header("oc-total-length"))
        destination = ""
        space = actions.personal_space(self.user)
        if request.header("destination"):
            target = self.target(request, request.header("destination"))
            destination = target.location.user_path
            space = target.location.space
            with drive_errors():
                actions.check_can_write(target.parent, target.location.name, by=self.user)
        with transaction.atomic():
            Upload.objects.filter(
                user=self.user, name=transfer_id, expires_at__lte=timezone.now()
            ).delete()
            if Upload.objects.filter(user=self.user, name=transfer_id).exists():
                raise DavError(405, message="This upload exists already.")
            try:
                resumable.begin(
                    space,
                    user=self.user,
                    size=total,
                    expires_at=timezone.now() + LIFETIME,
                    name=transfer_id,
                    destination=destination,
                )
            except QuotaExceeded as exc:
                raise DavError(507, message=exc.message) from None

    # --- PUT a chunk ---------------------------------------------------------------------

    async def do_put(self, request: Request) -> Response:
        if len(request.segments) != 2:
            raise DavError(409 if len(request.segments) < 2 else 404)
        transfer_id, chunk = request.segments
        upload, limit = await run_sync(self.prepare_put, transfer_id, chunk)
        name = f"drive/uploads/{upload.public_id}/{uuid.uuid4().hex}"
        writer = await run_io(PartWriter, name, limit)
        expected = request.content_length
        try:
            async for piece in request.stream_pieces():
                await run_io(writer.write, piece)
            if expected is not None and writer.size != expected:
                raise DavError(400, message="The body is shorter than its Content-Length.")
            stored = await run_io(writer.finish)
        except ClientGone:
            await run_io(writer.abort)
            raise
        except QuotaExceeded as exc:
            await run_io(writer.abort)
            raise DavError(507, message=exc.message) from None
        except BaseException:
            await run_io(writer.abort)
            raise
        created = await run_sync(self.finish_put, upload, chunk, stored, writer.size)
        return Response(201 if created else 204)

    def prepare_put(self, transfer_id: str, chunk: str) -> tuple[Upload, int | None]:
        upload = self.upload(transfer_id)
        if chunk == ".file" or len(chunk) > 255:
            raise DavError(400, message="bad chunk name")
        if chunk.isdigit() and upload.destination and not 1 <= int(chunk) <= MAX_CHUNKS:
            raise DavError(400, message="Chunks are numbered from 1 to 10000.")
        space = self.space_for(upload)
        free = self.free(space)
        if free is None:
            return upload, None
        # Two claims on the free space, the second of which may count the first: what the
        # person's unfinished uploads hold on disk, and what this upload holds plus what the
        # space's other uploads reserve (their announced sizes).
        held = uploads.held_bytes(self.user, besides=(upload, chunk))
        own = upload.parts.exclude(name=chunk).aggregate(s=Sum("size"))["s"] or 0
        others = uploads.reserved_bytes(space, exclude=upload)
        return upload, max(0, free - max(held, own + others))

    def finish_put(self, upload: Upload, chunk: str, stored: str, size: int) -> bool:
        return resumable.append(upload, chunk, stored, size, lifetime=LIFETIME)

    # --- MOVE .file to its destination ---------------------------------------------------

    async def do_move(self, request: Request) -> Response:
        if len(request.segments) != 2 or request.segments[1] != ".file":
            raise DavError(403, message="Only the assembled .file can be moved.")
        plan = await run_sync(self.prepare_move, request)
        writer = plan["writer"]
        try:
            for part in plan["parts"]:
                await run_io(resumable.read_part, part.storage_name, writer.write)
            blob: Blob = await run_sync(writer.finish)
        except BaseException as exc:
            await run_io(writer.abort)
            if isinstance(exc, DriveError):
                raise dav_error(exc) from None
            raise
        if checksum_mismatch(request.header("oc-checksum"), blob):
            await run_sync(actions.discard_blob, blob)
            raise DavError(400, message="The checksum does not match the contents.")
        node, existed = await run_sync(self.finish_move, request, plan, blob)
        headers = file_headers(node)
        del headers["Last-Modified"]
        if request.header("x-oc-mtime"):
            headers["X-OC-MTime"] = "accepted"
        return Response(204 if existed else 201, b"", headers)

    def prepare_move(self, request: Request) -> dict[str, Any]:
        upload = self.upload(request.segments[0])
        target = self.target(request, request.header("destination"))
        parts = sorted(upload.parts.all(), key=lambda p: chunk_order(p.name))
        size = sum(p.size for p in parts)
        total = _length(request.header("oc-total-length"))
        for expected in (total, upload.total_size):
            if expected is not None and expected != size:
                raise DavError(400, message=f"Expected {expected} bytes, received {size}.")
        location = target.location
        found = locks.covering(location.space.pk, location.space_path)
        if not locks.may_write(found, self.user, set()):
            raise DavError(423, "lock-token-submitted")
        with drive_errors():
            actions.check_can_write(target.parent, location.name, by=self.user)
            writer = actions.new_writer(target.parent.space, expected_size=size)
        return {"upload": upload, "target": target, "parts": parts, "writer": writer}

    def finish_move(self, request: Request, plan: dict[str, Any], blob: Blob) -> tuple[Node, bool]:
        target: Target = plan["target"]
        upload: Upload = plan["upload"]
        with drive_errors():
            node, created = actions.store_file(
                target.parent,
                target.location.name,
                blob,
                by=self.user,
                mtime=parse_mtime(request.header("x-oc-mtime")),
                if_match=request.header("if-match"),
                if_none_match=request.header("if-none-match"),
            )
        resumable.discard(upload)
        return node, not created

    # --- listing, deleting ---------------------------------------------------------------

    def propfind(self, request: Request, depth: str) -> bytes:
        segments = request.segments
        if not segments:
            uploads = list(Upload.objects.filter(user=self.user, expires_at__gt=timezone.now()))
            answers = [_folder(request.href([], collection=True), None)]
            if depth != "0":
                answers += [_folder(request.href([u.name], collection=True), u) for u in uploads]
            return davxml.multistatus(answers)
        upload = self.upload(segments[0])
        if len(segments) == 1:
            answers = [_folder(request.href(segments, collection=True), upload)]
            if depth != "0":
                for chunk in sorted(upload.parts.all(), key=lambda p: chunk_order(p.name)):
                    answers.append(_part(request.href([*segments, chunk.name]), chunk))
            return davxml.multistatus(answers)
        part = upload.parts.filter(name=segments[1]).first()
        if part is None or len(segments) > 2:
            raise DavError(404)
        return davxml.multistatus([_part(request.href(segments), part)])

    async def do_delete(self, request: Request) -> Response:
        await run_sync(self.delete, request.segments)
        return Response(204)

    def delete(self, segments: list[str]) -> None:
        if not segments:
            raise DavError(403)
        upload = self.upload(segments[0])
        if len(segments) == 1:
            resumable.discard(upload)
            return
        part = upload.parts.filter(name=segments[1]).first()
        if part is None:
            raise DavError(404)
        resumable.forget_part(part)

    async def do_get(self, request: Request) -> Response:
        raise DavError(403, message="Chunks cannot be downloaded.")

    async def do_options(self, request: Request) -> Response:
        return Response(200, headers={"DAV": "1", "Allow": ", ".join(self.allowed_methods())})


def _length(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        length = int(value)
    except ValueError:
        raise DavError(400, message="bad OC-Total-Length") from None
    if length < 0:
        raise DavError(400, message="bad OC-Total-Length")
    return length


def _folder(href: str, upload: Upload | None) -> str:
    props = ["<d:resourcetype><d:collection/></d:resourcetype>"]
    if upload is not None:
        props.append(
            f"<d:getlastmodified>{http_date(upload.updated_at.timestamp())}</d:getlastmodified>"
        )
        props.append(
            f'<d:getetag>"{upload.public_id.hex}-{int(upload.updated_at.timestamp())}"</d:getetag>'
        )
    return davxml.response(href, {200: props})


def _part(href: str, part: UploadPart) -> str:
    return davxml.response(
        href,
        {
            200: [
                "<d:resourcetype/>",
                f"<d:getcontentlength>{part.size}</d:getcontentlength>",
                f"<d:getlastmodified>{http_date(part.created_at.timestamp())}</d:getlastmodified>",
                f'<d:getetag>"{part.pk}-{part.size}"</d:getetag>',
            ]
        },
    )


def _uploads(request: Request, match: re.Match[str]) -> Tree:
    return UploadsTree(request, match.group("user"))


register(r"^(?P<prefix>/remote\.php/dav/uploads/(?P<user>[^/]+))(?P<rest>/.*)?$", _uploads)
