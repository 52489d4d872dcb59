"""The hardened HTTP edge: what every ASGI surface beside Django goes through.

Django's views get the Host check and the security headers from its middleware
(``SecurityMiddleware``, ``XFrameOptionsMiddleware``, django-csp). An ASGI application
served beside Django — the WebDAV application under ``/remote.php/`` — never passes through
that middleware. :class:`Edge` does for it what the middleware does, from the same settings:

- the ``Host`` (or ``X-Forwarded-Host`` with ``USE_X_FORWARDED_HOST``) must match
  ``ALLOWED_HOSTS``, or the answer is 400 (an HTTP request) or a refusal (a websocket), as
  Django answers a ``DisallowedHost``;
- every HTTP answer gets ``X-Content-Type-Options``, ``Referrer-Policy``,
  ``Cross-Origin-Opener-Policy``, ``X-Frame-Options`` and, on HTTPS, ``Strict-Transport-Security``;
- and a Content-Security-Policy that allows nothing and sandboxes the document
  (:data:`DEFAULT_CSP`): these surfaces answer protocols and serve files, never pages.

A header the surface set itself is kept (a file shown inline may be framed by our own viewer).

``cartable/asgi.py`` mounts surfaces only through :func:`http_router`, which puts each one
behind an ``Edge``: a new surface cannot be mounted without it
(``cartable/core/tests/test_edge.py`` checks the application as it is built).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from cartable.core.http import SANDBOX_CSP

ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]
]

# Surfaces beside Django serve no page of ours: nothing may load or run in what they answer.
DEFAULT_CSP = SANDBOX_CSP

security_logger = logging.getLogger("django.security.DisallowedHost")


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _is_secure(scope: dict[str, Any]) -> bool:
    """``HttpRequest.is_secure()``, from an ASGI scope."""
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        meta_name, secure_value = proxy
        name = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = _header(scope.get("headers", []), name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") in ("https", "wss")


def raw_host(scope: dict[str, Any]) -> str:
    """``HttpRequest._get_raw_host()``, from an ASGI scope."""
    headers = scope.get("headers", [])
    forwarded = _header(headers, b"x-forwarded-host") if settings.USE_X_FORWARDED_HOST else None
    if forwarded is not None:
        return forwarded
    host = _header(headers, b"host")
    if host is not None:
        return host
    server = scope.get("server") or ("unknown", None)
    name, port = server[0], server[1]
    if port is not None and str(port) != ("443" if _is_secure(scope) else "80"):
        return f"{name}:{port}"
    return str(name)


def host_allowed(host: str) -> bool:
    """The check of ``HttpRequest.get_host()``: the host's domain against ``ALLOWED_HOSTS``."""
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def security_headers(scope: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """The headers Django's middleware would add to an answer to this request."""
    headers: list[tuple[str, str]] = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("x-content-type-options", "nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        values = policy.split(",") if isinstance(policy, str) else policy
        headers.append(("referrer-policy", ",".join(v.strip() for v in values)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("x-frame-options", settings.X_FRAME_OPTIONS.upper()))
    if settings.SECURE_HSTS_SECONDS and _is_secure(scope):
        sts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            sts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            sts += "; preload"
        headers.append(("strict-transport-security", sts))
    headers.append(("content-security-policy", DEFAULT_CSP))
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


class Edge:
    """An ASGI application behind the Host check and the site's security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = raw_host(scope)
        if not host_allowed(host):
            security_logger.error(
                "Invalid HTTP_HOST header: %r. You may need to add it to ALLOWED_HOSTS.", host
            )
            await (self._refuse_http if kind == "http" else self._refuse_websocket)(
                scope, receive, send
            )
            return
        if kind == "websocket":
            # The socket's own ``send`` is passed on untouched: a pad's broadcast uses it.
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope)

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {bytes(k).lower() for k, _v in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_secured)

    @staticmethod
    async def _refuse_http(scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b"Bad Request (400)"
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *security_headers(scope),
        ]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _refuse_websocket(scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Closing before accepting: the server answers the handshake with 403.
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close"})


@dataclass(frozen=True)
class Mount:
    """An ASGI application serving the URL paths that start with ``prefix``."""

    prefix: str
    app: ASGIApp


class HttpRouter:
    """HTTP: each mounted surface behind its :class:`Edge`; every other path to Django,
    whose middleware does the same for its views."""

    def __init__(self, django: ASGIApp, mounts: Sequence[Mount]) -> None:
        self.django = django
        self.mounts: tuple[tuple[str, Edge], ...] = tuple(
            (mount.prefix, Edge(mount.app)) for mount in mounts
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path: str = scope.get("path", "")
        for prefix, app in self.mounts:
            if path.startswith(prefix):
                await app(scope, receive, send)
                return
        await self.django(scope, receive, send)


def http_router(django: ASGIApp, mounts: Sequence[Mount]) -> HttpRouter:
    return HttpRouter(django, mounts)
