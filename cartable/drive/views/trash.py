"""The trash: what was deleted, restorable by whoever deleted it and by the space's owners."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cartable.accounts.models import User
from cartable.core.roles import Role
from cartable.core.types import AuthedRequest
from cartable.drive import access, actions, errors
from cartable.drive.models import Node, Space
from cartable.drive.views.common import drive_errors


def managed_spaces(user: User) -> list[Space]:
    """The spaces whose whole trash ``user`` looks after: theirs, and classes they manage."""
    own = actions.personal_space(user)
    managed = [gid for gid, role in user.group_roles().items() if role in ("owner", "manager")]
    return [own, *Space.objects.filter(group_id__in=managed)]


def trashed_for(user: User) -> list[Node]:
    spaces = managed_spaces(user)
    query = Q(space__in=spaces) | Q(trashed_by=user)
    return list(
        Node.objects.filter(query, trashed_at__isnull=False)
        .select_related("space", "space__group", "trashed_by")
        .order_by("-trashed_at")[:500]
    )


@login_required
@drive_errors
def trash_page(request: AuthedRequest) -> HttpResponse:
    items = trashed_for(request.user)
    own = actions.personal_space(request.user)
    return render(
        request,
        "drive/trash.html",
        {
            "items": items,
            "own_count": sum(1 for n in items if n.space_id == own.pk),
            "trash_days": settings.DRIVE_TRASH_DAYS,
        },
    )


def trashed(request: AuthedRequest, public_id: str) -> Node:
    node = (
        Node.objects.select_related("space")
        .filter(public_id=public_id, trashed_at__isnull=False)
        .first()
    )
    if node is None:
        raise errors.NotFound
    actions.check_trash_access(node, request.user)
    return node


@login_required
@require_POST
@drive_errors
def restore(request: AuthedRequest, public_id: str) -> HttpResponse:
    node = actions.restore(trashed(request, public_id), by=request.user)
    messages.success(request, _("“%(name)s” is back in its folder.") % {"name": node.name})
    return redirect("drive:trash")


@login_required
@require_POST
@drive_errors
def purge(request: AuthedRequest, public_id: str) -> HttpResponse:
    node = trashed(request, public_id)
    actions.purge(node, by=request.user)
    messages.success(request, _("“%(name)s” is deleted for good.") % {"name": node.name})
    return redirect("drive:trash")


@login_required
@require_POST
@drive_errors
def empty(request: AuthedRequest) -> HttpResponse:
    space = actions.personal_space(request.user)
    if access.space_role(request.user, space) != Role.OWNER:
        raise errors.Forbidden
    count = actions.empty_trash(space, by=request.user)
    messages.success(
        request,
        ngettext("%(count)d item deleted for good.", "%(count)d items deleted for good.", count)
        % {"count": count},
    )
    return redirect("drive:trash")
