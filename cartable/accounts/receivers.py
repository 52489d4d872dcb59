"""Security-relevant account events go to the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.signals import (
    email_confirmed,
    password_changed,
    password_reset,
    password_set,
)
from allauth.usersessions.signals import session_client_changed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from cartable.core import audit

if TYPE_CHECKING:
    from allauth.account.models import EmailAddress
    from allauth.usersessions.models import UserSession

    from cartable.accounts.models import User


@receiver(user_logged_in)
def _logged_in(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit.record(user, "auth.login", request=request)


@receiver(user_logged_out)
def _logged_out(sender: object, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, "auth.logout", request=request)


@receiver(user_login_failed)
def _login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The attempted login, never the password.
    login = credentials.get("username") or credentials.get("email") or ""
    audit.record(None, "auth.login_failed", str(login)[:254], request=request)


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _password(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit.record(user, "auth.password_changed", request=request)


@receiver(email_confirmed)
def _email_confirmed(
    sender: object, request: HttpRequest, email_address: EmailAddress, **kwargs: Any
) -> None:
    audit.record(email_address.user, "auth.email_confirmed", email_address.email, request=request)


@receiver(session_client_changed)
def _session_client_changed(
    sender: object,
    request: HttpRequest,
    from_session: UserSession,
    to_session: UserSession,
    **kwargs: Any,
) -> None:
    audit.record(to_session.user, "auth.session_client_changed", request=request)
