"""The pad's fast paths (cartable/pad/frames.py) are on where they are meant to be.

They lean on uvicorn's internals (pinned in pyproject.toml): an upgrade that renames what they
read switches them off without an error. These tests fail then.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from asgiref.sync import sync_to_async
from websockets.asyncio.client import connect

from cartable.core.roles import Reach
from cartable.pad import actions, protocol
from cartable.pad.room import _rooms
from cartable.testing.servers import clean_env, run_async, running

from .yclient import YClient

PAD_SETUP = """
import django; django.setup()
from cartable.core.roles import Reach
from cartable.pad.actions import create_pad
create_pad(pad_id="fast-paths", reach=Reach.LINK)
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_frames_are_read_and_written_directly_under_cartable_serves_options(
    teacher, transport
):
    if transport != "uvicorn":
        pytest.skip("Channels' communicator has no socket to write to")
    pad = await sync_to_async(actions.create_pad)(owner=teacher, text="Texte", reach=Reach.LINK)
    client, ok, _ = await YClient.connect(f"/ws/pad/{pad.pad_id}")
    assert ok
    await client.sync()
    (connection,) = _rooms[pad.pk].connections
    assert connection.write_direct is not None
    assert connection.reads_directly
    await client.close()


def test_cartable_serve_reports_both_fast_paths_on(tmp_path):
    """The real command: its log says the frames are read and written directly, and nothing
    says a fast path is off."""
    env = clean_env(tmp_path, CARTABLE_LOG_LEVEL="INFO")
    with running(env, "--no-worker", log_dir=tmp_path) as server:
        subprocess.run(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", PAD_SETUP], env=env, check=True, timeout=120
        )

        async def edit() -> None:
            async with connect(
                f"{server.ws_url}/ws/pad/fast-paths", origin=server.url, compression=None
            ) as ws:
                await ws.send(protocol.sync_message(protocol.SYNC_STEP1, b"\x00"))
                await asyncio.wait_for(ws.recv(), 10)

        run_async(edit(), timeout=30)
        server.stop()
        log = server.log.read_text(errors="replace")
    assert "frames are read and written directly" in log, log
    assert "off under" not in log, log
