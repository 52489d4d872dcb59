import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from cartable.core.middleware import ServerSendMiddleware  # noqa: E402
from cartable.core.origin import allowed_hosts_origin_validator  # noqa: E402
from cartable.drive.webdav.app import application as webdav_app  # noqa: E402
from cartable.routing import websocket_urlpatterns  # noqa: E402

# WebDAV streams request bodies and runs requests in parallel, which Django's ASGI handler
# does not (docs/decisions/0007-drive-webdav.md): it is served by an application of its own.
# Trees register their URL patterns with it (cartable.drive.webdav.app.register).
DAV_PREFIX = "/remote.php/"


async def http_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    path: str = scope["path"]
    if path.startswith(DAV_PREFIX):
        await webdav_app(scope, receive, send)
    else:
        await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": allowed_hosts_origin_validator(
            ServerSendMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
