import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from cartable.core.edge import Edge, Mount, http_router  # noqa: E402
from cartable.core.middleware import ServerSendMiddleware  # noqa: E402
from cartable.core.origin import allowed_hosts_origin_validator  # noqa: E402
from cartable.drive.asgi import application as webdav_app  # noqa: E402
from cartable.routing import websocket_urlpatterns  # noqa: E402

# WebDAV streams request bodies and runs requests in parallel, which Django's ASGI handler
# does not (docs/decisions/0007-drive-webdav.md): it is served by an application of its own.
# Trees register their URL patterns with it (cartable.drive.webdav.http.register).
DAV_PREFIX = "/remote.php/"

# Every ASGI surface beside Django is mounted here, and only through ``http_router``, which
# puts it behind the hardened edge (cartable.core.edge): Host check and security headers,
# which Django's middleware gives its own views. Websockets get the Host check too.
MOUNTS = [Mount(DAV_PREFIX, webdav_app)]

application = ProtocolTypeRouter(
    {
        "http": http_router(django_asgi_app, MOUNTS),
        "websocket": Edge(
            allowed_hosts_origin_validator(
                ServerSendMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
