"""Two people editing one pad through two ``cartable serve`` processes (make test-scaled).

Each server keeps a room for the pad; their durable updates travel over Redis.
"""

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from cartable.core.roles import Reach
from cartable.pad import actions, document, protocol, store
from cartable.pad.models import PadRevision
from cartable.testing.factories import PASSWORD
from cartable.testing.servers import run_async, sign_in

from .yclient import YClient

pytestmark = pytest.mark.scaled


class Socket:
    """A real websocket with the face of Channels' communicator, for YClient."""

    def __init__(self, ws):
        self.ws = ws

    async def send_to(self, bytes_data):
        await self.ws.send(bytes_data)

    async def receive_output(self, timeout):
        try:
            data = await asyncio.wait_for(self.ws.recv(), timeout)
        except ConnectionClosed as exc:
            return {"type": "websocket.close", "code": exc.rcvd.code if exc.rcvd else None}
        if isinstance(data, str):
            return {"type": "websocket.send", "text": data, "bytes": None}
        return {"type": "websocket.send", "bytes": data}

    async def disconnect(self):
        await self.ws.close()


def _editor(server, session, pad_id):
    return connect(
        f"{server.ws_url}/ws/pad/{pad_id}",
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={session.cookies['sessionid']}"},
        open_timeout=10,
        close_timeout=5,
    )


def test_two_writers_on_two_servers_see_each_other_and_everything_is_saved(
    two_servers, scaled_users
):
    a, b = two_servers
    teacher, colleague = scaled_users
    pad = actions.create_pad(owner=teacher, title="Plan de séquence", reach=Reach.LINK)
    alice_session = sign_in(a, teacher.email, PASSWORD)
    bob_session = sign_in(b, colleague.email, PASSWORD)

    async def edit_together():
        async with (
            _editor(a, alice_session, pad.pad_id) as alice_ws,
            _editor(b, bob_session, pad.pad_id) as bob_ws,
        ):
            alice, bob = YClient(Socket(alice_ws)), YClient(Socket(bob_ws))
            await alice.sync()
            await bob.sync()
            await alice.set_paragraphs("Séance 1 : introduction")
            await alice.pump(lambda: alice.saved == 1, timeout=10)
            await bob.pump(lambda: "Séance 1" in bob.text(), timeout=10)
            await bob.edit(
                lambda doc: document.append_content(
                    doc, document.text_to_pm("Séance 2 : exercices")
                )
            )
            await bob.pump(lambda: bob.saved == 1, timeout=10)
            await alice.pump(lambda: "Séance 2" in alice.text(), timeout=10)
            return alice.text(), bob.text()

    alice_text, bob_text = run_async(edit_together())

    expected = "Séance 1 : introduction\nSéance 2 : exercices\n"
    assert alice_text == bob_text == expected
    assert document.to_text(store.load_document(pad.pk)[0]) == expected
    assert PadRevision.objects.filter(pad=pad).count() == 2


def test_a_cursor_kept_by_one_server_cannot_be_changed_through_the_other(two_servers, scaled_users):
    """Alice's cursor comes from server A; on server B, a read-only visitor can neither
    overwrite nor erase it, and it goes when Alice leaves."""
    a, b = two_servers
    teacher, colleague = scaled_users
    pad = actions.create_pad(owner=teacher, reach=Reach.LINK)
    alice_session = sign_in(a, teacher.email, PASSWORD)
    bob_session = sign_in(b, colleague.email, PASSWORD)
    alice_state = '{"user":{"name":"Alice"}}'

    def seen(client, client_id):
        states = [e.state for e in client.awareness if e.client_id == client_id]
        return states[-1] if states else None

    async def say(client, client_id, clock, state):
        entry = protocol.AwarenessEntry(client_id, clock, state)
        await client.communicator.send_to(protocol.awareness_message([entry]))

    async def meet():
        async with (
            _editor(a, alice_session, pad.pad_id) as alice_ws,
            _editor(b, bob_session, pad.pad_id) as bob_ws,
            connect(f"{b.ws_url}/ws/pad/{pad.readonly_id}", open_timeout=10) as mallory_ws,
        ):
            alice, bob = YClient(Socket(alice_ws)), YClient(Socket(bob_ws))
            mallory = YClient(Socket(mallory_ws))
            for client in (alice, bob, mallory):
                await client.sync()
            await say(alice, 42, 1, alice_state)
            await bob.pump(lambda: seen(bob, 42) == alice_state, timeout=10)
            await mallory.pump(lambda: seen(mallory, 42) == alice_state, timeout=10)
            await say(mallory, 42, 5, '{"user":{"name":"Alice (fausse)"}}')
            await say(mallory, 42, 6, "null")
            await say(mallory, 7, 1, '{"user":{"name":"Mallory"}}')
            await bob.pump(lambda: seen(bob, 7) is not None, timeout=10)
            assert seen(bob, 42) == alice_state
            await alice.close()
            await bob.pump(lambda: seen(bob, 42) == "null", timeout=10)

    run_async(meet())
