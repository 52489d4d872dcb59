"""What every pad view needs: who is asking, through which Etherpad sessions."""

from __future__ import annotations

from django.http import HttpRequest

from cartable.pad.access import PadAccess
from cartable.pad.actions import authors
from cartable.pad.models import PadAuthor


def session_ids(request: HttpRequest) -> list[str]:
    return request.COOKIES.get("sessionID", "").split(",")


def current_author(request: HttpRequest, access: PadAccess) -> PadAuthor | None:
    """Who is writing: the author of an Etherpad API session, the user, or the named guest."""
    if access.session_author_pk is not None:
        return PadAuthor.objects.filter(pk=access.session_author_pk).first()
    if request.user.is_authenticated:
        return authors.author_for_user(request.user)
    return authors.guest_author(request.session)
