"""Two ``cartable serve`` processes under concurrent load (make test-scaled).

Eight clients at once, half on each server, load their dashboard, list and write their files
over WebDAV, while two people type in one pad through the two servers. Every answer must be a
success, and the servers must stay within their connection pools (``two_servers`` gives them a
small one): each process opens at most the pool's maximum, however many request threads it
runs, and whatever takes a connection outside Django's request cycle (the WebDAV threads, the
pad writer, Channels) gives it back after each piece of work, or the server starves and the
clients get 500s.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
import requests
from django.db import connection

from cartable.accounts.actions import create_app_password
from cartable.core.roles import Reach
from cartable.pad import actions as pad_actions
from cartable.pad import document, protocol, store
from cartable.pad.tests.yclient import SocketCommunicator, YClient
from cartable.testing.factories import PASSWORD
from cartable.testing.servers import Server, run_async, running, sign_in

pytestmark = pytest.mark.scaled

CLIENTS = 8
ROUNDS = 40  # each: the dashboard, a PROPFIND and a PUT; 960 requests in all
PAD_LINES = 25  # lines each of the two pad editors types
WAIT = 120.0  # the most any one answer may take on a busy test machine


class ConnectionCounter:
    """The servers' connections to the test database, by state, as pg_stat_activity lists them.

    ``watch()`` samples them in a thread of its own until ``stop()``.
    """

    def __init__(self, application_name: str) -> None:
        db = connection.settings_dict
        self.application_name = application_name
        self.conn = psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
            autocommit=True,
        )
        self.samples: list[collections.Counter[str]] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="connection-counter", daemon=True)

    def count(self) -> collections.Counter[str]:
        rows = self.conn.execute(
            "SELECT state FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [self.application_name],
        ).fetchall()
        return collections.Counter(state or "" for (state,) in rows)

    def _run(self) -> None:
        while not self.stopping.wait(0.05):
            self.samples.append(self.count())

    def watch(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(10)

    @property
    def peak(self) -> int:
        return max((sum(sample.values()) for sample in self.samples), default=0)

    def close(self) -> None:
        self.conn.close()


def pool_bound(servers: tuple[Server, ...]) -> tuple[int, str]:
    """The most connections the servers may hold together, and their application name."""
    total = sum(int(server.env["CARTABLE_DATABASE_POOL_MAX"]) for server in servers)
    [name] = {
        parse_qs(urlsplit(server.env["CARTABLE_DATABASE_URL"]).query)["application_name"][0]
        for server in servers
    }
    return total, name


def browse_and_sync(
    server: Server, session: requests.Session, user, app_password: str, index: int
) -> list[tuple[str, int]]:
    """One client's rounds on ``server``: (what, status) for every request."""
    dav = requests.Session()
    dav.auth = (user.username, app_password)
    files = f"{server.url}/remote.php/dav/files/{user.username}"
    answers = []
    for n in range(ROUNDS):
        page = session.get(f"{server.url}/dashboard/", timeout=WAIT)
        answers.append(("dashboard", page.status_code))
        listing = dav.request("PROPFIND", f"{files}/", headers={"Depth": "1"}, timeout=WAIT)
        answers.append(("PROPFIND", listing.status_code))
        put = dav.put(f"{files}/charge-{index}-{n}.txt", data=f"{index} {n}".encode(), timeout=WAIT)
        answers.append(("PUT", put.status_code))
    return answers


async def open_pad(server: Server, session: requests.Session, pad_id: str) -> YClient:
    """A pad editor on ``server``, synced."""
    socket = SocketCommunicator(
        f"{server.ws_url}/ws/pad/{pad_id}",
        [
            (b"origin", server.url.encode()),
            (b"cookie", f"sessionid={session.cookies['sessionid']}".encode()),
        ],
    )
    connected, _code = await socket.connect(timeout=WAIT)
    assert connected, "pad socket refused"
    client = YClient(socket)
    await socket.send_to(protocol.sync_message(protocol.SYNC_STEP1, client.doc.get_state()))
    await client.pump(lambda: client._synced, timeout=WAIT)
    assert client.closed_code is None, f"pad socket closed ({client.closed_code})"
    return client


async def type_lines(client: YClient, who: str) -> None:
    """Types ``PAD_LINES`` lines, each acknowledged as saved."""
    for n in range(PAD_LINES):
        await client.edit(
            lambda doc, n=n: document.append_content(doc, document.text_to_pm(f"{who} {n}"))
        )
        # Every update message is acknowledged, the reply to the sync step 1 included.
        await client.pump(lambda: client.saved == client.sent, timeout=WAIT)
        assert client.closed_code is None, f"{who}: pad socket closed ({client.closed_code})"


async def edit_together(a: Server, b: Server, sessions, pad_id: str) -> list[str]:
    # Both servers' rooms are open (and listening to each other) before anyone types: what a
    # room misses while it opens is not what this test is about.
    alice = await open_pad(a, sessions[0], pad_id)
    bob = await open_pad(b, sessions[1], pad_id)
    await asyncio.gather(type_lines(alice, "alice"), type_lines(bob, "bob"))
    lines = [f"{who} {n}\n" for who in ("alice", "bob") for n in range(PAD_LINES)]
    texts = []
    for client in (alice, bob):
        await client.pump(
            lambda client=client: all(line in client.text() for line in lines), timeout=WAIT
        )
        assert client.closed_code is None, f"pad socket closed ({client.closed_code})"
        texts.append(client.text())
        await client.close()
    return texts


@pytest.mark.timeout(900)
def test_two_servers_under_load_answer_everything_within_their_connection_pools(
    two_servers, scaled_users
):
    a, b = two_servers
    teacher, colleague = scaled_users
    bound, application_name = pool_bound(two_servers)
    passwords = {user.pk: create_app_password(user, "charge")[1] for user in scaled_users}
    pad = pad_actions.create_pad(owner=teacher, title="Compte rendu", reach=Reach.LINK)
    pad_sessions = (sign_in(a, teacher.email, PASSWORD), sign_in(b, colleague.email, PASSWORD))
    # Each client's server and user; they sign in one by one first, Argon2 being made to be slow.
    roles = [((a, b)[i % 2], (teacher, colleague)[i // 2 % 2]) for i in range(CLIENTS)]
    sessions = [sign_in(server, user.email, PASSWORD) for server, user in roles]
    counter = ConnectionCounter(application_name)
    counter.watch()
    try:
        with ThreadPoolExecutor(CLIENTS + 1, thread_name_prefix="client") as pool:
            typing = pool.submit(
                run_async, edit_together(a, b, pad_sessions, pad.pad_id), 4 * PAD_LINES * WAIT
            )
            clients = [
                pool.submit(browse_and_sync, server, session, user, passwords[user.pk], i)
                for i, ((server, user), session) in enumerate(zip(roles, sessions, strict=True))
            ]
            answers = [answer for client in clients for answer in client.result()]
            texts = typing.result()
        counter.stop()
        after = counter.count()
    finally:
        counter.stop()
        counter.close()

    assert len(answers) == CLIENTS * ROUNDS * 3
    failed = collections.Counter(answer for answer in answers if answer[1] >= 400)
    assert not failed, f"{failed} (logs: {a.log_tail()}\n{b.log_tail()})"
    expected = {"dashboard": {200}, "PROPFIND": {207}, "PUT": {201}}
    assert all(status in expected[what] for what, status in answers)
    assert texts[0] == texts[1]
    stored = document.to_text(store.load_document(pad.pk)[0])
    for who in ("alice", "bob"):
        assert all(f"{who} {n}\n" in stored for n in range(PAD_LINES))
    # The sampler saw the servers at work, never past their pools, and nothing is left holding
    # a transaction open.
    assert 0 < counter.peak <= bound, (counter.peak, bound)
    assert sum(after.values()) <= bound, after
    assert after["idle in transaction"] == 0, after


@pytest.mark.timeout(300)
def test_a_server_with_a_pool_of_one_connection_serves_every_kind_of_request_in_turn(
    two_servers, scaled_users, tmp_path
):
    """Whatever keeps a connection after its work (the start-up's migrations, a WebDAV thread,
    Channels, the pad writer) leaves nothing for the next request, which fails with a 500 after
    the pool's timeout."""
    teacher, _colleague = scaled_users
    app_password = create_app_password(teacher, "charge")[1]
    pad = pad_actions.create_pad(owner=teacher, title="Compte rendu", reach=Reach.LINK)
    env = {
        **two_servers[0].env,
        "CARTABLE_DATABASE_POOL_MIN": "1",
        "CARTABLE_DATABASE_POOL_MAX": "1",
        "CARTABLE_DATABASE_POOL_TIMEOUT": "10",
    }
    # Migrations are checked at start-up (there are none to apply), in the main thread.
    with running(env, "--no-worker", log_dir=tmp_path) as server:
        session = sign_in(server, teacher.email, PASSWORD)
        dav = requests.Session()
        dav.auth = (teacher.username, app_password)
        files = f"{server.url}/remote.php/dav/files/{teacher.username}"

        def browse_and_sync() -> list[int]:
            return [
                session.get(f"{server.url}/dashboard/", timeout=WAIT).status_code,
                dav.request(
                    "PROPFIND", f"{files}/", headers={"Depth": "1"}, timeout=WAIT
                ).status_code,
                dav.put(f"{files}/seul.txt", data=b"un", timeout=WAIT).status_code,
                dav.get(f"{files}/seul.txt", timeout=WAIT).status_code,
            ]

        async def type_while_browsing() -> tuple[list[int], str]:
            socket = SocketCommunicator(
                f"{server.ws_url}/ws/pad/{pad.pad_id}",
                [
                    (b"origin", server.url.encode()),
                    (b"cookie", f"sessionid={session.cookies['sessionid']}".encode()),
                ],
            )
            connected, _code = await socket.connect(timeout=WAIT)
            assert connected
            client = YClient(socket)
            await socket.send_to(protocol.sync_message(protocol.SYNC_STEP1, client.doc.get_state()))
            await client.pump(lambda: client._synced, timeout=WAIT)
            await client.set_paragraphs("Une seule connexion")
            await client.pump(lambda: client.saved == client.sent, timeout=WAIT)
            assert client.closed_code is None
            during = await asyncio.to_thread(browse_and_sync)
            await client.close()
            return during, client.text()

        before = browse_and_sync()
        during, text = run_async(type_while_browsing(), timeout=4 * WAIT)
        after = browse_and_sync()

    assert before == [200, 207, 201, 200], server.log_tail()
    assert during == after == [200, 207, 204, 200], server.log_tail()
    assert text == "Une seule connexion\n"
