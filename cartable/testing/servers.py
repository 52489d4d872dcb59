"""Real ``cartable serve`` processes for tests, on free ports of 127.0.0.1.

Every wait is bounded; a server that does not come up fails the test with the end of its log.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cartable_command() -> list[str]:
    script = Path(sys.executable).with_name("cartable")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cartable.cli"]


def clean_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """The environment of a child process: ours without any CARTABLE_* variable, plus these.

    With no variable, the child runs in the embedded mode whatever mode the tests run in.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARTABLE_")}
    env.update(
        {
            "CARTABLE_DATA_DIR": str(data_dir),
            "CARTABLE_LOG_LEVEL": "WARNING",
            "CARTABLE_EMAIL_BACKEND": "console",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(variables)
    return env


def run_cartable(env: Mapping[str, str], *args: str, timeout: float = 240) -> str:
    done = subprocess.run(  # noqa: S603 (arguments come from the tests)
        [*cartable_command(), *args],
        env=dict(env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cartable {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)


def start_server(env: Mapping[str, str], *args: str, log_dir: Path) -> Server:
    """``cartable serve`` with ``args`` on a free port, once it answers HTTP."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (arguments come from the tests)
            [*cartable_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=dict(env),
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log, dict(env))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"cartable serve exited ({process.returncode}):\n{server.log_tail()}"
            )
        try:
            if requests.get(f"{server.url}/accounts/login/", timeout=2).status_code < 500:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"cartable serve did not answer in {START_TIMEOUT} s:\n{server.log_tail()}")


@contextmanager
def running(env: Mapping[str, str], *args: str, log_dir: Path) -> Iterator[Server]:
    server = start_server(env, *args, log_dir=log_dir)
    try:
        yield server
    finally:
        server.stop()


def run_async(coroutine: Coroutine[Any, Any, Any], timeout: float = 120) -> Any:
    """``asyncio.run(coroutine)`` in a thread of its own, bounded by ``timeout`` seconds.

    The test thread may already hold a running loop (Playwright's sync API leaves one after
    the browser tests), where ``asyncio.run`` refuses to start.
    """
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="run-async") as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout)


# --- A browser's part, done with requests and websockets -----------------------------------

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(server: Server, login: str, password: str) -> requests.Session:
    """Sign in through the sign-in form, as a browser does; the session, cookies set."""
    session = requests.Session()
    page = session.get(f"{server.url}/accounts/login/", timeout=10)
    page.raise_for_status()
    response = session.post(
        f"{server.url}/accounts/login/",
        data={"login": login, "password": password, "csrfmiddlewaretoken": csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise AssertionError(f"sign-in of {login} failed: {response.status_code}")
    return session


def csrf_token(html: str) -> str:
    match = _CSRF_INPUT.search(html)
    if not match:
        raise AssertionError("no CSRF token in the page")
    return match.group(1)


def post_form(
    session: requests.Session, url: str, data: dict[str, str], *, form_page: str | None = None
) -> requests.Response:
    """POST ``data`` with the CSRF token of ``form_page`` (default: ``url``), as a form does."""
    page = session.get(form_page or url, timeout=10)
    page.raise_for_status()
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": form_page or url},
        allow_redirects=False,
        timeout=10,
    )


def events_during(
    server: Server,
    session: requests.Session,
    action: Callable[[], Any],
    *,
    until: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 10.0,
) -> list[dict[str, Any]]:
    """The events ``/ws/events/`` on ``server`` pushes to ``session``'s user while ``action`` runs.

    Waits until ``until(events)`` holds, or fails after ``timeout`` seconds.
    """
    # Only for the tests that open a websocket.
    from websockets.asyncio.client import connect

    cookie = f"sessionid={session.cookies['sessionid']}"

    async def run() -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        async with connect(
            f"{server.ws_url}/ws/events/",
            origin=server.url,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie},
            open_timeout=10,
            close_timeout=5,
        ) as ws:
            await asyncio.wait_for(asyncio.to_thread(action), timeout)
            deadline = asyncio.get_running_loop().time() + timeout
            while not until(events):
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise AssertionError(f"events received in {timeout} s: {events}")
                try:
                    raw = await asyncio.wait_for(ws.recv(), remaining)
                except TimeoutError:
                    raise AssertionError(f"events received in {timeout} s: {events}") from None
                events.append(json.loads(raw))
        return events

    return run_async(run(), timeout=timeout + 30)
