"""The Yjs sync protocol at /ws/pad/<padID>, with real Yjs documents (pycrdt) as clients."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import Client, override_settings

from cartable.core.roles import Reach
from cartable.pad import actions, document, protocol, room, store, writer
from cartable.pad.actions import chat
from cartable.pad.models import Pad, PadRevision

from .yclient import YClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
    pytest.mark.usefixtures("transport"),
]

LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def _client(path, user=None):
    cookie = await sync_to_async(_cookie)(user) if user else None
    client, connected, code = await YClient.connect(path, cookie)
    return client, connected, code


async def typed(user, text, pad=None):
    """A client of ``user`` that opened ``pad`` (a new one of theirs by default), wrote
    ``text`` and saw it saved."""
    pad = pad or await sync_to_async(actions.create_pad)(owner=user)
    client, ok, _ = await _client(f"/ws/pad/{pad.pad_id}", user)
    assert ok
    await client.sync()
    await client.set_paragraphs(text)
    # Every update message is acknowledged, the reply to the server's sync step 1 included.
    await client.pump(lambda: client.saved == client.sent)
    return pad, client


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_two_writers_see_each_other_and_everything_is_saved(teacher, colleague):
    pad = await sync_to_async(actions.create_pad)(
        owner=teacher, title="Plan de séquence", reach=Reach.LINK
    )
    alice, ok_a, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    bob, ok_b, _ = await _client(f"/ws/pad/{pad.pad_id}", colleague)  # edit link: reach=link
    assert ok_a and ok_b
    await alice.sync()
    await bob.sync()
    await alice.set_paragraphs("Séance 1 : introduction")
    await alice.pump(lambda: alice.saved == 1)
    await bob.pump(lambda: "Séance 1" in bob.text())
    await bob.edit(
        lambda doc: document.append_content(doc, document.text_to_pm("Séance 2 : exercices"))
    )
    await alice.pump(lambda: "Séance 2" in alice.text())
    await bob.pump(lambda: bob.saved == 1)
    await alice.close()
    await bob.close()
    stored = await sync_to_async(lambda: store.load_document(pad.pk)[0])()
    assert document.to_text(stored) == "Séance 1 : introduction\nSéance 2 : exercices\n"
    assert await sync_to_async(PadRevision.objects.filter(pad=pad).count)() == 2


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_new_client_gets_the_saved_text(teacher):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, text="Déjà là")
    reader, ok, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    assert ok
    await reader.sync()
    assert reader.text() == "Déjà là\n"
    await reader.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_read_only_link_reads_but_its_changes_are_refused(teacher, guest):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, text="Texte")
    reader, ok, _ = await _client(f"/ws/pad/{pad.readonly_id}")
    assert ok
    await reader.sync()
    assert reader.text() == "Texte\n"
    await reader.set_paragraphs("Vandalisme")
    await reader.pump(lambda: reader.closed_code is not None)
    assert reader.closed_code == 4403
    assert await sync_to_async(lambda: Pad.objects.get(pk=pad.pk).head)() == 1


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_restricted_pad_refuses_other_teachers_students_and_guests(
    teacher, other_teacher, student, transport
):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, reach=Reach.RESTRICTED)
    for user in (other_teacher, student, None):
        _client_, ok, code = await _client(f"/ws/pad/{pad.pad_id}", user)
        # Closed before it was accepted: uvicorn answers HTTP 403, without the close code.
        assert not ok and code == (4404 if transport == "channels" else None)


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_class_pad_is_open_to_its_students(teacher, klass, student, other_teacher):
    pad = await sync_to_async(actions.create_pad)(
        owner=teacher, group=klass, reach=Reach.RESTRICTED
    )
    _pad, writer = await typed(student, "Mon idée", pad)
    await writer.close()
    _c, ok, _ = await _client(f"/ws/pad/{pad.pad_id}", other_teacher)
    assert not ok


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_malformed_update_closes_the_socket_and_stores_nothing(teacher):
    pad = await sync_to_async(actions.create_pad)(owner=teacher)
    client, ok, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    await client.sync()
    await client.communicator.send_to(
        bytes_data=protocol.sync_message(protocol.SYNC_UPDATE, b"\x01\x02garbage")
    )
    await client.pump(lambda: client.closed_code is not None)
    assert client.closed_code == 4400
    assert await sync_to_async(lambda: Pad.objects.get(pk=pad.pk).head)() == 0


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_server_side_changes_reach_open_editors(teacher):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, text="Avant")
    client, ok, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    await client.sync()
    await sync_to_async(actions.set_text)(pad, "Après, par l'API")
    await client.pump(lambda: "API" in client.text())
    await client.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_awareness_is_relayed_and_cleared_when_a_writer_leaves(teacher, colleague):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, reach=Reach.LINK)
    alice, _, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    bob, _, _ = await _client(f"/ws/pad/{pad.pad_id}", colleague)
    await alice.sync()
    await bob.sync()
    state = '{"user":{"name":"Alice","color":"#fde68a"}}'
    await alice.communicator.send_to(
        bytes_data=protocol.awareness_message([protocol.AwarenessEntry(42, 1, state)])
    )
    await bob.pump(lambda: any(e.client_id == 42 and e.state == state for e in bob.awareness))
    await alice.close()
    await bob.pump(lambda: any(e.client_id == 42 and e.state == "null" for e in bob.awareness))
    await bob.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_deletion_is_stored_and_broadcast(teacher, colleague):
    """A deletion adds no struct to the document: it must not be taken for a resend."""
    pad = await sync_to_async(actions.create_pad)(
        owner=teacher, text="Bonjour tout le monde", reach=Reach.LINK
    )
    alice, _ok, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    bob, _ok, _ = await _client(f"/ws/pad/{pad.pad_id}", colleague)
    await alice.sync()
    await bob.sync()

    def delete_words(doc):
        paragraph = document.fragment(doc).children[0]
        text = paragraph.children[0]
        del text[7:21]

    await alice.edit(delete_words)
    await alice.pump(lambda: alice.saved == 1)
    await bob.pump(lambda: bob.text() == "Bonjour\n")
    await alice.close()
    await bob.close()
    stored = await sync_to_async(lambda: store.load_document(pad.pk)[0])()
    assert document.to_text(stored) == "Bonjour\n"


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_chat_is_kept_with_the_pad_and_delivered_live(teacher, colleague):
    pad = await sync_to_async(actions.create_pad)(owner=teacher, reach=Reach.LINK)
    alice, _, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    bob, _, _ = await _client(f"/ws/pad/{pad.pad_id}", colleague)
    await alice.sync()
    await bob.sync()
    received = []

    original = bob._handle

    def handle(data):
        if data[0] == protocol.MESSAGE_CHAT:
            received.append(json.loads(protocol.Reader(data[1:]).var_string()))
            return []
        return original(data)

    bob._handle = handle
    await alice.communicator.send_to(
        bytes_data=bytes([protocol.MESSAGE_CHAT])
        + protocol.write_var_string('{"text": "On commence ?"}')
    )
    await bob.pump(lambda: received)
    assert received[0]["messages"][0]["text"] == "On commence ?"
    assert received[0]["messages"][0]["name"] == "Claire Martin"
    await sync_to_async(chat.post_from_server)(pad.pk, None, "Message de l'API")
    await bob.pump(lambda: len(received) == 2)
    await alice.close()
    await bob.close()
    # A newcomer gets the history.
    carol, _, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    history = []
    carol._handle = lambda data: (
        (history.append(json.loads(protocol.Reader(data[1:]).var_string())) or [])
        if data[0] == protocol.MESSAGE_CHAT
        else YClient._handle(carol, data)
    )
    await carol.sync()
    await carol.pump(lambda: history)
    assert [m["text"] for m in history[0]["messages"]] == ["On commence ?", "Message de l'API"]
    await carol.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_read_only_readers_cannot_chat(teacher):
    pad = await sync_to_async(actions.create_pad)(owner=teacher)
    reader, _, _ = await _client(f"/ws/pad/{pad.readonly_id}")
    await reader.sync()
    await reader.communicator.send_to(
        bytes_data=bytes([protocol.MESSAGE_CHAT]) + protocol.write_var_string('{"text": "spam"}')
    )
    await reader.pump(lambda: reader.closed_code is not None)
    assert reader.closed_code == 4403


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_under_uvicorn_messages_are_read_and_written_without_asgi(
    teacher, transport, monkeypatch
):
    """Under uvicorn, a keystroke is read by the pad's frame reader (not the ASGI queue) and
    written to SQLite on the event loop (PostgreSQL: in the writer thread)."""

    if transport != "uvicorn":
        pytest.skip("direct paths exist only under uvicorn")
    read, written = [], []
    receive_now, append_now = room.PadRoom.receive_now, writer.append_now

    def spy_receive(self, connection, message):
        read.append(message)
        return receive_now(self, connection, message)

    def spy_append(pad_pk, items, **journal):
        head = append_now(pad_pk, items, **journal)
        written.append(head)
        return head

    monkeypatch.setattr(room.PadRoom, "receive_now", spy_receive)
    monkeypatch.setattr(writer, "append_now", spy_append)
    pad, client = await typed(teacher, "Premier jet")
    await client.close()
    assert read and written == ([1] if connection.vendor == "sqlite" else [None])
    assert await sync_to_async(lambda: Pad.objects.get(pk=pad.pk).head)() == 1


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_the_test_client_fails_when_the_server_closes_before_the_awaited_condition(
    teacher,
):
    from .yclient import ConnectionClosedEarly

    pad = await sync_to_async(actions.create_pad)(owner=teacher, text="Texte")
    reader, ok, _ = await _client(f"/ws/pad/{pad.readonly_id}")
    assert ok
    await reader.sync()
    await reader.set_paragraphs("Refusé")  # a read-only link's change: the server closes
    with pytest.raises(ConnectionClosedEarly):
        await reader.pump(lambda: bool(reader.chat))  # never comes: the socket closes first
    assert reader.closed_code == 4403


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_an_open_pad_is_compacted_by_a_job_as_its_history_grows(teacher, monkeypatch):
    """Each time the history passes a multiple of COMPACT_EVERY, a job is asked for. (The
    tests' in-memory SQLite refuses a second writer at once instead of waiting, so the ask
    may lose a race with the room's own insert: the next multiple asks again.)"""
    monkeypatch.setattr(store, "COMPACT_EVERY", 3)
    pad, client = await typed(teacher, "un")

    async def snapshot_rev() -> int:
        return await sync_to_async(lambda: Pad.objects.get(pk=pad.pk).snapshot_rev)()

    for n in range(2, 20):
        await client.set_paragraphs(f"ligne {n}")
        await client.pump(lambda: client.saved == client.sent)
        for _ in range(50):  # the job is asked for off the loop; jobs run at once in tests
            if await snapshot_rev():
                break
            await asyncio.sleep(0.01)
        if await snapshot_rev():
            break
    assert await snapshot_rev() >= 3
    await client.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_change_stored_elsewhere_while_the_room_loads_reaches_its_editors(
    teacher, monkeypatch, transport
):
    """Another server (here: the API) stores a change between the room's reading of the
    document and its listening: the room receives it all the same."""
    pad = await sync_to_async(actions.create_pad)(owner=teacher, text="Avant")
    load = store.load_document
    changed = []

    def load_then_change_elsewhere(pad_pk, **kwargs):
        loaded = load(pad_pk, **kwargs)
        if not changed:  # (the change itself loads the document)
            changed.append(True)
            actions.append_text(Pad.objects.get(pk=pad_pk), "Pendant")
        return loaded

    monkeypatch.setattr(store, "load_document", load_then_change_elsewhere)
    client, ok, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    assert ok
    await client.sync()
    await client.pump(lambda: "Pendant" in client.text())
    await client.close()
