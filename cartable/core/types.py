from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cartable.accounts.models import User

    # Whoever asks: a signed-in account or an anonymous visitor (request.user's type).
    Visitor: TypeAlias = User | AnonymousUser


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a real account."""

    user: User  # type: ignore[assignment]
