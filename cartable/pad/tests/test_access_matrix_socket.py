"""The pad websocket's part of the access matrix (``cartable.testing.access_matrix``): every
persona opens every pad at ``/ws/pad/<id>`` (view) and types in it (write), through the real
application (Channels' communicator, ``yclient.YClient``), signed in with a session cookie,
anonymous, or with an Etherpad API session's ``sessionID`` cookie.

The room stores what is typed from threads and connections of its own: the world is
committed, once for the module, and the database emptied at its end (as a transactional
test case does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.test import override_settings

from cartable.pad.tests.matrix_world import API_KEY, PadWorld, build
from cartable.pad.tests.yclient import YClient
from cartable.testing.access_matrix import PAD_PERSONAS, RESOURCES, Case, Probe, cases, expected

LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
BROWSER = frozenset({"account", "anonymous", "session"})


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[PadWorld]:
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PAD_API_KEY=API_KEY, PASSWORD_HASHERS=hashers, CHANNEL_LAYERS=LAYER),
    ):
        try:
            yield build(PAD_PERSONAS)
        finally:
            # As a transactional test case empties it: ids are not used again (the pads'
            # rooms, jobs and throttles of this process remember pads by id).
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


@pytest.fixture
def database(world: PadWorld, django_db_blocker: Any, settings: Any) -> Iterator[None]:
    settings.CHANNEL_LAYERS = LAYER
    with django_db_blocker.unblock():
        yield


def _cookie(w: PadWorld, persona: str) -> str | None:
    client = w.client(persona)
    parts = [f"{name}={morsel.value}" for name, morsel in client.cookies.items()]
    return "; ".join(parts) or None


async def _open(w: PadWorld, persona: str, pad: Any) -> YClient | None:
    cookie = await sync_to_async(_cookie)(w, persona)
    client, connected, _code = await YClient.connect(f"/ws/pad/{pad.pad_id}", cookie)
    if not connected:
        return None
    await client.sync()
    return client


async def _view(w: PadWorld, persona: str, pad: Any) -> bool:
    client = await _open(w, persona, pad)
    if client is None:
        return False
    await client.close()
    return True


async def _write(w: PadWorld, persona: str, pad: Any) -> bool:
    client = await _open(w, persona, pad)
    if client is None:
        return False
    await client.set_paragraphs(f"écrit par {persona}")
    await client.pump(lambda: client.saved == 1 or client.closed_code is not None)
    written = client.saved == 1 and client.closed_code is None
    if client.closed_code is None:
        await client.close()
    return written


PROBES: dict[str, tuple[Probe, Callable[..., Any]]] = {
    "view": (Probe("websocket", "view", BROWSER), _view),
    "write": (Probe("websocket", "write", BROWSER), _write),
}
CASES = [c for c in cases("pad", PROBES) if c.persona != "api_client"]


@pytest.mark.asyncio
@pytest.mark.usefixtures("database")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_access_matrix_socket(world: PadWorld, case: Case) -> None:
    found, run = PROBES[case.action]
    want = expected(case.resource, case.persona, found)
    got = await run(world, case.persona, world.pads[case.resource.key])
    assert got == want, (
        f"{case.persona} {case.action} {case.resource.key} by websocket: "
        f"{'allowed' if got else 'refused'}, the table says {'allowed' if want else 'refused'}"
    )


def test_every_pad_of_the_table_is_tried_by_websocket(db: Any) -> None:
    """(Also what makes pytest-django set up the test database for this module.)"""

    tried = {c.resource.key for c in CASES}
    assert tried == {r.key for r in RESOURCES if r.tool == "pad"}
