"""Public links: ``/drive/s/<token>``, for anyone who holds one.

A password, when the link has one, is asked once per browser session (and again if the owner
changes it). A viewer link shows its file or folder and lets people download unless the owner
hid downloads (then only the previews the server makes are shown, never the files' bytes);
an editor link also takes uploads; a **file drop** link only takes uploads: the visitor gives
their name, and sees only what they sent in this session, never others' files.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from cartable.core import limits
from cartable.core.http import serves_user_bytes
from cartable.drive import access, errors, mounts
from cartable.drive.models import Node, ShareLink
from cartable.drive.views.browse import listing_context
from cartable.drive.views.changes import upload_form
from cartable.drive.views.common import Crumb, drive_errors, load
from cartable.drive.views.files import file_context, serve
from cartable.drive.views.previews import preview_of
from cartable.drive.views.zips import zip_response

DROPPED_KEPT = 200


def _password_mark(link: ShareLink) -> str:
    return hashlib.sha256(f"{link.pk}:{link.password}".encode()).hexdigest()


def _unlocked(request: HttpRequest, link: ShareLink) -> bool:
    if not link.password:
        return True
    mark = request.session.get(f"drive_link_{link.pk}", "")
    return constant_time_compare(mark, _password_mark(link))


def the_link(request: HttpRequest, token: str) -> ShareLink:
    link = ShareLink.objects.select_related("node", "node__space").filter(token=token).first()
    if link is None or link.node.trashed:
        raise Http404(_("This link does not exist or no longer works."))
    return link


def _gate(request: HttpRequest, link: ShareLink) -> HttpResponse | None:
    """The page to show instead when the link has expired or its password is still needed."""
    if not access.link_is_usable(link):
        return render(request, "drive/public/expired.html", {"link": link}, status=410)
    if not _unlocked(request, link):
        return redirect("drive:link", link.token)
    return None


def _crumbs(link: ShareLink, node: Node) -> list[Crumb]:
    top = link.node
    crumbs = [Crumb(top.name, reverse("drive:link", args=[link.token]))]
    if node.pk == top.pk:
        return crumbs
    for n in access.lineage(node):
        if len(n.path) > len(top.path) and n.path.startswith(top.path + "/"):
            url = (
                reverse("drive:link_folder", args=[link.token, n.public_id])
                if n.is_folder
                else reverse("drive:link_file", args=[link.token, n.public_id])
            )
            crumbs.append(Crumb(n.name, url))
    return crumbs


def _dropped(request: HttpRequest, link: ShareLink) -> list[Node]:
    ids = request.session.get(f"drive_dropped_{link.pk}", [])
    return list(Node.objects.filter(public_id__in=ids, trashed=False).order_by("-created_at"))


def link_page(request: HttpRequest, token: str) -> HttpResponse:
    link = the_link(request, token)
    if not access.link_is_usable(link):
        return render(request, "drive/public/expired.html", {"link": link}, status=410)
    if not _unlocked(request, link):
        error, status = "", 200
        if request.method == "POST":
            try:
                attempt = limits.check_attempt(
                    "link_password", key=f"drive:{link.pk}", request=request
                )
            except limits.Limited as refusal:
                error, status = refusal.message, 429
            else:
                if access.link_password_matches(link, request.POST.get("password", "")):
                    attempt.succeeded()
                    request.session[f"drive_link_{link.pk}"] = _password_mark(link)
                    return redirect("drive:link", link.token)
                error, status = _("This password is not the right one."), 403
        return render(
            request, "drive/public/password.html", {"link": link, "error": error}, status=status
        )
    if link.file_drop:
        return render(
            request,
            "drive/public/drop.html",
            {
                "link": link,
                "node": link.node,
                "dropped": _dropped(request, link),
                "uploader": request.session.get("drive_uploader", ""),
            },
        )
    return _show(request, link, link.node)


def _show(request: HttpRequest, link: ShareLink, node: Node) -> HttpResponse:
    allowed = access.check(request.user, node, "view", link=link)
    context: dict[str, Any] = {
        "link": link,
        "node": node,
        "crumbs": _crumbs(link, node),
        "allowed": allowed,
    }
    if node.is_folder:
        items = mounts.children(request.user, node, link=link)
        context.update(listing_context(request, node, allowed, items))
        for row in context["rows"]:
            row.url = (
                reverse("drive:link_folder", args=[link.token, row.node.public_id])
                if row.node.is_folder
                else reverse("drive:link_file", args=[link.token, row.node.public_id])
            )
        return render(request, "drive/public/folder.html", context)
    context.update(file_context(node, allowed))
    if context["preview"]:
        size = context["preview"].rpartition("?")[2]
        context["preview"] = (
            reverse("drive:link_preview", args=[link.token, node.public_id]) + "?" + size
        )
    context["raw_url"] = reverse("drive:link_raw", args=[link.token, node.public_id])
    context["download_url"] = reverse("drive:link_download", args=[link.token, node.public_id])
    return render(request, "drive/public/file.html", context)


@drive_errors
def link_folder(request: HttpRequest, token: str, public_id: str) -> HttpResponse:
    link = the_link(request, token)
    if (gate := _gate(request, link)) is not None:
        return gate
    node, _allowed = load(request.user, public_id, "view", link=link)
    return _show(request, link, node)


link_file = link_folder


@drive_errors
@serves_user_bytes
def link_download(request: HttpRequest, token: str, public_id: str) -> HttpResponseBase:
    link = the_link(request, token)
    if (gate := _gate(request, link)) is not None:
        return gate
    node, _allowed = load(request.user, public_id, "download", link=link)
    if node.is_folder:
        return zip_response(request, [node], user=request.user, link=link)
    return serve(request, node, inline=False)


@drive_errors
@serves_user_bytes
def link_raw(request: HttpRequest, token: str, public_id: str) -> HttpResponseBase:
    link = the_link(request, token)
    if (gate := _gate(request, link)) is not None:
        return gate
    # The file's own bytes, shown or not: a view-only link ("hide download") does not give them.
    node, _allowed = load(request.user, public_id, "download", link=link)
    return serve(request, node, inline=True)


@require_safe
@drive_errors
@serves_user_bytes
def link_preview(request: HttpRequest, token: str, public_id: str) -> HttpResponseBase:
    """The thumbnail the server made (at most 1024 pixels, WebP), also for a view-only link."""
    link = the_link(request, token)
    if (gate := _gate(request, link)) is not None:
        return gate
    node, _allowed = load(request.user, public_id, "view", link=link)
    return preview_of(request, node)


@require_POST
@drive_errors
def link_upload(request: HttpRequest, token: str, public_id: str | None = None) -> HttpResponse:
    link = the_link(request, token)
    if (gate := _gate(request, link)) is not None:
        return gate
    folder, _allowed = load(request.user, public_id or link.node.public_id, "upload", link=link)
    uploader = request.POST.get("uploader", "").strip()[:150]
    if link.file_drop and not uploader and not request.user.is_authenticated:
        raise errors.DriveError(_("Give your name, so that your teacher knows who sent the work."))
    if uploader:
        request.session["drive_uploader"] = uploader
    by = request.user if request.user.is_authenticated else None
    stored = upload_form(request, folder, by=by, link=link, uploader=uploader)
    key = f"drive_dropped_{link.pk}"
    request.session[key] = [str(n.public_id) for n in stored] + request.session.get(key, [])[
        :DROPPED_KEPT
    ]
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"stored": [n.name for n in stored]})
    if stored:
        messages.success(
            request,
            ngettext("%(count)d file sent.", "%(count)d files sent.", len(stored))
            % {"count": len(stored)},
        )
    else:
        messages.error(request, _("Choose at least one file."))
    if public_id and not link.file_drop:
        return redirect("drive:link_folder", link.token, public_id)
    return redirect("drive:link", link.token)
