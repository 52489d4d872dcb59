from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cartable.accounts.models import Group
from cartable.core.permissions import visible
from cartable.core.roles import Reach
from cartable.core.types import AuthedRequest
from cartable.pad import actions, ids
from cartable.pad.access import access_pad, resolve, who_has_access
from cartable.pad.actions import authors
from cartable.pad.models import Pad
from cartable.pad.views.common import session_ids
from cartable.pad.views.forms import GuestNameForm, NewPadForm
from cartable.pad.views.io import transfer_context


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    groups = list(
        Group.objects.filter(memberships__user=request.user, archived_at__isnull=True).order_by(
            "name"
        )
    )
    form = NewPadForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        if request.user.is_student and not form.cleaned_data["group"]:
            form.add_error("group", _("Students create pads for one of their classes."))
        else:
            try:
                pad = actions.create_pad(
                    owner=request.user,
                    title=form.cleaned_data["title"],
                    group=form.groups.get(form.cleaned_data["group"]),
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                return redirect(pad)
    pads = visible(request.user, Pad.objects.all()).order_by("-last_edited_at", "-created_at")[:100]
    return render(request, "pad/index.html", {"form": form, "pads": pads})


def pad_page(request: HttpRequest, pad_id: str) -> HttpResponse:
    access = resolve(request.user, pad_id, session_ids=session_ids(request))
    if access is None:
        # As in Etherpad, visiting a free name creates the pad — for signed-in staff only.
        if (
            request.user.is_authenticated
            and request.user.is_staff_member
            and ids.is_valid_pad_id(pad_id)
            and not pad_id.startswith(("r.", "g."))
        ):
            if request.method == "POST":
                pad = actions.create_pad(owner=request.user, pad_id=pad_id)
                return redirect(pad)
            return render(request, "pad/create_named.html", {"pad_id": pad_id}, status=404)
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return render(request, "404.html", status=404)
    pad = access.pad
    author = None
    if request.user.is_authenticated:
        author = authors.author_for_user(request.user)
    elif access.session_author_pk is None:
        form = GuestNameForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            authors.guest_author(request.session, form.cleaned_data["name"])
            return redirect(request.path)
        author = authors.guest_author(request.session)
        if author is None and access.can_edit:
            return render(request, "pad/guest_name.html", {"form": form, "pad": pad})
    return render(
        request,
        "pad/pad.html",
        {
            "pad": pad,
            "access": access,
            "author": author,
            # The id the visitor came with: a read-only visitor never learns the editing id.
            "page_pad_id": pad_id,
            "ws_path": f"/ws/pad/{pad_id}",
            "readonly_url": request.build_absolute_uri(pad.get_readonly_url()),
            "edit_url": request.build_absolute_uri(pad.get_absolute_url()),
            **transfer_context(),
        },
    )


@login_required
def settings_view(request: AuthedRequest, pad_id: str) -> HttpResponse:
    access = access_pad(request.user, pad_id, "share")
    pad = access.pad
    if request.method == "POST":
        if request.POST.get("action") == "delete" and "delete" in access:
            actions.delete_pad(pad, by=request.user)
            messages.success(request, _("The pad is deleted."))
            return redirect("pad:index")
        if "title" in request.POST:
            actions.rename_pad(pad, request.POST["title"], by=request.user)
        if request.POST.get("reach"):
            try:
                actions.set_reach(pad, request.POST["reach"], by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("pad:settings", pad_id)
        messages.success(request, _("Saved."))
        return redirect(pad)
    return render(
        request,
        "pad/settings.html",
        {
            "pad": pad,
            "access": access,
            "who_has_access": who_has_access(pad),
            "reaches": [
                (r.value, r.label)
                for r in (
                    Reach.RESTRICTED,
                    Reach.STRUCTURE,
                    Reach.PLATFORM,
                    Reach.LINK,
                    Reach.PUBLIC,
                )
            ],
        },
    )


@require_GET
def authors_json(request: HttpRequest, pad_id: str) -> JsonResponse:
    """Names and colours of everyone who wrote in the pad, for the author list and colours."""
    access = access_pad(request.user, pad_id, "view", session_ids=session_ids(request))
    found = authors.authors_of_pad(access.pad)
    return JsonResponse(
        {"authors": {a.author_id: {"name": a.name, "colour": a.colour} for a in found}}
    )
