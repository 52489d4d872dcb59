from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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


class ActivityMiddleware:
    """Marks a signed-in user active today, once per session and day."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from django.utils import timezone

            today = timezone.localdate().isoformat()
            if request.session.get("cartable_active_day") != today:
                from cartable.core.models import DailyActivity

                DailyActivity.objects.get_or_create(day=today, user=user)
                request.session["cartable_active_day"] = today
        return self.get_response(request)
