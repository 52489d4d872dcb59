"""Yjs clients outside a browser, against a real ``cartable serve`` on 127.0.0.1.

An integration creates a pad through the Etherpad HTTP API, then writes in it with a standard
Yjs client: Node's y-websocket provider over the ``ws`` package, which sends no ``Origin``.
What it presents is what ``access.resolve`` reads without a browser session: the pad's name
(the edit link of an API pad), or the ``sessionID`` cookie of an Etherpad session for a group
pad. The text is read back through the API's getText.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from cartable.pad import protocol
from cartable.testing.servers import REPO, Server, clean_env, run_async, running

CLIENT = Path(__file__).with_name("yjs_client.mjs")
NODE = shutil.which("node") or "node"
KEY = "yjs-clients-test-key-0123456789"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(NODE).is_absolute() or not (REPO / "node_modules" / "y-websocket").exists():
        pytest.skip("needs node and node_modules/y-websocket (make setup)")
    data_dir = tmp_path_factory.mktemp("yjs-clients")
    env = clean_env(data_dir, CARTABLE_PAD_API_KEY=KEY)
    with running(env, "--no-worker", log_dir=data_dir) as server:
        yield server


def _api(server: Server, function: str, **params: str | int) -> dict:
    response = requests.get(
        f"{server.url}/pad/api/1.3.0/{function}", params={"apikey": KEY, **params}, timeout=10
    )
    answer = response.json()
    assert answer["code"] == 0, answer
    return answer["data"] or {}


def _node_client(server: Server, pad_id: str, text: str, cookie: str = "") -> tuple[int, str]:
    done = subprocess.run(  # noqa: S603 (arguments come from the test)
        [NODE, str(CLIENT), server.ws_url, pad_id, text, *([cookie] if cookie else [])],
        cwd=REPO,
        env={"PATH": os.environ.get("PATH", ""), "SCARF_ANALYTICS": "false", "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_a_node_yjs_client_writes_in_a_pad_made_through_the_api(served):
    _api(served, "createPad", padID="yjs-depuis-node", text="Créé par l'API")
    code, output = _node_client(served, "yjs-depuis-node", "Écrit par y-websocket")
    assert code == 0, f"{output}\n{served.log_tail()}"
    text = _api(served, "getText", padID="yjs-depuis-node")["text"]
    assert text == "Créé par l'API\nÉcrit par y-websocket\n"


def test_a_node_yjs_client_writes_in_a_group_pad_with_an_etherpad_session(served):
    group = _api(served, "createGroup")["groupID"]
    author = _api(served, "createAuthor", name="Script de Moodle")["authorID"]
    pad_id = _api(served, "createGroupPad", groupID=group, padName="devoir")["padID"]
    session = _api(
        served, "createSession", groupID=group, authorID=author, validUntil=4_000_000_000
    )["sessionID"]
    # Without the session: refused (a group pad is not open by its name).
    code, output = _node_client(served, pad_id, "Intrus")
    assert code == 2, output
    code, output = _node_client(served, pad_id, "Consigne du devoir", f"sessionID={session}")
    assert code == 0, f"{output}\n{served.log_tail()}"
    assert _api(served, "getText", padID=pad_id)["text"] == "Consigne du devoir\n"
    assert _api(served, "listAuthorsOfPad", padID=pad_id)["authorIDs"] == [author]


async def _handshake(server: Server, pad_id: str, origin: str | None) -> int | None:
    """The HTTP status of a refused handshake; None when the socket opened."""

    try:
        async with connect(f"{server.ws_url}/ws/pad/{pad_id}", origin=origin, open_timeout=10):  # type: ignore[arg-type]
            return None
    except InvalidStatus as refused:
        return refused.response.status_code


def test_the_server_refuses_foreign_origins_and_accepts_none(served):
    _api(served, "createPad", padID="yjs-origines")
    assert run_async(_handshake(served, "yjs-origines", None)) is None
    assert run_async(_handshake(served, "yjs-origines", served.url)) is None
    assert run_async(_handshake(served, "yjs-origines", "https://evil.example")) == 403


async def _oversized(server: Server, pad_id: str) -> int | None:
    async with connect(f"{server.ws_url}/ws/pad/{pad_id}", open_timeout=10) as socket:
        try:
            # A sync update one byte over the limit, sent whole: the server refuses the frame.
            await socket.send(b"\x00\x02" + b"\x00" * (protocol.MAX_MESSAGE_SIZE - 1))
            while True:
                await asyncio.wait_for(socket.recv(), 30)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


def test_the_server_closes_a_socket_that_sends_more_than_the_limit(served):
    _api(served, "createPad", padID="yjs-trop-gros")
    assert run_async(_oversized(served, "yjs-trop-gros")) == protocol.CLOSE_TOO_LARGE
