"""The hardened edge in front of the ASGI surfaces that Django's middleware does not see."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.test import Client, override_settings

from cartable.asgi import application
from cartable.core import edge

pytestmark = pytest.mark.asyncio

GOOD_HOST = (b"host", b"127.0.0.1:8000")
EVIL_HOST = (b"host", b"evil.example")


async def call(app: Any, method: str, path: str, *headers: tuple[bytes, bytes]) -> dict:
    communicator = HttpCommunicator(app, method, path, headers=list(headers))
    response = await communicator.get_response(timeout=10)
    await communicator.wait(timeout=10)
    response["headers"] = {k.decode().lower(): v.decode() for k, v in response["headers"]}
    return response


async def test_dav_refuses_a_host_that_is_not_allowed_as_django_does():
    dav = await call(application, "PROPFIND", "/remote.php/webdav/", EVIL_HOST)
    django = await call(application, "GET", "/drive/", EVIL_HOST)
    assert dav["status"] == django["status"] == 400
    assert dav["headers"]["x-content-type-options"] == "nosniff"


async def test_dav_refuses_a_request_without_host_the_server_does_not_name():
    # No Host header and no server name: Django's SERVER_NAME would be "unknown".
    assert (await call(application, "OPTIONS", "/remote.php/webdav/"))["status"] == 400


async def test_dav_answers_carry_the_site_security_headers():
    response = await call(application, "PROPFIND", "/remote.php/webdav/", GOOD_HOST)
    assert response["status"] == 401  # no credentials; still an answer of the edge's
    headers = response["headers"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == edge.DEFAULT_CSP
    assert "sandbox" in headers["content-security-policy"]
    assert "strict-transport-security" not in headers  # plain HTTP


@override_settings(
    SECURE_HSTS_SECONDS=600,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
async def test_hsts_behind_a_tls_proxy_as_django_sends_it():
    response = await call(
        application, "PROPFIND", "/remote.php/webdav/", GOOD_HOST, (b"x-forwarded-proto", b"https")
    )
    assert response["headers"]["strict-transport-security"] == "max-age=600; includeSubDomains"
    plain = await call(application, "PROPFIND", "/remote.php/webdav/", GOOD_HOST)
    assert "strict-transport-security" not in plain["headers"]


@override_settings(ALLOWED_HOSTS=["cartable.example.fr"], USE_X_FORWARDED_HOST=False)
async def test_forwarded_host_counts_only_when_django_would_read_it():
    forwarded = (b"x-forwarded-host", b"cartable.example.fr")
    assert (await call(application, "OPTIONS", "/remote.php/webdav/", EVIL_HOST, forwarded))[
        "status"
    ] == 400
    with override_settings(USE_X_FORWARDED_HOST=True):
        response = await call(application, "OPTIONS", "/remote.php/webdav/", EVIL_HOST, forwarded)
    assert response["status"] != 400


async def test_headers_the_surface_sets_itself_are_kept():
    async def surface(scope: dict, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"X-Frame-Options", b"SAMEORIGIN"), (b"content-type", b"image/png")],
            }
        )
        await send({"type": "http.response.body", "body": b"png"})

    response = await call(edge.Edge(surface), "GET", "/x", GOOD_HOST)
    assert response["headers"]["x-frame-options"] == "SAMEORIGIN"
    assert response["headers"]["content-security-policy"] == edge.DEFAULT_CSP


def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


@pytest.mark.django_db(transaction=True)
@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
async def test_websocket_with_a_bad_host_is_refused(teacher):
    cookie = (b"cookie", f"sessionid={await sync_to_async(_session_cookie)(teacher)}".encode())
    origin = (b"origin", b"http://127.0.0.1:8000")
    for host, welcome in ((GOOD_HOST, True), (EVIL_HOST, False)):
        communicator = WebsocketCommunicator(
            application, "/ws/events/", headers=[origin, host, cookie]
        )
        connected, _code = await communicator.connect()
        assert connected is welcome
        await communicator.disconnect()


async def test_every_surface_beside_django_is_mounted_behind_the_edge():
    """cartable.asgi mounts ASGI surfaces through ``edge.http_router`` only: each is wrapped."""
    mapping = application.application_mapping
    assert set(mapping) == {"http", "websocket"}
    router = mapping["http"]
    assert isinstance(router, edge.HttpRouter)
    assert router.mounts, "the WebDAV application is mounted"
    for prefix, app in router.mounts:
        assert prefix.startswith("/") and prefix.endswith("/")
        assert isinstance(app, edge.Edge), prefix
    assert isinstance(mapping["websocket"], edge.Edge)
