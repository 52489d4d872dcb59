"""Who is asking: HTTP Basic with an app password, or the browser's session plus its CSRF token.

Verifying an app password (Argon2) costs tens of milliseconds, and a sync client sends
thousands of requests: a successful verification is remembered in Django's cache (shared
by every server when Redis is configured) under an HMAC of the login and password, for a
few minutes. A remembered one still costs one query, which checks that the account is
active and the app password not revoked (its prefix still exists for the account).

Failed Basic attempts go through the one limiter (:mod:`cartable.core.limits`, kind
``app_password``), per login and per address block; past the limit, attempts are refused
without checking the password, remembered or not, until the window has passed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.middleware.csrf import CsrfViewMiddleware

from cartable.accounts.actions import authenticate_app_password
from cartable.accounts.models import User
from cartable.core import limits, net
from cartable.drive import fastpath
from cartable.drive.webdav.http import DavError, Request, run_sync

REALM = "Cartable"
CACHE_SECONDS = 300
PREFIX_LENGTH = 8  # cartable.accounts.actions.APP_PASSWORD_PREFIX_LENGTH


def challenge(message: str = "") -> DavError:
    return DavError(
        401,
        message=message,
        headers={"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'},
    )


def _credentials(header: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, password = decoded.partition(":")
    if not sep or not login:
        return None
    return login, password


def _remembered_key(login: str, password: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{login}\x00{password}".encode(), hashlib.sha256
    ).hexdigest()
    return f"drive:dav:auth:{digest}"


RateLimited = limits.Limited


def _user_with_app_password(user_id: int, prefix: str) -> QuerySet[Any]:
    return (
        User.objects.filter(pk=user_id, is_active=True, app_passwords__prefix=prefix)
        .select_related("drive_space")
        .order_by("pk")[:1]
    )


# Compiled once (per thread): this runs on every WebDAV request.
_remembered_user = fastpath.Prepared(_user_with_app_password)


def basic_user(login: str, password: str, address: str | None = None) -> User | None:
    """The user of an app password; RateLimited after too many failures for this login or
    from the block of ``address``."""
    name = login.strip().lower()
    # A remembered password is a right one: it too is refused while the login is limited.
    limits.check_not_limited("app_password", key=name, address=address)
    key = _remembered_key(login, password)
    user_id = cache.get(key)
    if user_id is not None:
        found = _remembered_user(user_id, password[:PREFIX_LENGTH])
        user = found[0] if found else None
        if user is not None:
            _keep_space(user)
            return user
        cache.delete(key)
    attempt = limits.check_attempt("app_password", key=name, address=address)
    user = authenticate_app_password(login, password)
    if user is not None:
        attempt.succeeded()
        cache.set(key, user.pk, CACHE_SECONDS)
        return user
    return None


def _keep_space(user: User) -> None:
    """The personal space came with the user (its ``mounts_version`` keys the mount table):
    ``actions.personal_space`` need not look for it again."""
    with contextlib.suppress(ObjectDoesNotExist):
        # Kept on the user object for the request, as mounts' caches (User does not declare it).
        user._drive_space = user.drive_space  # type: ignore[attr-defined]


def session_user(request: Request) -> User | None:
    """The user of a browser session whose CSRF token came in ``requesttoken``."""
    cookies = parse_cookie(request.header("cookie") or "")
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    token = request.header("requesttoken")
    if not session_key or not token:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if not _csrf_passes(request, cookies, session, token):
        return None
    user = get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
    return user if isinstance(user, User) and user.is_active else None


def _reject(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponse(status=403)


def _csrf_passes(
    request: Request, cookies: dict[str, str], session: SessionBase, token: str
) -> bool:
    """Django's CSRF middleware, through its public hook, judges ``requesttoken`` as it judges a
    form's token — and the Origin or Referer where it would — whatever the DAV method: a
    session may use WebDAV only with the token, GET and PROPFIND included."""
    probe = HttpRequest()
    probe.method = "POST"
    probe.COOKIES = cookies
    probe.session = session
    meta = {
        settings.CSRF_HEADER_NAME: token,
        "HTTP_HOST": request.host or "",
        "SERVER_NAME": "",
        "SERVER_PORT": "",
    }
    for name in ("origin", "referer", "x-forwarded-proto"):
        value = request.header(name)
        if value is not None:
            meta["HTTP_" + name.upper().replace("-", "_")] = value
    probe.META = meta
    return CsrfViewMiddleware(_reject).process_view(probe, _reject, (), {}) is None


def _address(request: Request) -> str | None:
    client = request.scope.get("client") or (None,)
    return net.forwarded_client(client[0], request.header("x-forwarded-for") or "")


async def authenticate(request: Request) -> None:
    """Sets ``request.user``, or ends the request with 401 (429 when rate limited)."""
    if request.header("authorization") or request.header("cookie"):
        await run_sync(authenticate_now, request)
        return
    raise challenge()


def authenticate_now(request: Request) -> None:
    """``authenticate`` in the calling (pool) thread."""
    header = request.header("authorization") or ""
    if header[:6].lower() == "basic ":
        credentials = _credentials(header)
        if credentials is None:
            raise challenge()
        try:
            user = basic_user(*credentials, address=_address(request))
        except RateLimited as refusal:
            raise DavError(429, headers={"Retry-After": str(refusal.retry_after)}) from None
        if user is None:
            raise challenge()
        request.user = user
        return
    cookie = request.header("cookie")
    if cookie:
        user = session_user(request)
        if user is not None:
            request.user = user
            request.session_auth = True
            return
    raise challenge()
