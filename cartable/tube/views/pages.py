"""Tube's pages: its home (the channels one may watch, the newest videos, a new channel),
a channel (its videos, and for its publishers the form to send one)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.accounts.models import Group
from cartable.core.types import AuthedRequest
from cartable.tube.access import (
    check_channel,
    listed_videos,
    may_create_channel,
    visible_channels,
)
from cartable.tube.actions.publishing import create_channel, publish
from cartable.tube.errors import TubeError
from cartable.tube.models import Channel
from cartable.tube.views.watching import tube_errors


class ChannelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the channel"), max_length=120)


class VideoForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    file = forms.FileField(label=gettext_lazy("Video or audio file"))


def _group(request: HttpRequest) -> Group | None:
    value = request.GET.get("group") or request.POST.get("group") or ""
    try:
        return Group.objects.filter(public_id=uuid.UUID(value)).first() if value else None
    except ValueError:
        return None


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    group = _group(request)
    may_create = may_create_channel(request.user, group)
    form = ChannelForm(request.POST or None)
    if request.method == "POST":
        if not may_create:
            messages.error(request, _("You may not create a channel here."))
        elif form.is_valid():
            channel = create_channel(
                form.cleaned_data["name"],
                by=request.user,
                group_id=group.pk if group is not None else None,
            )
            return redirect("tube:channel", channel.public_id)
    channels = visible_channels(request.user)
    return render(
        request,
        "tube/index.html",
        {
            "channels": channels.select_related("owner_group"),
            "videos": listed_videos(channels, limit=24),
            "form": form if may_create else None,
            "group": group,
        },
        status=400 if request.method == "POST" else 200,
    )


def _channel(request: HttpRequest, public_id: uuid.UUID) -> tuple[Channel, frozenset[str]]:
    """The channel and what the person may do with it; 404 for whoever may not see it."""
    channel = Channel.objects.filter(public_id=public_id).first()
    if channel is None:
        raise Http404
    return channel, check_channel(request.user, channel, "view")


@login_required
@tube_errors
def channel(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponseBase:
    found, allowed = _channel(request, public_id)
    may_publish = "publish" in allowed
    if request.method == "POST" and not may_publish:
        # Refused before the body is read: a viewer's upload is never parsed nor spooled.
        raise Http404
    form = VideoForm(request.POST or None, request.FILES or None) if may_publish else None
    status = 200
    if form is not None and request.method == "POST":
        if form.is_valid():
            sent = form.cleaned_data["file"]
            try:
                video = publish(
                    found,
                    sent.chunks(),
                    filename=sent.name or "",
                    title=form.cleaned_data["title"],
                    by=request.user,
                )
            except TubeError as exc:
                form.add_error("file", exc.message)
                status = exc.status
            else:
                return redirect("tube:watch", video.public_id)
        else:
            status = 400
    return render(
        request,
        "tube/channel.html",
        {
            "channel": found,
            "videos": listed_videos(Channel.objects.filter(pk=found.pk), unpublished=may_publish),
            "form": form,
        },
        status=status,
    )
