"""Which websocket handshakes get past the Origin check, on every websocket route.

A page of another site must not open a socket with the visitor's cookies: its Origin is
refused. A client outside a browser (a Yjs client, a script) sends no Origin, and carries no
visitor's cookies, only what it was given itself: it is let through to the route's own checks.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client, override_settings

from cartable.asgi import application
from cartable.core.roles import Reach
from cartable.pad import actions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
HOST = (b"host", b"127.0.0.1:8000")


def _session_cookie(user):
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def _connects(path, *headers):
    communicator = WebsocketCommunicator(application, path, headers=[HOST, *headers])
    connected, _code = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_pad_socket_accepts_no_origin_and_refuses_a_foreign_one(teacher):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, reach=Reach.LINK)
    path = f"/ws/pad/{pad.pad_id}"
    assert await _connects(path, (b"origin", b"http://127.0.0.1:8000"))
    assert await _connects(path)
    assert not await _connects(path, (b"origin", b"https://evil.example"))
    assert not await _connects(path, (b"origin", b"null"))


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_events_socket_accepts_no_origin_and_refuses_a_foreign_one(teacher):
    cookie = await sync_to_async(_session_cookie)(teacher)
    assert await _connects("/ws/events/", cookie, (b"origin", b"http://127.0.0.1:8000"))
    assert await _connects("/ws/events/", cookie)
    # The visitor's own cookies, sent by a page of another site.
    assert not await _connects("/ws/events/", cookie, (b"origin", b"https://evil.example"))


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_no_origin_still_needs_the_routes_own_access(teacher, guest):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, reach=Reach.RESTRICTED)
    assert not await _connects(f"/ws/pad/{pad.pad_id}")
    assert not await _connects("/ws/events/")
