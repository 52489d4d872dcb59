"""A real Cartable server for the pad's browser tests.

Websockets need an ASGI server, which pytest-django's live server (WSGI) is not: the tests
start ``cartable serve`` in a subprocess, on a data directory of their own, and sign in
through the real login page.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from django.test import Client

from cartable.asgi import application
from cartable.cli import UVICORN_OPTIONS
from cartable.pad import writer

from .etherpad_api import API_KEY, EtherpadApi
from .yclient import YClient

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery staple"

# Run in the server's data directory before it starts: two teachers and a pad shared by link;
# Claire's class, 5e A, and a pupil of it.
SETUP = f"""
import json, django
django.setup()
from cartable.accounts.actions import (
    create_group, create_invitation, create_staff_user, join_as_new_student,
)
from cartable.pad import actions
claire = create_staff_user("claire.martin@ac-lyon.fr", password={PASSWORD!r},
                           display_name="Claire Martin", check_domain=False)
ahmed = create_staff_user("ahmed.benali@ac-lyon.fr", password={PASSWORD!r},
                          display_name="Ahmed Benali", check_domain=False)
pad = actions.create_pad(owner=claire, title="Compte rendu du conseil pédagogique", reach="link")
klass = create_group(claire, "5e A")
code = create_invitation(klass, by=claire).code
join_as_new_student(code, username="lucas.5ea", password={PASSWORD!r}, display_name="Lucas")
print(json.dumps({{"pad_id": pad.pad_id, "readonly_id": pad.readonly_id}}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PadServer:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Nothing of the test run's own configuration (database, Redis, storage) leaks in.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CARTABLE_")}
        self.env |= {
            "CARTABLE_DATA_DIR": str(data_dir),
            "CARTABLE_BASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "cartable.settings",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def prepare(self) -> dict[str, str]:
        python = sys.executable
        subprocess.run(
            [python, "-m", "django", "migrate", "--no-input", "-v", "0"],
            env=self.env,
            cwd=ROOT,
            check=True,
        )
        out = subprocess.run(
            [python, "-c", SETUP], env=self.env, cwd=ROOT, check=True, capture_output=True
        )
        return json.loads(out.stdout.decode().strip().splitlines()[-1])

    def start(self) -> None:
        cartable = Path(sys.executable).with_name("cartable")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(cartable), "serve", "--no-migrate", "--no-worker", "--port", str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/", timeout=2):  # noqa: S310
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError(f"cartable serve did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture(scope="module")
def pad_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PadServer, dict]]:
    server = PadServer(tmp_path_factory.mktemp("pad-server"))
    ids = server.prepare()
    server.start()
    try:
        yield server, ids
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    """The session's Debian Chromium (cartable.testing.browser), under the name these tests use."""
    return browser


def sign_in(page, server: PadServer, email: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


@pytest.fixture
def api(settings, db) -> EtherpadApi:
    """The Etherpad-compatible API, called with its key as Moodle or Nextcloud would."""
    settings.PAD_API_KEY = API_KEY
    return EtherpadApi(Client())


@pytest.fixture(autouse=True)
def _writer_idle() -> Iterator[None]:
    """Each test starts once the rooms' writer thread has finished what earlier tests queued:
    the tests' in-memory SQLite refuses a second writer at once instead of waiting for it."""

    writer._executor.submit(lambda: None).result(timeout=30)
    yield


@pytest_asyncio.fixture(params=["channels", "uvicorn"])
async def transport(request: pytest.FixtureRequest) -> Any:
    """Run a test through Channels' communicator, then again through uvicorn serving the
    application in the test's event loop, over real websockets (as ``cartable serve`` does: the
    pad reads and writes frames directly there, and writes to SQLite on the loop)."""
    if request.param == "channels":
        yield request.param
        return

    config = uvicorn.Config(
        application, host="127.0.0.1", port=_free_port(), log_level="warning", **UVICORN_OPTIONS
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    YClient.server_url = f"ws://127.0.0.1:{config.port}"
    try:
        yield request.param
    finally:
        YClient.server_url = None
        server.should_exit = True
        await task
