"""Resumable uploads from the browser: the server side of the tus 1.0 protocol.

https://tus.io/protocols/resumable-upload — core protocol, with the creation, termination
and expiration extensions. The browser (tus-js-client) creates an upload with POST, sends
its bytes with PATCH in chunks of a few megabytes, and after a network cut asks with HEAD
where to resume. Each PATCH that arrives whole becomes one :class:`UploadPart` in platform
storage; a cut PATCH leaves nothing, so the offset is always the sum of whole parts and the
bytes are received once. When the last byte arrives, the parts are streamed through
``BlobWriter`` into the folder (``store_file``): a partial file is never visible in Drive.

The upload's destination is kept in ``Upload.destination`` as JSON: the folder's public id,
the relative folder path of a folder upload, the file name, and what to do if the name is
taken (``ask``: refuse with 409, ``replace``: a new version, ``rename``: keep both).
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from cartable.core.storage import save_stream, unique_name
from cartable.drive import errors
from cartable.drive.access import check
from cartable.drive.actions import free_bytes, resumable, uploads
from cartable.drive.models import Node, Upload
from cartable.drive.mounts import clean_name, split_path

log = logging.getLogger(__name__)

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
EXPIRY = timedelta(hours=24)
CHUNK = 1024 * 1024
# Where tus answers otherwise than the error's own status (cartable.drive.errors): 413 for a
# file that does not fit, 409 for an offset or a version that moved, 422 for a refused file.
STATUS_OVERRIDES = {
    errors.QuotaExceeded: 413,
    errors.PreconditionFailed: 409,
    errors.Infected: 422,
}


def _response(status: int, text: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(exc: errors.DriveError) -> HttpResponse:
    status = STATUS_OVERRIDES.get(type(exc), exc.status)
    # The browser tells a name conflict (ask what to do) from an offset conflict (resume).
    kind = "conflict" if isinstance(exc, errors.Conflict) else type(exc).__name__.lower()
    return _response(status, exc.message, X_Drive_Error=kind)


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _sep, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode()
        except ValueError as exc:  # binascii.Error, not ASCII, not UTF-8
            raise errors.InvalidName(_("The upload's description is not readable.")) from exc
    return metadata


def clean_dir(path: str) -> list[str]:
    return split_path(path) if path else []


def _offset(upload: Upload) -> int:
    return sum(upload.parts.values_list("size", flat=True))


def _own_upload(request: HttpRequest, upload_id: uuid.UUID) -> Upload | None:
    return Upload.objects.filter(
        public_id=upload_id, user_id=request.user.pk or 0, expires_at__gt=timezone.now()
    ).first()


def _expires(upload: Upload) -> str:
    return http_date(upload.expires_at.timestamp())


def _options() -> HttpResponse:
    response = _response(204, Tus_Version=VERSION, Tus_Extension=EXTENSIONS)
    return response


@csrf_protect
def endpoint(request: HttpRequest) -> HttpResponse:
    """``/drive/tus/``: OPTIONS (what the server supports) and POST (create an upload)."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        return _response(405, Allow="OPTIONS, POST")
    if not request.user.is_authenticated:
        return _response(401, _("Sign in to upload."))
    if request.headers.get("Tus-Resumable") != VERSION:
        return _response(412, Tus_Version=VERSION)
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return _response(400, _("The upload's size is missing."))
    if length < 0:
        return _response(400, _("The upload's size is missing."))
    try:
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
        upload = create(request.user, length, metadata)
    except errors.DriveError as exc:
        return _error(exc)
    location = request.build_absolute_uri(reverse("drive:tus_upload", args=[upload.public_id]))
    return _response(201, Location=location, Upload_Expires=_expires(upload))


def create(user: Any, length: int, metadata: dict[str, str]) -> Upload:
    """Check that the file may go where it is headed, and reserve the upload."""
    name = clean_name(metadata.get("filename", ""))
    parts = clean_dir(metadata.get("path", ""))
    conflict = metadata.get("conflict", "ask")
    if conflict not in uploads.CONFLICT_MODES:
        conflict = "ask"
    folder_id = _uuid(metadata.get("folder", ""))
    folder = (
        Node.objects.select_related("space").filter(public_id=folder_id, trashed=False).first()
        if folder_id is not None
        else None
    )
    if folder is None or not folder.is_folder:
        raise errors.NotFound()
    check(user, folder, "upload")
    if conflict == "ask" and uploads.existing(folder, parts, name, by=user) is not None:
        raise uploads.taken("/".join([*parts, name]))
    token = uuid.uuid4()
    return resumable.begin(
        folder.space,
        user=user,
        size=length,
        expires_at=timezone.now() + EXPIRY,
        public_id=token,
        name=f"tus-{token.hex}",
        destination=json.dumps(
            {"folder": str(folder.public_id), "dir": parts, "filename": name, "conflict": conflict}
        ),
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@csrf_protect
def upload_view(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    """``/drive/tus/<id>``: HEAD (the offset), PATCH (more bytes), DELETE (give up)."""
    if request.method == "OPTIONS":
        return _options()
    if not request.user.is_authenticated:
        return _response(401)
    if request.headers.get("Tus-Resumable") != VERSION:
        return _response(412, Tus_Version=VERSION)
    upload = _own_upload(request, upload_id)
    if upload is None:
        return _response(404)
    if request.method == "HEAD":
        return _response(
            200,
            Upload_Offset=str(_offset(upload)),
            Upload_Length=str(upload.total_size),
            Upload_Expires=_expires(upload),
        )
    if request.method == "DELETE":
        resumable.discard(upload)
        return _response(204)
    if request.method == "PATCH":
        return _patch(request, upload)
    return _response(405, Allow="OPTIONS, HEAD, PATCH, DELETE")


def _patch(request: HttpRequest, upload: Upload) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _response(415)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return _response(400)
    current = _offset(upload)
    if offset != current:
        return _response(409, Upload_Offset=str(current))
    total = upload.total_size or 0
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _response(400)
    if offset + length > total:
        return _response(413, _("More bytes were sent than announced."))
    if length and not _fits(upload, length):
        return _error(errors.QuotaExceeded())
    if length:
        stored = save_stream(
            unique_name("drive/uploads", "part"), _body(request, length), max_size=length
        )
        if stored.size != length:
            # The connection was cut: what arrived is not kept, the client resends it.
            default_storage.delete(stored.name)
            return _response(400, Upload_Offset=str(current))
        try:
            resumable.append(
                upload, f"{offset:020d}", stored.name, length, lifetime=EXPIRY, replace=False
            )
        except IntegrityError:
            # Another request stored these bytes first.
            default_storage.delete(stored.name)
            return _response(409, Upload_Offset=str(_offset(upload)))
    else:
        Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() + EXPIRY)
    upload.refresh_from_db()
    new_offset = offset + length
    headers = {"Upload_Offset": str(new_offset), "Upload_Expires": _expires(upload)}
    if new_offset < total:
        return _response(204, **headers)
    try:
        node = complete(upload)
    except errors.DriveError as exc:
        return _error(exc)
    return _response(204, X_Drive_Node=str(node.public_id), **headers)


def _fits(upload: Upload, length: int) -> bool:
    """Whether ``length`` more bytes fit in the destination's free space with what all the
    person's unfinished uploads hold already (``uploads.held_bytes``)."""
    folder_id = json.loads(upload.destination).get("folder", "")
    folder = Node.objects.select_related("space").filter(public_id=folder_id).first()
    if folder is None:
        return True  # the end of the upload says it is gone
    free = free_bytes(folder.space)
    return free is None or uploads.held_bytes(upload.user) + length <= free


def _body(request: HttpRequest, length: int) -> Iterator[bytes]:
    remaining = length
    while remaining > 0:
        chunk = request.read(min(CHUNK, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def complete(upload: Upload) -> Node:
    """Put the assembled bytes in Drive; the upload is gone afterwards, stored or refused."""
    dest = json.loads(upload.destination)
    try:
        folder = Node.objects.select_related("space").get(public_id=dest["folder"], trashed=False)
        node = uploads.store(
            folder,
            dest["dir"],
            dest["filename"],
            resumable.chunks(upload),
            by=upload.user,
            conflict=dest["conflict"],
            expected_size=upload.total_size,
        )
    except Node.DoesNotExist as exc:
        resumable.discard(upload)
        raise errors.NotFound() from exc
    except errors.DriveError:
        resumable.discard(upload)
        raise
    resumable.discard(upload)
    return node
