"""Two people editing one pad through two ``cartable serve`` processes (make test-scaled).

Each server keeps a room for the pad; their durable updates travel over Redis.
"""

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from cartable.pad import actions, document, store
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
    pad = actions.create_pad(owner=teacher, title="Plan de séquence")  # edit link: reach=link
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
