"""What one connection to /ws/pad/ may send: messages of bounded size, and cursors (awareness)
of bounded size and number, for its own client id only."""

import asyncio
import json
import random

import pytest
from asgiref.sync import sync_to_async
from django.test import Client, override_settings
from websockets.exceptions import ConnectionClosed

from cartable.core.roles import Reach
from cartable.pad import actions, document, protocol, room
from cartable.pad.protocol import AwarenessEntry

from .yclient import YClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
    pytest.mark.usefixtures("transport"),
]

LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
TOO_LARGE = 1009  # RFC 6455: "message too big"


def _cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def _open(path, user=None):
    cookie = await sync_to_async(_cookie)(user) if user else None
    client, connected, _code = await YClient.connect(path, cookie)
    assert connected
    await client.sync()
    return client


async def _link_pad(teacher, **fields):
    return await sync_to_async(actions.create_pad)(owner=teacher, reach=Reach.LINK, **fields)


def _state(name, **extra):
    return json.dumps({"user": {"name": name, "color": "#fde68a"}, **extra})


async def _say(client, *entries):
    await client.communicator.send_to(bytes_data=protocol.awareness_message(list(entries)))


def _seen(client, client_id):
    """The last state ``client`` received for ``client_id`` (None: nothing received)."""
    states = [e.state for e in client.awareness if e.client_id == client_id]
    return states[-1] if states else None


async def _until_gone(pad, connections):
    """Until the room has ``connections`` connections left (a leave is handled after close)."""
    for _attempt in range(500):
        current = room._rooms.get(pad.pk)
        if current is not None and len(current.connections) == connections:
            return current
        await asyncio.sleep(0.01)
    raise AssertionError("the connection never left the room")


# --- Message size ----------------------------------------------------------------------


def _big_paste(pages):
    """A formatted paste of ``pages`` pages (10 paragraphs of 50 words, 6 runs each, half of
    them bold), as the editor sends it: one Yjs update."""
    rng = random.Random(pages)  # noqa: S311 - the same text each run, nothing secret
    words = ["la", "classe", "révolution", "française", "cahier", "doléances", "sortie"]
    paragraphs = []
    for _ in range(pages * 10):
        text = " ".join(rng.choice(words) for _ in range(50))
        step = len(text) // 6 + 1
        paragraphs.append(
            {
                "type": "paragraph",
                "content": [
                    {
                        "type": "text",
                        "text": text[i : i + step],
                        "marks": [{"type": "author", "attrs": {"id": "a.0123456789abcdef"}}]
                        + ([{"type": "bold"}] if (i // step) % 2 else []),
                    }
                    for i in range(0, len(text), step)
                ],
            }
        )
    return {"type": "doc", "content": paragraphs}


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_hundred_page_paste_is_accepted_and_saved(teacher):
    pad = await _link_pad(teacher)
    writer = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    paste = _big_paste(100)
    before = writer.doc.get_state()
    document.replace_content(writer.doc, paste)
    update = writer.doc.get_update(before)
    # Measured: 780 to 850 KiB, with the words; the limit leaves about ten times that.
    assert 500_000 < len(update) < protocol.MAX_MESSAGE_SIZE // 8
    await writer.send_update(update)
    await writer.pump(lambda: writer.saved == 1, timeout=30)
    assert writer.closed_code is None
    await writer.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_message_over_the_limit_closes_the_connection_with_1009(teacher, colleague):
    pad = await _link_pad(teacher)
    writer = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    other = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    oversized = protocol.sync_message(
        protocol.SYNC_UPDATE, b"\x00" * (protocol.MAX_MESSAGE_SIZE + 1)
    )
    try:
        await writer.communicator.send_to(bytes_data=oversized)
    except ConnectionClosed as closed:  # uvicorn refused the frame while it was being sent
        writer.closed_code = closed.rcvd.code if closed.rcvd else None
    await writer.pump(lambda: writer.closed_code is not None, timeout=30)
    assert writer.closed_code == TOO_LARGE
    # The others go on.
    await other.set_paragraphs("Toujours là")
    await other.pump(lambda: other.saved == 1)
    await other.close()


# --- Awareness -------------------------------------------------------------------------


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_cursor_state_over_the_limit_closes_the_connection_and_reaches_nobody(
    teacher, colleague
):
    pad = await _link_pad(teacher)
    reader = await _open(f"/ws/pad/{pad.readonly_id}")
    watcher = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    await _say(reader, AwarenessEntry(7, 1, _state("x" * protocol.MAX_AWARENESS_STATE)))
    await reader.pump(lambda: reader.closed_code is not None)
    assert reader.closed_code == TOO_LARGE
    await _say(watcher, AwarenessEntry(9, 1, _state("Ahmed")))
    await watcher.pump(lambda: _seen(watcher, 9) is not None)
    assert _seen(watcher, 7) is None
    await watcher.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_real_cursor_state_is_accepted(teacher, colleague):
    """What the editor sends (name, colour, id, selection as relative positions), with a long
    name in a non-Latin script: well under the limit."""
    pad = await _link_pad(teacher)
    alice = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    bob = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    position = {"type": {"client": 1234567890, "clock": 123456}, "tname": None}
    position |= {"item": {"client": 1234567890, "clock": 654321}, "assoc": 0}
    state = _state(
        "Сергей Александрович Иванов-Петров " * 3,
        cursor={"anchor": position, "head": position},
    )
    await _say(alice, AwarenessEntry(42, 1, state))
    await bob.pump(lambda: _seen(bob, 42) == state)
    await alice.close()
    await bob.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_connection_cannot_change_or_erase_someone_elses_cursor(teacher, colleague):
    pad = await _link_pad(teacher)
    alice = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    bob = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    mallory = await _open(f"/ws/pad/{pad.readonly_id}")  # a forwarded read-only link
    alice_state = _state("Alice")
    await _say(alice, AwarenessEntry(42, 1, alice_state))
    await bob.pump(lambda: _seen(bob, 42) == alice_state)
    await _say(mallory, AwarenessEntry(7, 1, _state("Mallory")))
    await _say(mallory, AwarenessEntry(42, 5, _state("Alice (fausse)")))
    await _say(mallory, AwarenessEntry(42, 6, "null"))
    # Messages are handled in order: once her next own state arrives, the others were seen.
    await _say(mallory, AwarenessEntry(7, 2, _state("Mallory, fin")))
    await bob.pump(lambda: _seen(bob, 7) == _state("Mallory, fin"))
    assert _seen(bob, 42) == alice_state
    # Dropped, not refused: a standard client echoes others' states (y-websocket does).
    assert mallory.closed_code is None
    newcomer = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    await newcomer.pump(lambda: _seen(newcomer, 7) is not None)
    assert _seen(newcomer, 42) == alice_state
    for client in (alice, bob, mallory, newcomer):
        await client.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_connection_has_one_cursor_whatever_ids_it_announces(teacher, colleague):
    pad = await _link_pad(teacher)
    mallory = await _open(f"/ws/pad/{pad.readonly_id}")
    await _say(mallory, *(AwarenessEntry(i, 1, _state(f"n{i}")) for i in range(1, 1001)))
    await _say(mallory, *(AwarenessEntry(i, 1, _state(f"n{i}")) for i in range(1001, 2001)))
    await _say(mallory, AwarenessEntry(1, 2, _state("fin")))
    newcomer = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    await newcomer.pump(lambda: _seen(newcomer, 1) == _state("fin"))
    assert {e.client_id for e in newcomer.awareness} == {1}
    assert mallory.closed_code is None
    await mallory.close()
    await newcomer.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_cursor_is_removed_when_its_connection_leaves(teacher, colleague):
    pad = await _link_pad(teacher)
    alice = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    bob = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    await _say(alice, AwarenessEntry(42, 1, _state("Alice")))
    await bob.pump(lambda: _seen(bob, 42) is not None)
    await alice.close()
    await bob.pump(lambda: _seen(bob, 42) == "null")
    assert 42 not in (await _until_gone(pad, 1)).awareness
    await bob.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_writer_reconnecting_keeps_their_cursor_someone_else_cannot_take_it(
    teacher, colleague
):
    """A browser that reconnects announces its client id again, maybe before the server saw
    its old connection go: the same writer takes the id over, and the old connection's leaving
    does not remove it. Another writer announcing the same id is ignored."""
    pad = await _link_pad(teacher)
    old = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    bob = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    await _say(old, AwarenessEntry(42, 1, _state("Alice")))
    await bob.pump(lambda: _seen(bob, 42) == _state("Alice"))
    await _say(bob, AwarenessEntry(42, 2, _state("Bob déguisé")))
    new = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    await _say(new, AwarenessEntry(42, 3, _state("Alice, de retour")))
    await bob.pump(lambda: _seen(bob, 42) == _state("Alice, de retour"))
    assert _state("Bob déguisé") not in [e.state for e in bob.awareness]
    await old.close()
    current = await _until_gone(pad, 2)
    assert current.awareness[42].state == _state("Alice, de retour")
    await new.close()
    await bob.pump(lambda: _seen(bob, 42) == "null")
    await bob.close()


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_echoed_and_removed_states_of_others_claim_nothing(teacher, colleague):
    """A client whose first awareness message repeats the others' states (an echo, the answer
    to a query) or removes unknown ones gets none of those ids; its own comes with a state."""
    pad = await _link_pad(teacher)
    alice = await _open(f"/ws/pad/{pad.pad_id}", teacher)
    await _say(alice, AwarenessEntry(42, 1, _state("Alice")))
    watcher = await _open(f"/ws/pad/{pad.pad_id}", colleague)
    await watcher.pump(lambda: _seen(watcher, 42) is not None)
    echo = await _open(f"/ws/pad/{pad.readonly_id}")
    await echo.pump(lambda: _seen(echo, 42) is not None)
    await _say(echo, AwarenessEntry(42, 1, _state("Alice")), AwarenessEntry(43, 2, "null"))
    await _say(echo, AwarenessEntry(42, 9, "null"))
    await _say(echo, AwarenessEntry(50, 1, _state("Lecteur")))
    await _say(echo, AwarenessEntry(43, 3, _state("Un deuxième")))
    await _say(echo, AwarenessEntry(50, 2, _state("Lecteur, fin")))
    await watcher.pump(lambda: _seen(watcher, 50) == _state("Lecteur, fin"))
    assert _seen(watcher, 42) == _state("Alice")
    assert _seen(watcher, 43) is None
    for client in (alice, echo, watcher):
        await client.close()
