"""Response times of the portal's main pages, served by `cartable serve` (embedded mode).

Run: .venv/bin/python bench/pages.py [--requests 200] [--concurrency 8]
Starts a server on a free port with demo data in a temporary data directory, signs in as the
demo teacher, and prints p50/p95/p99 latency per page and the throughput with N clients.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def sign_in(base: str, login: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": login, "password": password},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    assert response.url.endswith("/dashboard/"), response.url
    return session


def start_server(env: dict[str, str], port: int, *extra: str) -> subprocess.Popen[bytes]:
    """`cartable serve` on 127.0.0.1:``port``, once it answers."""
    server = subprocess.Popen(
        [
            BIN / "cartable",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-migrate",
            *extra,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except requests.ConnectionError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("cartable serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "CARTABLE_DATA_DIR": data_dir, "CARTABLE_EMAIL_BACKEND": "memory"}
        subprocess.run([BIN / "cartable", "demo"], env=env, check=True, capture_output=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port)
        try:
            teacher = sign_in(base, "claire.martin@college-jean-moulin.ac-lyon.fr", "cartable-demo")
            klass = re.search(
                r'href="(/groups/[0-9a-f-]+/)"', teacher.get(f"{base}/dashboard/").text
            ).group(1)  # type: ignore[union-attr]
            guest = requests.Session()
            pages = [
                ("home (guest)", guest, "/"),
                ("sign-in page", guest, "/accounts/login/"),
                ("guide", guest, "/guide/"),
                ("dashboard", teacher, "/dashboard/"),
                ("class page", teacher, klass),
                ("search", teacher, "/search/?q=4e"),
                ("notifications", teacher, "/notifications/"),
            ]
            print(f"{'page':<16} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
            for name, session, path in pages:
                timings = []
                for _ in range(args.requests):
                    start = time.perf_counter()
                    response = session.get(base + path)
                    timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                print(
                    f"{name:<16} {statistics.median(timings):8.1f} {percentile(timings, 95):8.1f} {percentile(timings, 99):8.1f}"
                )

            total = args.requests * 4
            start = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(
                    pool.map(lambda _: teacher.get(base + "/dashboard/").status_code, range(total))
                )
            elapsed = time.perf_counter() - start
            print(
                f"dashboard throughput, {args.concurrency} clients: {total / elapsed:.0f} requests/s"
            )
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
