"""Kill the server with SIGKILL while a writer types: nothing it saw acknowledged is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import websockets
from pycrdt import Doc, XmlElement, XmlText

from cartable.pad import document, protocol

BIN = Path(sys.executable).parent
SETUP = """
import django; django.setup()
from cartable.pad.actions import create_pad
create_pad(pad_id="crash-test", reach="link")  # as the Etherpad API makes it
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARTABLE_")}
    env.update(
        CARTABLE_DATA_DIR=str(data_dir),
        CARTABLE_EMAIL_BACKEND="memory",
        DJANGO_SETTINGS_MODULE="cartable.settings",
    )
    return env


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [BIN / "cartable", "serve", "--port", str(port), "--no-worker", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


class Writer:
    def __init__(self) -> None:
        self.doc = Doc()
        root = document.fragment(self.doc)
        root.children.append(XmlElement("paragraph", {}, [XmlText("")]))
        self.text = root.children[0].children[0]
        self.typed = 0
        self.acked = 0
        # For the n-th update message sent (step 2 included): how many characters were typed.
        self.chars_at: list[int] = []

    async def send(self, ws, sub_type: int, update: bytes) -> None:  # type: ignore[no-untyped-def]
        self.chars_at.append(self.typed)
        await ws.send(protocol.sync_message(sub_type, update))

    async def start(self, ws) -> asyncio.Task[None]:  # type: ignore[no-untyped-def]
        """Sync step 1, the listener of the server's messages, the empty paragraph."""
        await ws.send(protocol.sync_message(protocol.SYNC_STEP1, self.doc.get_state()))
        listener = asyncio.create_task(_handle(ws, self))
        await self.send(ws, protocol.SYNC_UPDATE, self.doc.get_update())
        return listener

    async def type_one(self, ws) -> None:  # type: ignore[no-untyped-def]
        """The next letter of the alphabet, a message of its own."""
        before = self.doc.get_state()
        self.text.insert(len(str(self.text)), chr(ord("a") + self.typed % 26))
        self.typed += 1
        await self.send(ws, protocol.SYNC_UPDATE, self.doc.get_update(before))


def _letters(count: int) -> str:
    """What the writer typed after ``count`` characters."""
    return "".join(chr(ord("a") + i % 26) for i in range(count))


async def _handle(ws, writer: Writer) -> None:  # type: ignore[no-untyped-def]
    async for message in ws:
        reader = protocol.Reader(message)
        kind = reader.var_uint()
        if kind == protocol.MESSAGE_SAVED:
            writer.acked = max(writer.acked, reader.var_uint())
        elif kind == protocol.MESSAGE_SYNC:
            sub = reader.var_uint()
            payload = reader.var_bytes()
            if sub == protocol.SYNC_STEP1:
                await writer.send(ws, protocol.SYNC_STEP2, writer.doc.get_update(payload))
            else:
                writer.doc.apply_update(payload)


async def _type_until_killed(port: int, server: subprocess.Popen[bytes]) -> tuple[int, int]:
    writer = Writer()
    url = f"ws://127.0.0.1:{port}/ws/pad/crash-test"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}") as ws:
        listener = await writer.start(ws)
        killed = False
        acked_when_killed = 0
        with pytest.raises(websockets.ConnectionClosed):
            for _ in range(5000):
                await writer.type_one(ws)
                await asyncio.sleep(0.002)
                if not killed and writer.acked >= 200:
                    acked_when_killed = writer.acked
                    server.send_signal(signal.SIGKILL)
                    killed = True
                    acked_when_killed = max(acked_when_killed, writer.acked)
            await asyncio.wait_for(listener, 10)
        listener.cancel()
        acked = max(acked_when_killed, writer.acked)
        assert acked <= len(writer.chars_at), (acked, len(writer.chars_at), writer.typed)
        return writer.chars_at[acked - 1], writer.typed


async def _read(port: int) -> str:
    reader_doc = Doc()
    document.fragment(reader_doc)
    url = f"ws://127.0.0.1:{port}/ws/pad/crash-test"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}") as ws:
        await ws.send(protocol.sync_message(protocol.SYNC_STEP1, reader_doc.get_state()))
        while True:
            message = await asyncio.wait_for(ws.recv(), 10)
            reader = protocol.Reader(message)
            if (
                reader.var_uint() == protocol.MESSAGE_SYNC
                and reader.var_uint() == protocol.SYNC_STEP2
            ):
                reader_doc.apply_update(reader.var_bytes())
                return document.to_text(reader_doc).rstrip("\n")


def _text_after_restart(env: dict[str, str], port: int) -> str:
    server = _serve(env, port)
    try:
        return _run(_read(port))
    finally:
        server.terminate()
        server.wait(10)


def _run(coroutine):  # type: ignore[no-untyped-def]
    # In a thread of its own: Playwright's fixtures may keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_sigkill_during_typing_loses_nothing_acknowledged(tmp_path):
    env = _env(tmp_path)
    subprocess.run([BIN / "cartable", "manage", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([BIN / "python", "-c", SETUP], env=env, check=True)
    port = _free_port()
    server = _serve(env, port)
    try:
        acked, typed = _run(_type_until_killed(port, server))
    finally:
        server.kill()
        server.wait(10)
    assert acked >= 150
    text = _text_after_restart(env, port)
    # ``acked``: characters typed by the last acknowledged message; all must be there.
    assert text.startswith(_letters(acked)), (len(text), acked, typed)
    assert len(text) <= typed


async def _type_then_kill(port: int, server: subprocess.Popen[bytes], count: int) -> int:
    """Type ``count`` characters, wait until every message is acknowledged, then SIGKILL."""
    writer = Writer()
    url = f"ws://127.0.0.1:{port}/ws/pad/crash-test"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}") as ws:
        listener = await writer.start(ws)
        for _ in range(count):
            await writer.type_one(ws)
        for _ in range(1000):
            if writer.acked >= len(writer.chars_at):
                break
            await asyncio.sleep(0.01)
        assert writer.acked == len(writer.chars_at)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        listener.cancel()
    return writer.typed


def test_sigkill_with_keystrokes_only_in_the_journal_loses_none(tmp_path):
    """The database's write lock is held by someone else while the writer types: every
    keystroke is acknowledged from the journal, none reaches the database before the kill; the
    next start stores them all."""
    env = _env(tmp_path)
    subprocess.run([BIN / "cartable", "manage", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([BIN / "python", "-c", SETUP], env=env, check=True)
    database = tmp_path / "cartable.sqlite3"
    port = _free_port()
    server = _serve(env, port)
    lock = sqlite3.connect(database, isolation_level=None, timeout=10)
    try:
        lock.execute("BEGIN IMMEDIATE")  # as a long Drive upload or a backup would
        typed = _run(_type_then_kill(port, server, 40))
        lock.execute("ROLLBACK")
    finally:
        lock.close()
        server.kill()
        server.wait(10)
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT head FROM pad_pad WHERE pad_id = 'crash-test'").fetchone() == (
            0,
        )
    assert list((tmp_path / "pad-journal").glob("*.journal"))

    text = _text_after_restart(env, port)
    assert text == _letters(typed)
    with sqlite3.connect(database) as check:
        head, journal_seq = check.execute(
            "SELECT head, journal_seq FROM pad_pad WHERE pad_id = 'crash-test'"
        ).fetchone()
    assert head >= typed and journal_seq > 0
    assert not list((tmp_path / "pad-journal").glob("*.journal"))
