"""What the Etherpad API does to pads that people have open, and what it sees of them."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.test import Client, override_settings

from cartable.pad.models import Pad

from .etherpad_api import EtherpadApi
from .yclient import YClient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def _ok(api, function, **params):
    return await sync_to_async(api.ok)(function, **params)


async def _until(api, expected, function, **params):
    """Presence is published a moment after a connection joins or leaves."""
    for _attempt in range(100):
        answer = await _ok(api, function, **params)
        if answer == expected:
            return answer
        await asyncio.sleep(0.02)
    raise AssertionError(f"{function} answered {answer}, not {expected}")


async def _editor(pad_id):
    client, connected, _code = await YClient.connect(f"/ws/pad/{pad_id}")
    assert connected
    await client.sync()
    return client


@pytest.fixture
def live_api(settings, transactional_db):
    from .etherpad_api import API_KEY

    settings.PAD_API_KEY = API_KEY
    return EtherpadApi(Client())


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_set_text_through_the_api_appears_in_an_open_editor(live_api):
    await _ok(live_api, "createPad", padID="direct", text="Avant")
    editor = await _editor("direct")
    assert editor.text() == "Avant\n"
    await _ok(live_api, "setText", padID="direct", text="Écrit par Moodle")
    await editor.pump(lambda: editor.text() == "Écrit par Moodle\n")
    await _ok(live_api, "appendText", padID="direct", text=" et la suite")
    try:
        await editor.pump(lambda: editor.text() == "Écrit par Moodle et la suite\n")
    except TimeoutError:
        raise AssertionError(repr(editor.text())) from None
    await _ok(live_api, "restoreRevision", padID="direct", rev=1)
    await editor.pump(lambda: editor.text() == "Avant\n")
    await editor.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_what_an_editor_types_is_what_the_api_reads(live_api):
    await _ok(live_api, "createPad", padID="frappe")
    editor = await _editor("frappe")
    await editor.set_paragraphs("Tapé au clavier")
    for _attempt in range(100):
        if await _ok(live_api, "getText", padID="frappe") == {"text": "Tapé au clavier\n"}:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the typed text never reached the API")
    assert await _ok(live_api, "getRevisionsCount", padID="frappe") == {"revisions": 1}
    await editor.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_pad_users_are_the_open_editors(live_api):
    await _ok(live_api, "createPad", padID="presence")
    group = (await _ok(live_api, "createGroup"))["groupID"]
    author = (await _ok(live_api, "createAuthor", name="Claire"))["authorID"]
    pad_id = (await _ok(live_api, "createGroupPad", groupID=group, padName="classe"))["padID"]
    session = await _ok(
        live_api, "createSession", groupID=group, authorID=author, validUntil=4_000_000_000
    )
    # Editors of the tests before may take a moment to leave the presence records.
    idle = {"totalPads": 2, "totalSessions": 0, "totalActivePads": 0}
    await _until(live_api, idle, "getStats")
    assert await _ok(live_api, "padUsersCount", padID="presence") == {"padUsersCount": 0}
    assert await _ok(live_api, "padUsers", padID="presence") == {"padUsers": []}
    first = await _editor("presence")
    second = await _editor("presence")
    claire, connected, _code = await YClient.connect(
        f"/ws/pad/{pad_id}", f"sessionID={session['sessionID']}"
    )
    assert connected
    await _until(live_api, {"padUsersCount": 2}, "padUsersCount", padID="presence")
    await _until(live_api, {"padUsersCount": 1}, "padUsersCount", padID=pad_id)
    users = (await _ok(live_api, "padUsers", padID=pad_id))["padUsers"]
    assert [(u["id"], u["name"]) for u in users] == [(author, "Claire")]
    assert users[0]["colorId"].startswith("#") and users[0]["timestamp"] > 0
    stats = await _ok(live_api, "getStats")
    assert stats == {"totalPads": 2, "totalSessions": 3, "totalActivePads": 2}
    await first.close()
    await claire.close()
    await _until(live_api, {"padUsersCount": 1}, "padUsersCount", padID="presence")
    await second.close()
    await _until(live_api, idle, "getStats")


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_clients_message_and_chat_reach_open_editors(live_api):
    await _ok(live_api, "createPad", padID="message")
    editor = await _editor("message")
    await _ok(live_api, "sendClientsMessage", padID="message", msg="reload")
    await editor.pump(lambda: bool(editor.custom))
    (message,) = editor.custom
    assert message["type"] == "COLLABROOM" and message["data"]["type"] == "reload"
    assert isinstance(message["data"]["time"], int)
    author = (await _ok(live_api, "createAuthor", name="Moodle"))["authorID"]
    await _ok(
        live_api,
        "appendChatMessage",
        padID="message",
        text="Bonjour la classe",
        authorID=author,
        time=1_700_000_000_000,
    )
    await editor.pump(lambda: bool(editor.chat))
    (chat,) = editor.chat
    assert chat["history"] is False
    (message,) = chat["messages"]
    assert (message["text"], message["author_id"], message["name"]) == (
        "Bonjour la classe",
        author,
        "Moodle",
    )
    assert message["time"] == 1_700_000_000_000
    await editor.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_moving_or_deleting_a_pad_closes_its_open_editors(live_api):
    await _ok(live_api, "createPad", padID="bouge", text="x")
    editor = await _editor("bouge")
    await _ok(live_api, "movePad", sourceID="bouge", destinationID="ailleurs")
    await editor.pump(lambda: editor.closed_code is not None)
    assert editor.closed_code == 4500
    _client, connected, code = await YClient.connect("/ws/pad/bouge")
    assert not connected and code == 4404
    editor = await _editor("ailleurs")
    await _ok(live_api, "deletePad", padID="ailleurs")
    await editor.pump(lambda: editor.closed_code is not None)
    assert not await sync_to_async(Pad.objects.exists)()
