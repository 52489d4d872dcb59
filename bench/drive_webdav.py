"""Drive's WebDAV against `rclone serve webdav`, on this machine.

Run: .venv/bin/python bench/drive_webdav.py [--size-mib 2048] [--small 2000] [--entries 10000]
     [--servers cartable,rclone] [--parts big,small,propfind]

Each server runs on core 0 (taskset), this client (aiohttp) on core 1. Measured, for each:
upload then download of one large file, streamed (MB/s, and the server's peak resident
memory during the transfer); PUT then GET of many 4 KiB files over 8 parallel connections
(files/s); PROPFIND depth 1 of a folder of 10 000 files (median of 5, ms). Cartable runs in
its embedded mode (SQLite, local disk) from a fresh data directory, with an app password.
Results: a table on stdout, JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
USER = "bench"
MIB = 1024 * 1024
PROPS = (
    '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
    "<d:prop><d:getlastmodified/><d:getcontentlength/><d:resourcetype/><d:getetag/>"
    "<oc:fileid/><oc:permissions/><oc:size/></d:prop></d:propfind>"
)
CREATE_USER = """
import django
django.setup()
from cartable.accounts.actions import create_app_password
from cartable.accounts.models import User
user = User.objects.create_user(username="bench", email="bench@ac-lyon.fr", kind="staff")
print(create_app_password(user, "bench")[1])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakRSS:
    """The highest resident memory of a process while the block runs, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib(self.pid))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Server:
    def __init__(self, kind: str, work: Path) -> None:
        self.kind = kind
        self.port = free_port()
        self.log = open(work / f"{kind}.log", "wb")  # noqa: SIM115 - closed in stop()
        pin = ["taskset", "-c", "0"]
        if kind == "cartable":
            data = work / "cartable"
            data.mkdir()
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("CARTABLE_")},
                "CARTABLE_DATA_DIR": str(data),
                "CARTABLE_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "cartable.settings",
            }
            subprocess.run([BIN / "cartable", "manage", "migrate", "-v", "0"], env=env, check=True)
            made = subprocess.run(
                [BIN / "python", "-c", CREATE_USER], env=env, check=True, capture_output=True
            )
            self.password = made.stdout.decode().strip().splitlines()[-1]
            self.base = f"http://127.0.0.1:{self.port}/remote.php/dav/files/{USER}"
            command = [*pin, str(BIN / "cartable"), "serve", "--no-worker", "--no-migrate"]
            command += ["--port", str(self.port), "--log-level", "warning"]
        else:
            data = work / "rclone"
            data.mkdir()
            self.password = "bench-password"  # noqa: S105
            self.base = f"http://127.0.0.1:{self.port}"
            env = dict(os.environ)
            command = [*pin, "rclone", "serve", "webdav", str(data)]
            command += ["--addr", f"127.0.0.1:{self.port}", "--user", USER, "--pass", self.password]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{kind} exited")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{kind} did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    import base64

    token = base64.b64encode(f"{USER}:{server.password}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    connector = aiohttp.TCPConnector(limit=8)
    timeout = aiohttp.ClientTimeout(total=3600)
    result: dict[str, Any] = {}
    async with aiohttp.ClientSession(headers=headers, connector=connector, timeout=timeout) as http:

        async def ok(response: aiohttp.ClientResponse) -> None:
            if response.status >= 300:
                raise RuntimeError(f"{response.method} {response.url}: {response.status}")

        for folder in ("small", "many"):
            async with http.request("MKCOL", f"{server.base}/{folder}") as r:
                await ok(r)

        parts = set(args.parts.split(","))
        size = args.size_mib * MIB
        block = os.urandom(MIB)

        if "big" in parts:

            async def body() -> Any:
                for _ in range(args.size_mib):
                    yield block

            with PeakRSS(server.process.pid) as peak:
                start = time.perf_counter()
                async with http.put(
                    f"{server.base}/big.bin", data=body(), headers={"Content-Length": str(size)}
                ) as r:
                    await ok(r)
                elapsed = time.perf_counter() - start
            result["put_big_mbs"] = size / MIB / elapsed
            result["put_big_rss_mib"] = peak.peak
            with PeakRSS(server.process.pid) as peak:
                start = time.perf_counter()
                received = 0
                async with http.get(f"{server.base}/big.bin") as r:
                    await ok(r)
                    async for chunk in r.content.iter_chunked(MIB):
                        received += len(chunk)
                elapsed = time.perf_counter() - start
            assert received == size, received
            result["get_big_mbs"] = size / MIB / elapsed
            result["get_big_rss_mib"] = peak.peak
            await asyncio.to_thread(_delete_big, server)

        small = os.urandom(4096)

        async def many(method: str, folder: str, count: int) -> float:
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(count):
                queue.put_nowait(i)

            async def worker() -> None:
                while not queue.empty():
                    i = queue.get_nowait()
                    url = f"{server.base}/{folder}/f{i:05d}.bin"
                    data = small if method == "PUT" else None
                    async with http.request(method, url, data=data) as r:
                        await ok(r)
                        await r.read()

            cpu = cpu_seconds(server.process.pid)
            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(8)))
            elapsed = time.perf_counter() - start
            result[f"{method.lower()}_{folder}_cpu_us"] = (
                (cpu_seconds(server.process.pid) - cpu) / count * 1e6
            )
            return count / elapsed

        if "small" in parts:
            result["put_small_files_s"] = await many("PUT", "small", args.small)
            result["get_small_files_s"] = await many("GET", "small", args.small)
        if "propfind" in parts:
            await many("PUT", "many", args.entries)
            timings = []
            for _ in range(5):
                start = time.perf_counter()
                async with http.request(
                    "PROPFIND", f"{server.base}/many/", data=PROPS, headers={"Depth": "1"}
                ) as r:
                    await ok(r)
                    text = await r.read()
                timings.append((time.perf_counter() - start) * 1000)
            assert text.count(b"f0") >= args.entries, "listing incomplete"
            result["propfind_ms"] = statistics.median(timings)
    return result


def _delete_big(server: Server) -> None:
    import urllib.request

    request = urllib.request.Request(f"{server.base}/big.bin", method="DELETE")  # noqa: S310
    import base64

    token = base64.b64encode(f"{USER}:{server.password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    urllib.request.urlopen(request, timeout=60).close()  # noqa: S310


ROWS = [
    ("put_big_mbs", "PUT one large file, MB/s", True),
    ("put_big_rss_mib", "  server peak RSS, MiB", False),
    ("get_big_mbs", "GET one large file, MB/s", True),
    ("get_big_rss_mib", "  server peak RSS, MiB", False),
    ("put_small_files_s", "PUT 4 KiB files, 8 connections, files/s", True),
    ("put_small_cpu_us", "  server CPU per PUT, µs", False),
    ("get_small_files_s", "GET 4 KiB files, 8 connections, files/s", True),
    ("get_small_cpu_us", "  server CPU per GET, µs", False),
    ("propfind_ms", "PROPFIND depth 1 of the big folder, ms", False),
]


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    names = list(results)
    print(
        f"\nDrive WebDAV: {args.size_mib} MiB file, {args.small} small files, "
        f"{args.entries} entries"
    )
    header = f"{'':44}" + "".join(f"{n:>12}" for n in names)
    if len(names) == 2:
        header += f"{'ratio':>10}"
    print(header)
    for key, label, _higher_better in ROWS:
        values = [results[n].get(key) for n in names]
        line = f"{label:44}" + "".join(
            f"{v:12.1f}" if v is not None else f"{'—':>12}" for v in values
        )
        if len(names) == 2 and values[0] and values[1]:
            line += f"{values[0] / values[1]:10.2f}"
        print(line)
    print("ratio: cartable / rclone (above 1 is better for rates, below 1 for ms and memory)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--servers", default="cartable,rclone")
    parser.add_argument(
        "--parts",
        default="big,small,propfind",
        help="which measures to run: big (one large file), small (4 KiB files), propfind",
    )
    args = parser.parse_args()
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        raise SystemExit("needs taskset and two cores")
    os.sched_setaffinity(0, {1})
    results: dict[str, dict[str, Any]] = {}
    for kind in args.servers.split(","):
        if kind == "rclone" and shutil.which("rclone") is None:
            print("rclone not installed (make setup-system): skipped")
            continue
        with tempfile.TemporaryDirectory(prefix=f"bench-dav-{kind}-") as tmp:
            server = Server(kind, Path(tmp))
            try:
                results[kind] = asyncio.run(run(server, args))
            finally:
                server.stop()
        print(kind, json.dumps({k: round(v, 1) for k, v in results[kind].items()}), flush=True)
    report(results, args)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"drive_webdav-{stamp}.json").write_text(
        json.dumps({"args": vars(args), "results": results}, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
