"""The one authentication backend: every account password goes through the limiter.

Django's ``authenticate()`` is how the sign-in page (allauth), the admin's sign-in page and
reauthentication all check a password. This backend comes first in
``AUTHENTICATION_BACKENDS`` and decides alone: it answers a user or raises
``PermissionDenied``, which stops Django from asking the backends after it. Those stay listed
only so that sessions opened through them before remain valid.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

from cartable.accounts.models import User
from cartable.core import limits


def account_key(login: str) -> str:
    """What failed attempts are counted against: the account behind a user name or an
    e-mail address (so that trying both does not double the allowance), else the name."""
    login = login.strip().lower()
    found = (
        User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"user:{found}" if found else f"name:{login}"


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (user name or e-mail address), counted by the limiter."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, **credentials: Any
    ) -> User | None:
        if not credentials.get("password"):
            return None
        login = str(credentials.get("username") or credentials.get("email") or "")
        try:
            attempt = limits.check_attempt("password", key=account_key(login), request=request)
        except limits.Limited as refusal:
            limits.note_refusal(request, refusal)
            # authenticate() stops at PermissionDenied: no other backend checks the password.
            raise PermissionDenied(refusal.message) from None
        user = super().authenticate(request, **credentials)
        if user is None:
            # No other backend may check the password again, unlimited.
            raise PermissionDenied
        attempt.succeeded()
        return user
