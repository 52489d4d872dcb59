"""The Origin check of every websocket route."""

from __future__ import annotations

from typing import Any

from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):
    """Refuses a handshake whose ``Origin`` is not one of ours; lets one without it through.

    The check exists because a page of another site could open a socket with the visitor's
    cookies. Browsers always send ``Origin`` on a websocket handshake (``null`` from opaque
    origins, refused here too); a handshake without it comes from a client outside a browser
    (a Yjs client, a script), which carries only the credentials it was given itself, and is
    left to the route's own checks. Channels' validator refuses it, which shut those out.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if not any(name == b"origin" for name, _value in scope.get("headers", [])):
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)


def allowed_hosts_origin_validator(application: Any) -> BrowserOriginValidator:
    """Channels' ``AllowedHostsOriginValidator``, but for a missing ``Origin``."""
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(application, allowed_hosts)
