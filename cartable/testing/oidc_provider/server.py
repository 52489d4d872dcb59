"""Start the test OpenID Connect provider in a subprocess, from a test fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class RunningProvider:
    url: str
    log_path: Path

    @property
    def issuer(self) -> str:
        """What a relying party is configured with (discovery lives under it)."""
        return f"{self.url}/o"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class ProviderDidNotStart(RuntimeError):
    pass


@contextmanager
def running_provider(
    *,
    clients: list[dict[str, Any]],
    users: list[dict[str, Any]],
    workdir: Path,
    timeout: float = 30.0,
) -> Iterator[RunningProvider]:
    """A provider serving on 127.0.0.1 until the block ends.

    ``clients``: ``{client_id, client_secret, redirect_uris}``, confidential, authorization
    code, consent skipped. ``users``: ``{username, password, claims}``, where ``claims`` are
    released in the ID token and userinfo ("uai" and "profile" with the "profile" scope).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps({"clients": clients, "users": users}), encoding="utf-8")
    log_path = workdir / "provider.log"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "cartable.testing.oidc_provider",
                str(workdir),
                str(config_path),
            ],
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=REPO_ROOT,
            env=env,
        )
    try:
        assert process.stdout is not None  # noqa: S101
        line = process.stdout.readline().strip()
        if not line.isdigit():
            process.wait(timeout=timeout)
            raise ProviderDidNotStart(log_path.read_text(encoding="utf-8", errors="replace"))
        provider = RunningProvider(url=f"http://127.0.0.1:{int(line)}", log_path=log_path)
        _wait_until_ready(provider, process, timeout)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _wait_until_ready(
    provider: RunningProvider, process: subprocess.Popen[bytes], timeout: float
) -> None:
    discovery = f"{provider.issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ProviderDidNotStart(provider.log())
        try:
            if requests.get(discovery, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise ProviderDidNotStart(f"no answer from {discovery} in {timeout} s\n{provider.log()}")
