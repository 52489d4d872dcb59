from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from cartable.core.registry import registry


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "platform_name": settings.PLATFORM_NAME,
        "unread_notifications": unread,
        "tool_nav": tool_nav(request),
    }


def tool_nav(request: HttpRequest) -> list[dict[str, Any]]:
    """The top bar's entries of the tools that registered one, for this person: the entry of
    the tool whose page this is is current (``"page"`` on its own first page)."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    here = set(match.namespaces) if match is not None else set()
    entries = []
    for entry in registry.ordered_nav():
        if not entry.shown_to(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        current = ""
        if here & set(entry.namespaces):
            current = "page" if request.path == url else "true"
        entries.append({"key": entry.key, "label": entry.label, "url": url, "current": current})
    return entries
