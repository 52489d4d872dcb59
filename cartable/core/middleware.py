from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cartable.core.models import DailyActivity


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's, until they switch again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = (
                request.session.get("cartable_language") if hasattr(request, "session") else None
            )
            if language:
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


ACTIVITY_REFRESH_SECONDS = 300


class ActivityMiddleware:
    """Marks a signed-in user active today, and refreshes the session's "last seen", rarely.

    Both write to the database, so both happen at most once per session and day (activity)
    or every five minutes (last seen), never on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            today = timezone.localdate().isoformat()
            if request.session.get("cartable_active_day") != today:
                DailyActivity.objects.get_or_create(day=today, user=user)
                request.session["cartable_active_day"] = today
            now = int(time.time())
            if (
                now - request.session.get("cartable_seen_at", 0) > ACTIVITY_REFRESH_SECONDS
                and request.session.session_key
            ):
                UserSession.objects.create_from_request(request)
                request.session["cartable_seen_at"] = now
        return self.get_response(request)


class ServerSendMiddleware:
    """ASGI: keep the server's own ``send`` in the scope, as ``server_send``.

    Channels' session middleware wraps ``send`` to save a changed session when an HTTP response
    starts; for a websocket message it saves nothing, but still looks at the (lazy) session on
    every message. A consumer that sends many messages (a pad's broadcast: one per editor)
    sends its websocket messages with this one instead.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await self.inner({**scope, "server_send": send}, receive, send)
