"""``GET /drive/preview/<file id>?size=256``: a file's thumbnail, for whoever may view the file."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from cartable.core import jobs
from cartable.core.http import serves_user_bytes
from cartable.drive import access, previews
from cartable.drive.errors import DriveError
from cartable.drive.models import Node


def _requested_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", previews.DEFAULT_SIZE))
    except ValueError:
        size = previews.DEFAULT_SIZE
    return previews.box_for(max(1, size))


def _headers(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["ETag"] = etag
    # The file may get new contents (a new blob) at the same address, and its sharing may
    # end: the browser keeps the image but asks each time, and a 304 costs one query.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
@serves_user_bytes
def preview(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    node = (
        Node.objects.select_related("blob")
        .filter(public_id=public_id, kind=Node.Kind.FILE, trashed=False)
        .first()
    )
    if node is None or node.blob is None:
        raise Http404
    try:
        access.check(request.user, node, "view")
    except DriveError:
        raise Http404 from None
    return preview_of(request, node)


def preview_of(request: HttpRequest, node: Node) -> HttpResponseBase:
    """The thumbnail of a file the person may view (the caller checked it)."""
    if node.is_folder or node.blob is None:
        raise Http404
    blob = node.blob
    size = _requested_size(request)
    etag = f'"{blob.pk}-{size}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return _headers(HttpResponseNotModified(), etag)
    found = previews.cached_preview(blob, size)
    if found is None and previews.previewable(node.mime_type) and not previews.has_failed(blob):
        if previews.kind_of(node.mime_type) in previews.FAST_KINDS:
            found = previews.make_preview(blob, node.mime_type, size)
        else:
            # LibreOffice or ffmpeg: seconds of work, for the job queue, not this request.
            jobs.now("drive.previews", blob.pk, node.mime_type)
            found = previews.cached_preview(blob, size)  # jobs run inline in some setups
            if found is None:
                response = HttpResponse(status=404)
                response["Retry-After"] = "10"
                response["Cache-Control"] = "no-store"
                return response
    if found is None:
        raise Http404
    # A preview is a small image, read whole: no synchronous stream for the ASGI server to
    # drain in threads.
    with found.open() as fh:
        return _headers(HttpResponse(fh.read(), content_type=found.content_type), etag)
