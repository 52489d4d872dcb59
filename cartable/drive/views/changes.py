"""Changing things: new folders, renaming, moving and copying (with a folder picker),
deleting, favourites, homework boxes, and the upload form that works without JavaScript.

Each action has a page with its form (what works without JavaScript); the Drive script opens
the same form in a dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cartable.core.types import AuthedRequest
from cartable.drive import access, actions, errors, mounts
from cartable.drive.actions import filedrop, uploads
from cartable.drive.models import Node, ShareLink
from cartable.drive.views.common import (
    breadcrumbs,
    display_name,
    drive_errors,
    folder_url,
    load,
    safe_next,
)

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def parent_url(node: Node) -> str:
    return folder_url(node.parent) if node.parent is not None else reverse("drive:home")


@login_required
@drive_errors
def new_folder(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A new folder; with ``box=1``, a homework box in a class's folder (the class page's
    "New homework box")."""
    box = (request.POST.get("box") or request.GET.get("box")) == "1"
    parent, _allowed = load(request.user, public_id, "manage" if box else "upload")
    if box and parent.space.group_id is None:
        raise errors.Forbidden
    error = ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            if box:
                created = filedrop.create_homework_box(parent, name, by=request.user)
            else:
                created = actions.create_folder(parent, name, by=request.user)
        except (errors.Conflict, errors.InvalidName) as exc:
            error = exc.message
        else:
            if box:
                messages.success(
                    request,
                    _("Homework box “%(name)s” created: students can hand in their work.")
                    % {"name": created.name},
                )
                return redirect(folder_url(created))
            messages.success(request, _("Folder “%(name)s” created.") % {"name": created.name})
            return redirect(folder_url(parent))
    return render(
        request,
        "drive/forms/new_folder.html",
        {
            "node": parent,
            "box": box,
            "error": error,
            "crumbs": breadcrumbs(request.user, parent),
        },
    )


@login_required
@drive_errors
def rename(request: AuthedRequest, public_id: str) -> HttpResponse:
    node, _allowed = load(request.user, public_id, "edit")
    if node.is_root:
        raise errors.Forbidden
    error = ""
    if request.method == "POST":
        assert node.parent is not None  # noqa: S101 (not the root)
        try:
            actions.move(node, node.parent, request.POST.get("name", ""), by=request.user)
        except (errors.Conflict, errors.InvalidName) as exc:
            error = exc.message
        else:
            messages.success(request, _("Renamed."))
            return redirect(safe_next(request, parent_url(node)))
    return render(
        request,
        "drive/forms/rename.html",
        {
            "node": node,
            "error": error,
            "crumbs": breadcrumbs(request.user, node),
            "next": safe_next(request, ""),
        },
    )


def selected(request: HttpRequest, need: str) -> list[Node]:
    ids = request.POST.getlist("n") if request.method == "POST" else request.GET.getlist("n")
    nodes = [load(request.user, public_id, need)[0] for public_id in ids[:1000]]
    if not nodes:
        raise errors.DriveError(_("Select at least one file or folder."))
    if any(n.is_root for n in nodes):
        raise errors.Forbidden
    return nodes


@login_required
@drive_errors
def delete(request: AuthedRequest, public_id: str | None = None) -> HttpResponse:
    """To the trash: one node (``public_id``) or the selection (``n``)."""
    if public_id is not None:
        nodes = [load(request.user, public_id, "delete")[0]]
        if nodes[0].is_root:
            raise errors.Forbidden
    else:
        nodes = selected(request, "delete")
    back_to = safe_next(request, parent_url(nodes[0]))
    if request.method == "POST" and request.POST.get("confirm"):
        for node in nodes:
            actions.trash(node, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d item moved to the trash.",
                "%(count)d items moved to the trash.",
                len(nodes),
            )
            % {"count": len(nodes)},
        )
        return redirect(back_to)
    return render(
        request,
        "drive/forms/delete.html",
        {"nodes": nodes, "next": back_to, "crumbs": breadcrumbs(request.user, nodes[0])},
    )


@login_required
@drive_errors
def pick(request: AuthedRequest) -> HttpResponse:
    """Move or copy the selection: choose the destination folder, then confirm."""
    op = request.POST.get("op") or request.GET.get("op")
    if op not in ("move", "copy"):
        raise errors.DriveError()
    nodes = selected(request, "delete" if op == "move" else "view")
    if request.method == "POST":
        target, _allowed = load(request.user, request.POST.get("to"), "upload")
        done = 0
        for node in nodes:
            name = node.name
            if op == "copy" and node.parent_id == target.pk:
                name = actions.free_name(target, name)
            try:
                if op == "move":
                    actions.move(node, target, name, by=request.user)
                else:
                    actions.copy(node, target, name, by=request.user)
                done += 1
            except errors.DriveError as exc:
                messages.error(request, f"{node.name}: {exc.message}")
        if done:
            text = (
                ngettext("%(count)d item moved.", "%(count)d items moved.", done)
                if op == "move"
                else ngettext("%(count)d item copied.", "%(count)d items copied.", done)
            )
            messages.success(request, text % {"count": done})
        return redirect(folder_url(target))
    here = _picker_folder(request)
    moving = {n.pk for n in nodes}
    folders: list[Node] = []
    if here is None:
        root = actions.root_of(actions.personal_space(request.user))
        folders = [root] + [m.node for m in mounts.mounts(request.user)]
        for m in mounts.mounts(request.user):
            m.node.mount_name = m.name  # type: ignore[attr-defined]
        can_drop_here = False
    else:
        folders = [
            n
            for n in mounts.children(request.user, here)
            if n.is_folder and n.pk not in moving and n.is_root is False
        ]
        can_drop_here = "upload" in access.abilities(request.user, here)
    entries = [{"node": f, "name": display_name(f)} for f in folders]
    return render(
        request,
        "drive/forms/pick.html",
        {
            "op": op,
            "nodes": nodes,
            "here": here,
            "here_name": display_name(here) if here is not None else "",
            "crumbs": breadcrumbs(request.user, here) if here is not None else [],
            "entries": entries,
            "can_drop_here": can_drop_here and here is not None and here.pk not in moving,
            "query": "&".join(f"n={n.public_id}" for n in nodes) + f"&op={op}",
        },
    )


def _picker_folder(request: HttpRequest) -> Node | None:
    at = request.GET.get("at")
    if not at:
        return None
    node, _allowed = load(request.user, at, "view")
    if not node.is_folder:
        raise errors.NotFound
    return node


@login_required
@require_POST
@drive_errors
def favourite(request: AuthedRequest, public_id: str) -> HttpResponse:
    node, _allowed = load(request.user, public_id, "view")
    on = request.POST.get("on") == "1"
    actions.set_favourite(request.user, node, on)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"favourite": on})
    return redirect(safe_next(request, parent_url(node)))


@login_required
@require_POST
@drive_errors
def file_drop(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Turn a class folder into a homework box, or back."""
    node, _allowed = load(request.user, public_id, "manage")
    on = request.POST.get("on") == "1"
    filedrop.set_file_drop(node, on, by=request.user)
    messages.success(
        request,
        _("Students now hand in their work here; each sees only their own files.")
        if on
        else _("This folder is an ordinary folder again."),
    )
    return redirect(folder_url(node))


def upload_form(
    request: HttpRequest,
    folder: Node,
    *,
    by: Visitor | None,
    link: ShareLink | None = None,
    uploader: str = "",
) -> list[Node]:
    """The files of a plain multipart form (no JavaScript, or a public link page)."""
    stored: list[Node] = []
    conflict = request.POST.get("conflict", "rename")
    if conflict not in uploads.CONFLICT_MODES:
        conflict = "rename"
    paths = request.POST.getlist("paths")
    for index, upload in enumerate(request.FILES.getlist("files")):
        relative = paths[index] if index < len(paths) else ""
        parts = mounts.split_path(relative)[:-1] if relative else []
        stored.append(
            uploads.store(
                folder,
                parts,
                mounts.clean_name(upload.name or "file"),
                upload.chunks(),
                by=by,
                link=link,
                conflict=conflict,
                uploader=uploader,
                expected_size=upload.size,
            )
        )
    return stored


@login_required
@require_POST
@drive_errors
def upload(request: AuthedRequest, public_id: str) -> HttpResponse:
    folder, _allowed = load(request.user, public_id, "upload")
    stored = upload_form(request, folder, by=request.user)
    if stored:
        messages.success(
            request,
            ngettext("%(count)d file uploaded.", "%(count)d files uploaded.", len(stored))
            % {"count": len(stored)},
        )
    else:
        messages.error(request, _("Choose at least one file."))
    return redirect(folder_url(folder))
