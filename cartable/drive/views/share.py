"""The share dialog: people, classes and groups, public links (and file drop links)."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from cartable.accounts.models import User
from cartable.core.models import Grant
from cartable.core.roles import Role
from cartable.core.types import AuthedRequest
from cartable.drive import errors
from cartable.drive.actions import sharing
from cartable.drive.models import Node, ShareLink
from cartable.drive.views.common import breadcrumbs, display_name, drive_errors, load

PEOPLE_LIMIT = 20


def roles_for(node: Node) -> list[tuple[str, str]]:
    roles = [(Role.VIEWER.value, _("Can view")), (Role.EDITOR.value, _("Can edit"))]
    if node.is_folder:
        roles.append((Role.MANAGER.value, _("Can manage and share")))
    return roles


def people(user: User, query: str) -> list[User]:
    return sharing.sharees(user, query, PEOPLE_LIMIT)


def person_label(person: User) -> str:
    return f"{person.get_display_name()} <{person.email}>" if person.email else str(person)


@login_required
def people_json(request: AuthedRequest) -> JsonResponse:
    found = people(request.user, request.GET.get("q", ""))
    return JsonResponse(
        {"people": [{"id": str(p.public_id), "label": person_label(p)} for p in found]}
    )


def grants_of(node: Node) -> list[Grant]:
    return list(
        Grant.objects.filter(
            content_type=ContentType.objects.get_for_model(Node), object_id=node.pk
        )
        .select_related("user", "group")
        .order_by("created_at")
    )


def link_url(request: HttpRequest, link: ShareLink) -> str:
    return request.build_absolute_uri(reverse("drive:link", args=[link.token]))


def _expiry(value: str) -> datetime | None:
    day = parse_date(value or "")
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise errors.NotFound from None


def _pick_person(request: AuthedRequest) -> tuple[User | None, list[User]]:
    """The person the form names: a chosen id, or the one match of what was typed."""
    chosen = request.POST.get("person")
    if chosen:
        try:
            return sharing.find_sharee(request.user, public_id=chosen), []
        except errors.NotFound:
            return None, []
    typed = request.POST.get("who", "")
    if "<" in typed and typed.endswith(">"):
        typed = typed.rsplit("<", 1)[1].rstrip(">")
    candidates = people(request.user, typed)
    exact = [p for p in candidates if p.email and p.email.lower() == typed.strip().lower()]
    if exact:
        return exact[0], []
    if len(candidates) == 1:
        return candidates[0], []
    return None, candidates


def _do(request: AuthedRequest, node: Node) -> list[User]:
    """Carry out the posted change; the candidates when a typed name was ambiguous."""

    action = request.POST.get("action")
    role = request.POST.get("role", Role.VIEWER)
    if role not in dict(roles_for(node)):
        role = Role.VIEWER
    if action == "user":
        person, candidates = _pick_person(request)
        if person is None:
            if not candidates:
                messages.error(request, _("Nobody of your school or classes matches this name."))
            return candidates
        sharing.share_with_user(node, person, role, by=request.user)
        messages.success(request, _("Shared with %(name)s.") % {"name": person.get_display_name()})
    elif action == "group":
        group = sharing.find_group(request.user, request.POST.get("group", ""))
        sharing.share_with_group(node, group, role, by=request.user)
        messages.success(request, _("Shared with %(name)s.") % {"name": group.name})
    elif action == "link":
        kind = request.POST.get("kind", "viewer")
        file_drop = kind == "drop" and node.is_folder
        link_role = Role.EDITOR if kind == "editor" and node.is_folder else Role.VIEWER
        sharing.create_link(
            node,
            by=request.user,
            role=Role.EDITOR if file_drop else link_role,
            file_drop=file_drop,
            password=request.POST.get("password", ""),
            expires_at=_expiry(request.POST.get("expires", "")),
            hide_download=bool(request.POST.get("hide_download")),
        )
        messages.success(request, _("Link created: copy it below."))
    elif action == "revoke-grant":
        grant = next((g for g in grants_of(node) if str(g.pk) == request.POST.get("grant")), None)
        if grant is None:
            raise errors.NotFound
        sharing.unshare(grant, by=request.user)
        messages.success(
            request, _("No longer shared with %(name)s.") % {"name": grant.user or grant.group}
        )
    elif action == "revoke-link":
        link = node.links.filter(public_id=_uuid(request.POST.get("link", ""))).first()
        if link is None:
            raise errors.NotFound
        sharing.unshare(link, by=request.user)
        messages.success(request, _("The link no longer works."))
    return []


@login_required
@drive_errors
def share(request: AuthedRequest, public_id: str) -> HttpResponse:
    node, _allowed = load(request.user, public_id, "share")
    candidates: list[User] = []
    if request.method == "POST":
        candidates = _do(request, node)
        if not candidates:
            return redirect("drive:share", node.public_id)
    groups = sharing.sharee_groups(request.user).filter(archived_at__isnull=True).order_by("name")
    links = [(link, link_url(request, link)) for link in node.links.order_by("created_at")]
    return render(
        request,
        "drive/share.html",
        {
            "node": node,
            "name": display_name(node),
            "crumbs": breadcrumbs(request.user, node),
            "roles": roles_for(node),
            "grants": grants_of(node),
            "groups": groups,
            "links": links,
            "candidates": candidates,
            "who": request.POST.get("who", ""),
            "now": timezone.now(),
        },
    )
