"""The /ws/events/ socket, through Channels' communicator and the in-memory layer."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client, override_settings

from cartable.accounts.actions import set_member
from cartable.asgi import application
from cartable.core.consumers import MAX_MESSAGE_SIZE
from cartable.core.events import send_event
from cartable.core.notifications import notify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _connect(cookie):
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_signed_in_user_receives_own_notifications(teacher):
    cookie = await sync_to_async(_session_cookie)(teacher)
    communicator, connected, _code = await _connect(cookie)
    assert connected
    await sync_to_async(notify)(teacher, "test", "Bonjour")
    event = await communicator.receive_json_from(timeout=3)
    assert event["type"] == "notification" and event["title"] == "Bonjour" and event["unread"] == 1
    await communicator.disconnect()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_guest_socket_is_refused():
    communicator, connected, code = await _connect(None)
    assert not connected
    assert code == 4401


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_user_does_not_receive_someone_elses_notifications(teacher, other_teacher):
    cookie = await sync_to_async(_session_cookie)(other_teacher)
    communicator, connected, _code = await _connect(cookie)
    assert connected
    await sync_to_async(notify)(teacher, "test", "Pour Claire seulement")
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_user_added_to_a_class_while_connected_receives_its_events(
    teacher, colleague, klass
):

    cookie = await sync_to_async(_session_cookie)(colleague)
    communicator, connected, _code = await _connect(cookie)
    assert connected
    await sync_to_async(set_member)(klass, colleague, "manager", by=teacher)
    joined = await communicator.receive_json_from(timeout=3)
    assert joined["type"] == "group.joined"
    await sync_to_async(send_event)(group_ids=[klass.pk], type="group.news", text="Réunion lundi")
    event = await communicator.receive_json_from(timeout=3)
    assert event == {"type": "group.news", "text": "Réunion lundi"}
    await communicator.disconnect()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_large_message_closes_the_events_socket(teacher):
    cookie = await sync_to_async(_session_cookie)(teacher)
    communicator, connected, _code = await _connect(cookie)
    assert connected
    await communicator.send_to(text_data="{}")  # ignored
    await sync_to_async(notify)(teacher, "test", "Toujours connecté")
    event = await communicator.receive_json_from(timeout=3)
    assert event["title"] == "Toujours connecté"
    await communicator.send_to(text_data="x" * (MAX_MESSAGE_SIZE + 1))
    closing = await communicator.receive_output(timeout=3)
    assert closing == {"type": "websocket.close", "code": 1009}
