"""One file: its page (viewer, details, versions), its download, and its bytes shown inline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.core.http import serves_user_bytes, storage_response
from cartable.core.types import AuthedRequest
from cartable.drive import actions
from cartable.drive.models import Blob, Node, Version
from cartable.drive.views.common import breadcrumbs, drive_errors, load

TEXT_LIMIT = 512 * 1024
TEXT_TYPES = {
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-sh",
    "application/x-python",
    "application/sql",
    "application/x-yaml",
}
# A picture that may hold a script: never drawn by the viewer.
INLINE_REFUSED = {"image/svg+xml"}


def viewer_kind(node: Node) -> str:
    mime = node.mime_type or ""
    if mime in INLINE_REFUSED:
        return "image-svg"
    if mime.startswith("image/"):
        return "image"
    if mime == "application/pdf":
        return "pdf"
    if mime.startswith("audio/"):
        return "audio"
    if mime.startswith("video/"):
        return "video"
    if mime.startswith("text/") or mime in TEXT_TYPES:
        return "text"
    return ""


def preview_url(node: Node, size: int = 1024) -> str:
    """The previews module's thumbnail of ``node``, when that module is installed."""
    try:
        return reverse("drive:preview", args=[node.public_id]) + f"?size={size}"
    except NoReverseMatch:
        return ""


def read_text(node: Node) -> tuple[str, bool]:
    """The start of a text file, decoded; and whether it was cut."""
    if node.blob is None:
        return "", False
    fh = actions.open_blob(node.blob)
    try:
        data = fh.read(TEXT_LIMIT + 1)
    finally:
        fh.close()
    return data[:TEXT_LIMIT].decode("utf-8", errors="replace"), len(data) > TEXT_LIMIT


def file_context(node: Node, allowed: frozenset[str]) -> dict[str, Any]:
    # Whoever may not download (a view-only link) sees the preview made by the server, never
    # the file's own bytes: no image, PDF, media or text of the file itself.
    kind = viewer_kind(node) if "download" in allowed else ""
    context: dict[str, Any] = {
        "node": node,
        "allowed": allowed,
        "kind": kind,
        "preview": preview_url(node) if kind not in ("audio", "text") else "",
    }
    if kind == "text":
        context["text"], context["text_cut"] = read_text(node)
    return context


@login_required
@drive_errors
def file_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    node, allowed = load(request.user, public_id, "view")
    if node.is_folder:
        return redirect("drive:folder", node.public_id)
    context = file_context(node, allowed)
    context.update(
        {
            "crumbs": breadcrumbs(request.user, node),
            "raw_url": reverse("drive:raw", args=[node.public_id]),
            "download_url": reverse("drive:download", args=[node.public_id]),
            "versions": list(actions.versions(node)[:50]),
            "favourite": node.favourites.filter(user=request.user).exists(),
        }
    )
    return render(request, "drive/file.html", context)


def serve(
    request: HttpRequest,
    node: Node,
    *,
    inline: bool,
    blob: Blob | None = None,
    etag: str | None = None,
) -> HttpResponseBase:
    """The file's bytes, as an attachment or, when ``inline`` and the type is one browsers
    show without running anything (``cartable.core.http.shown_inline``), shown."""
    blob = blob or node.blob
    if node.is_folder or blob is None:
        raise Http404
    mime = node.mime_type or "application/octet-stream"
    if inline and (mime.startswith("text/") or mime in TEXT_TYPES):
        # Source code, HTML or XML is shown as its text, never rendered.
        mime = "text/plain; charset=utf-8"
    response = storage_response(
        request,
        blob.storage_name,
        filename=node.name,
        content_type=mime,
        etag=etag or node.etag,
        inline=inline,
        size=blob.size,
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@drive_errors
@serves_user_bytes
def download(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    node, _allowed = load(request.user, public_id, "download")
    return serve(request, node, inline=False)


@login_required
@drive_errors
@serves_user_bytes
def raw(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    node, _allowed = load(request.user, public_id, "download")
    return serve(request, node, inline=True)


def _version(node: Node, version_id: int) -> Version:
    version = (
        Version.objects.select_related("blob", "node").filter(pk=version_id, node=node).first()
    )
    if version is None:
        raise Http404
    return version


@login_required
@drive_errors
@serves_user_bytes
def version_download(request: AuthedRequest, public_id: str, version_id: int) -> HttpResponseBase:
    node, _allowed = load(request.user, public_id, "download")
    version = _version(node, version_id)
    return serve(request, node, inline=False, blob=version.blob, etag=f"v{version.pk}")


@login_required
@require_POST
@drive_errors
def version_restore(request: AuthedRequest, public_id: str, version_id: int) -> HttpResponse:
    node, _allowed = load(request.user, public_id, "edit")
    actions.restore_version(_version(node, version_id), by=request.user)
    messages.success(request, _("The earlier version is back; the current one was kept."))
    return redirect("drive:file", node.public_id)
