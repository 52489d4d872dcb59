"""Watching a video: its page, and the HLS files its player reads (each one checked against
the same rule as the page: whoever may not watch gets 404, on every file)."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from cartable.core.http import serves_user_bytes, storage_response
from cartable.tube.access import check_video
from cartable.tube.errors import TubeError
from cartable.tube.models import Video

# The files ffmpeg makes for a video, and nothing else: the master playlist, and each
# rendition's playlist and numbered segments (cartable.tube.media.hls_command).
HLS_FILE = re.compile(r"(?:master\.m3u8|(?:\d{2,4}p|audio)/(?:index\.m3u8|\d{5}\.ts))")
PLAYLIST = "application/vnd.apple.mpegurl"
SEGMENT = "video/mp2t"


def tube_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Tube's errors as the web answers them (one mapping: each error's ``status``); a video
    one may not see is not found."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except TubeError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from None
            return HttpResponse(exc.message, status=exc.status, content_type="text/plain")

    return wrapped


def _video(request: HttpRequest, public_id: uuid.UUID) -> Video:
    video = Video.objects.select_related("channel").filter(public_id=public_id).first()
    if video is None:
        raise Http404
    check_video(request.user, video, "view")
    return video


@tube_errors
def watch(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    video = _video(request, public_id)
    playable = video.state == Video.State.PUBLISHED
    return render(
        request,
        "tube/watch.html",
        {
            "video": video,
            "playable": playable,
            "master": reverse("tube:hls", args=[video.public_id, "master.m3u8"]),
        },
    )


@tube_errors
@serves_user_bytes
def hls(request: HttpRequest, public_id: uuid.UUID, name: str) -> HttpResponseBase:
    if not HLS_FILE.fullmatch(name):
        raise Http404
    video = _video(request, public_id)
    if video.state != Video.State.PUBLISHED:
        raise Http404
    stored = f"{video.folder}/hls/{name}"
    response: HttpResponseBase
    if name.endswith(".m3u8"):
        # Playlists are read here, never handed to the object store: the segments they name
        # are found beside them, through this view.
        try:
            with default_storage.open(stored, "rb") as fh:
                body = fh.read(1024 * 1024)
        except FileNotFoundError:
            raise Http404 from None
        response = HttpResponse(body, content_type=PLAYLIST)
    else:
        response = storage_response(request, stored, content_type=SEGMENT, inline=True)
    response["Cache-Control"] = "private, max-age=3600"
    return response
