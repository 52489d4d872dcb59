"""Security-relevant account events go to the audit log."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import (
    email_confirmed,
    password_changed,
    password_reset,
    password_set,
)
from allauth.usersessions.signals import session_client_changed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from cartable.core import audit


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(user, "auth.login", request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, "auth.logout", request=request)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The attempted login, never the password.
    login = credentials.get("username") or credentials.get("email") or ""
    audit.record(None, "auth.login_failed", str(login)[:254], request=request)


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _password(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(user, "auth.password_changed", request=request)


@receiver(email_confirmed)
def _email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    audit.record(email_address.user, "auth.email_confirmed", email_address.email, request=request)


@receiver(session_client_changed)
def _session_client_changed(
    sender: Any, request: Any, from_session: Any, to_session: Any, **kwargs: Any
) -> None:
    audit.record(to_session.user, "auth.session_client_changed", request=request)
