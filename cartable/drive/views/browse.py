"""Looking around: the Drive root, folders, search, favourites, recent files, activity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cartable.accounts.models import User
from cartable.core.models import Grant
from cartable.core.types import AuthedRequest
from cartable.drive import access, mounts
from cartable.drive.actions import free_bytes, personal_space, quota_of, root_of
from cartable.drive.models import Activity, Favourite, Node, Space
from cartable.drive.views.common import (
    breadcrumbs,
    drive_errors,
    fold,
    folder_url,
    load,
    rows,
    sort_nodes,
)

if TYPE_CHECKING:
    from cartable.core.types import Visitor

PAGE_SIZE = 500
RESULTS = 100


def listing_context(
    request: HttpRequest,
    node: Node,
    allowed: frozenset[str],
    items: list[Node],
    own: access.Access | None = None,
) -> dict[str, Any]:
    sort = request.GET.get("sort", "name")
    order = "desc" if request.GET.get("order") == "desc" else "asc"
    query = request.GET.get("q", "").strip()
    if query:
        wanted = fold(query)
        items = [n for n in items if wanted in fold(getattr(n, "mount_name", "") or n.name)]
    items = sort_nodes(items, sort, order)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    listed = rows(request.user, page.object_list, folder=node, own=own)
    # The selection bar offers what every row that can be selected allows.
    selectable = [r.abilities for r in listed if not getattr(r.node, "mount_name", "")]
    bulk = frozenset.intersection(*selectable) if selectable else frozenset()
    sort = sort if sort in ("name", "size", "date") else "name"
    columns = {}
    for key in ("name", "size", "date"):
        flip = "desc" if key == sort and order == "asc" else "asc"
        columns[key] = {
            "url": "?" + urlencode({"sort": key, "order": flip, **({"q": query} if query else {})}),
            "aria_sort": ("ascending" if order == "asc" else "descending") if key == sort else "",
        }
    return {
        "columns": columns,
        "sort": sort,
        "order": order,
        "q": query,
        "page": page,
        "rows": listed,
        "show_uploader": node.file_drop or any(r.uploader for r in listed),
        "allowed": allowed,
        "bulk": bulk,
    }


def folder_page(request: HttpRequest, node: Node, allowed: frozenset[str]) -> HttpResponse:
    user = request.user
    state = access.access_of(user, node)
    items = mounts.children(user, node)
    space = node.space
    quota = quota_of(space) if "manage" in allowed else None
    context = {
        "node": node,
        "crumbs": breadcrumbs(user, node),
        "dropping": state.dropping,
        "is_home": node.is_root and space.user_id == user.pk,
        "quota": quota,
        "used": space.used,
        "free": free_bytes(space) if quota is not None else None,
        "trash_days": settings.DRIVE_TRASH_DAYS,
        **listing_context(request, node, allowed, items, state),
        "shared_with_class": shared_with_group(user, space) if node.is_root else [],
    }
    return render(request, "drive/folder.html", context)


def shared_with_group(user: Visitor, space: Space) -> list[dict[str, Any]]:
    """What was shared with the class (or group) whose folder this is: shown in it, so that
    pupils find it where they look for their class's documents."""
    if space.group_id is None:
        return []
    sharers = {
        g.object_id: g.granted_by
        for g in Grant.objects.filter(
            content_type=ContentType.objects.get_for_model(Node), group_id=space.group_id
        ).select_related("granted_by")
    }
    nodes = (
        Node.objects.filter(pk__in=list(sharers), trashed=False)
        .exclude(space=space)
        .select_related("space")
        .order_by("name")
    )
    return [
        {"node": n, "url": folder_url(n), "by": sharers.get(n.pk)}
        for n in nodes
        if "view" in access.abilities(user, n)
    ]


@login_required
@drive_errors
def home(request: AuthedRequest) -> HttpResponse:
    root = root_of(personal_space(request.user))
    allowed = access.check(request.user, root, "view")
    return folder_page(request, root, allowed)


@login_required
@drive_errors
def folder(request: AuthedRequest, public_id: str) -> HttpResponse:
    node, allowed = load(request.user, public_id, "view")
    if not node.is_folder:
        return redirect("drive:file", node.public_id)
    return folder_page(request, node, allowed)


def scope(user: User) -> Q:
    return mounts.scope(user) & Q(trashed=False, parent__isnull=False)


def where(user: User, node: Node) -> str:
    path = mounts.user_path_of(user, node)
    if not path:
        return ""
    return path.rsplit("/", 1)[0] or "/"


@login_required
@drive_errors
def search(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found: list[Node] = []
    if query:
        found = list(
            Node.objects.filter(scope(request.user), name__icontains=query)
            .select_related("space", "space__group")
            .order_by("-mtime")[: RESULTS * 2]
        )
        found = access.visible_among(request.user, found)[:RESULTS]
    listed = rows(request.user, found)
    for row in listed:
        row.where = where(request.user, row.node)
    return render(
        request, "drive/search.html", {"q": query, "rows": listed, "searched": bool(query)}
    )


@login_required
@drive_errors
def favourites(request: AuthedRequest) -> HttpResponse:
    nodes = [
        f.node
        for f in Favourite.objects.filter(user=request.user, node__trashed=False)
        .select_related("node", "node__space", "node__space__group")
        .order_by("node__name")
        if "view" in access.abilities(request.user, f.node)
    ]
    listed = rows(request.user, nodes)
    for row in listed:
        row.where = where(request.user, row.node)
    return render(request, "drive/favourites.html", {"rows": listed})


@login_required
@drive_errors
def recent(request: AuthedRequest) -> HttpResponse:
    found = list(
        Node.objects.filter(scope(request.user), kind=Node.Kind.FILE)
        .select_related("space", "space__group")
        .order_by("-mtime")[: RESULTS * 2]
    )
    found = access.visible_among(request.user, found)[:50]
    listed = rows(request.user, found)
    for row in listed:
        row.where = where(request.user, row.node)
    return render(request, "drive/recent.html", {"rows": listed})


@login_required
@drive_errors
def activity(request: AuthedRequest, public_id: str) -> HttpResponse:
    node, allowed = load(request.user, public_id, "view")
    entries = Activity.objects.filter(folder=node).select_related("actor", "node")
    if access.access_of(request.user, node).dropping:
        # A homework box: each student sees what they did, not what the others handed in.
        entries = entries.filter(actor=request.user)
    return render(
        request,
        "drive/activity.html",
        {
            "node": node,
            "crumbs": breadcrumbs(request.user, node),
            "entries": entries[:200],
            "folder_url": reverse("drive:folder", args=[node.public_id]),
        },
    )
