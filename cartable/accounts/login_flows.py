"""Login flows: how a device (the Nextcloud desktop and mobile apps) gets an app password.

The device never sees the user's password: it sends the user to a page of Cartable, where
they sign in as usual (e-mail, SSO) and grant access; the device then receives an app
password of its own, revocable from the app-passwords page. Flow v2 (desktop, iOS) polls
for it; flow v1 (Android) is handed it by a redirection to ``nc://login/...``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cartable.accounts.actions import create_app_password
from cartable.accounts.models import LoginFlow, User
from cartable.core import audit

LOGIN_FLOW_LIFETIME = timedelta(minutes=20)

# What the official clients put in their User-Agent, and the name their app password gets.
_CLIENTS = [
    (re.compile(r"mirall/", re.IGNORECASE), "Nextcloud desktop"),
    (re.compile(r"nextcloudcmd", re.IGNORECASE), "Nextcloud desktop"),
    (re.compile(r"Nextcloud-android", re.IGNORECASE), "Nextcloud Android"),
    (re.compile(r"Nextcloud-iOS", re.IGNORECASE), "Nextcloud iOS"),
    (re.compile(r"rclone", re.IGNORECASE), "rclone"),
]
_OS = [("Windows", "Windows"), ("Macintosh", "macOS"), ("Mac OS", "macOS"), ("Linux", "Linux")]


# The device names itself: the grant page shows this as unverified, and keeps it short.
CLIENT_NAME_LENGTH = 60


def printable(text: str) -> str:
    """``text`` without control or format characters (a right-to-left override could make
    "gnp.exe" read "exe.png"), its spaces collapsed."""
    kept = "".join(ch for ch in text if ch == " " or unicodedata.category(ch)[0] not in "CZ")
    return " ".join(kept.split())


def client_name(user_agent: str) -> str:
    """A short, readable name for the device behind ``user_agent``."""
    for pattern, name in _CLIENTS:
        if pattern.search(user_agent):
            if name == "Nextcloud desktop":
                system = next((label for key, label in _OS if key in user_agent), "")
                return f"{name} ({system})" if system else name
            return name
    return printable(user_agent)[:CLIENT_NAME_LENGTH] or "Nextcloud"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_flow(
    user_agent: str, *, kind: str = LoginFlow.Kind.V2, address: str | None = None
) -> tuple[LoginFlow, str]:
    """A new flow and, for v2, its poll token (returned once, kept only as a hash).
    ``address``: where the device asked from."""
    poll_token = secrets.token_urlsafe(48) if kind == LoginFlow.Kind.V2 else ""
    flow = LoginFlow.objects.create(
        kind=kind,
        login_token=secrets.token_urlsafe(32),
        poll_token_hash=_hash(poll_token) if poll_token else "",
        user_agent=printable(user_agent)[:255],
        client_name=client_name(user_agent),
        started_from=address or None,
        expires_at=timezone.now() + LOGIN_FLOW_LIFETIME,
    )
    return flow, poll_token


def find_login_flow(login_token: str) -> LoginFlow | None:
    """The flow behind a login page's token, if it is still running and not yet granted."""
    if not login_token:
        return None
    return LoginFlow.objects.filter(
        login_token=login_token, expires_at__gt=timezone.now(), granted_at__isnull=True
    ).first()


@transaction.atomic
def grant_login_flow(
    flow: LoginFlow, user: User, *, request: HttpRequest | None = None
) -> str | None:
    """The user lets the device in. For v1, returns the new app password (the flow is over);
    for v2, marks the flow granted and returns None: the password is made when polled."""
    if flow.kind == LoginFlow.Kind.V1:
        _app_password, clear = create_app_password(user, flow.client_name, request=request)
        flow.delete()
        return clear
    updated = LoginFlow.objects.filter(
        pk=flow.pk, granted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(user=user, granted_at=timezone.now())
    if updated:
        audit.record(user, "login_flow.grant", flow.client_name, request=request)
    return None


@transaction.atomic
def deny_login_flow(flow: LoginFlow) -> None:
    LoginFlow.objects.filter(pk=flow.pk).delete()


def is_pending(poll_token: str) -> bool:
    """Whether ``poll_token`` is a running flow's (as opposed to a made-up one)."""
    return bool(poll_token) and (
        LoginFlow.objects.filter(
            kind=LoginFlow.Kind.V2, poll_token_hash=_hash(poll_token), expires_at__gt=timezone.now()
        ).exists()
    )


def poll_login_flow(poll_token: str) -> tuple[User, str] | None:
    """``(user, app password)`` once the flow is granted, then never again; else None."""
    if not poll_token:
        return None
    with transaction.atomic():
        flow = (
            LoginFlow.objects.filter(
                kind=LoginFlow.Kind.V2,
                poll_token_hash=_hash(poll_token),
                expires_at__gt=timezone.now(),
                granted_at__isnull=False,
            )
            .select_related("user")
            .first()
        )
        if flow is None or flow.user is None or not flow.user.is_active:
            return None
        # Whoever deletes the row collects the password: two polls racing get it once.
        deleted, _detail = LoginFlow.objects.filter(pk=flow.pk).delete()
        if not deleted:
            return None
        _app_password, clear = create_app_password(flow.user, flow.client_name)
        return flow.user, clear


def purge_expired_login_flows() -> int:
    deleted, _detail = LoginFlow.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
