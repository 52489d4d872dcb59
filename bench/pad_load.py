"""Pad under load: N simulated editors typing into one pad, Cartable against the Node reference.

Run: .venv/bin/python bench/pad_load.py [--editors 50,100,200,400,800] [--warm 20] [--measure 30]

Each editor is a real Yjs client over a websocket (bench/pad_load.mjs: yjs, y-protocols and ws
in one Node process), typing one character a second at uniformly spread random times. For every
keystroke, the time from its send to its arrival at each observer client is measured (20
observers decode what they receive; the other clients skip the bytes, so that the load
generator itself does not do N² Yjs work). The server runs on core 0, the load generator on
core 1. Each step starts a fresh server: `cartable serve --no-worker` (embedded mode, SQLite, a
fresh data directory), then the reference `@y/websocket-server` 0.1.1 (npm, yjs 13).

Also measured: resident memory per idle open pad (both servers) and the time to open a pad with
100 000 edits of history on Cartable (cold: a fresh server process; warm: the process has run;
hot: the pad is already open), with the reference's time to join the same document in memory.

Results: a table on stdout, JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LOADGEN = ROOT / "bench" / "pad_load.mjs"
REFERENCE = ROOT / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
RESULTS = ROOT / "bench" / "results"
SERVERS = ("cartable", "reference")

# Run with the Django settings of a data directory: the pads the benchmark uses.
CREATE_PADS = """
import sys, django
django.setup()
from cartable.pad.actions import create_pad
for name in ["bench", "idle-warm"] + [f"idle-{i}" for i in range(int(sys.argv[1]))]:
    create_pad(pad_id=name, reach="link")  # as the Etherpad API makes them: open by name
"""

# A pad with a long history, written as the room's writer does it: batches of 500 updates, one
# transaction each, compaction after each (`store.maybe_compact_later` runs it every 500
# revisions). The edits come from sessions of 1 000 edits, each a new Yjs client (a page load)
# by one of 30 authors: characters typed at a cursor (with an author mark), deletions, new
# paragraphs. Writes the final state to argv[2], for the reference server.
BUILD_HISTORY = """
import json, random, sys, time
import django
django.setup()
from pycrdt import Doc, XmlElement, XmlText
from cartable.pad import document, store
from cartable.pad.actions import create_pad
from cartable.pad.models import Pad, PadCheckpoint, PadRevision

edits, state_file = int(sys.argv[1]), sys.argv[2]
pad = create_pad(pad_id="history", reach="link")
rng = random.Random(1)
letters = "abcdefghijklmnopqrstuvwxyz     "
pending, state, done = [], b"", 0
start = time.monotonic()
while done < edits:
    doc = Doc()
    if state:
        doc.apply_update(state)
    root = document.fragment(doc)
    updates = []
    sub = doc.observe(lambda event: updates.append(event.update))
    attrs = {"author": {"id": f"a.author{rng.randrange(30)}"}}
    if len(root.children) == 0:
        root.children.append(XmlElement("paragraph", {}, [XmlText("")]))
        done += 1
    para = rng.randrange(len(root.children))
    text = root.children[para].children[0]
    cursor = rng.randint(0, len(text))
    for _ in range(min(1000, edits - done)):
        r = rng.random()
        if r < 0.03:
            para += 1
            root.children.insert(para, XmlElement("paragraph", {}, [XmlText("")]))
            text = root.children[para].children[0]
            cursor = 0
        elif r < 0.12 and cursor > 0:
            del text[cursor - 1 : cursor]
            cursor -= 1
        else:
            text.insert(cursor, rng.choice(letters), attrs)
            cursor += 1
        done += 1
    doc.unobserve(sub)
    state = doc.get_update()
    for update in updates:
        pending.append((update, None))
        if len(pending) == store.COMPACT_EVERY:
            store.append_revisions(pad.pk, pending)
            pending = []
            store.compact(pad.pk)
if pending:
    store.append_revisions(pad.pk, pending)
    store.compact(pad.pk)
with open(state_file, "wb") as fh:
    fh.write(state)
pad = Pad.objects.get(pk=pad.pk)
print(json.dumps({
    "revisions": PadRevision.objects.filter(pad=pad).count(),
    "checkpoints": PadCheckpoint.objects.filter(pad=pad).count(),
    "head": pad.head,
    "snapshot_rev": pad.snapshot_rev,
    "snapshot_bytes": len(pad.snapshot),
    "text_chars": len(document.to_text(doc)),
    "paragraphs": len(root.children),
    "build_s": round(time.monotonic() - start, 1),
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> list[float]:
    with open("/proc/loadavg") as fh:
        return [float(x) for x in fh.read().split()[:3]]


def cartable_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARTABLE_")}
    env.update(
        CARTABLE_DATA_DIR=str(data_dir),
        CARTABLE_EMAIL_BACKEND="memory",
        DJANGO_SETTINGS_MODULE="cartable.settings",
    )
    return env


def prepare_cartable(data_dir: Path, idle_pads: int) -> None:
    env = cartable_env(data_dir)
    subprocess.run([BIN / "cartable", "manage", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([BIN / "python", "-c", CREATE_PADS, str(idle_pads)], env=env, check=True)


class Server:
    """One server process on its own core, stopped on exit."""

    def __init__(self, kind: str, core: int, work: Path, data_dir: Path | None = None) -> None:
        self.kind = kind
        self.port = free_port()
        self.log_path = work / f"{kind}-{self.port}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.log = log
        if kind == "cartable":
            assert data_dir is not None
            command = [
                *pin(core),
                str(BIN / "cartable"),
                "serve",
                "--no-worker",
                "--no-migrate",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ]
            env = cartable_env(data_dir)
        else:
            command = [*pin(core), "node", str(REFERENCE)]
            env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(self.port)}
        # taskset and the cartable script exec: the process id is the server's.
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 180  # a loaded machine starts Django slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{kind} server exited: {self.log_path.read_text()[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{kind} server did not start")

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/pad/"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def pin(core: int) -> list[str]:
    return ["taskset", "-c", str(core)]


def loadgen(server: Server, core: int, options: list[str], timeout: float) -> dict[str, Any]:
    command = [*pin(core), "node", str(LOADGEN), "--url", server.url]
    command += ["--pid", str(server.process.pid), "--clk-tck", str(os.sysconf("SC_CLK_TCK"))]
    done = subprocess.run(
        command + options,
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"load generator failed ({done.returncode}): {done.stdout[-1000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def versions() -> dict[str, str]:
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    found = {"cartable": commit}
    for name in ("@y/websocket-server", "yjs", "y-protocols", "ws"):
        package = ROOT / "node_modules" / name / "package.json"
        if package.exists():
            found[name] = json.loads(package.read_text())["version"]
    nested = ROOT / "node_modules" / "@y" / "websocket-server" / "node_modules" / "ws"
    if (nested / "package.json").exists():
        found["ws (reference server's)"] = json.loads((nested / "package.json").read_text())[
            "version"
        ]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True)
    found["node"] = node.stdout.strip()
    return found


def collapsed(result: dict[str, Any]) -> bool:
    p95 = result["latency_ms"]["p95"]
    return p95 is None or p95 > 5000 or result["connect_failures"] > result["editors"] // 10


# --- Printing ------------------------------------------------------------------------------


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "lost"
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = float(value)
        return f"{value:.{digits}f}" if value < 1000 else f"{value:,.0f}".replace(",", " ")
    return str(value)


def ratio(a: Any, b: Any) -> str:
    if a is None or b is None:
        return "—"
    if b == 0:
        return "—" if a else "1.00"
    return f"{a / b:.2f}"


def print_load(rows: list[dict[str, Any]], servers: list[str]) -> None:
    head = (
        f"{'editors':>7}  {'server':<10} {'keys/s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'all p95':>8} {'lost':>6} {'CPU %':>6} {'µs/key':>7} {'RSS MiB':>8} {'gen CPU':>7} "
        f"{'gen lag':>7} "
        f"{'load':>5}"
    )
    print(head)
    print("-" * len(head))
    for editors in sorted({r["editors"] for r in rows}):
        by: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            if r["editors"] == editors:
                by.setdefault(r["server"], []).append(r)
        for name in servers:
            for r in by.get(name, []):
                print_row(editors, name, r)
        a = [r for r in by.get("cartable", []) if "skipped" not in r]
        b = [r for r in by.get("reference", []) if "skipped" not in r]
        if a and b:
            figures = [
                ("latency_ms", "p50"),
                ("latency_ms", "p95"),
                ("latency_ms", "p99"),
                ("latency_all_observers_ms", "p95"),
                (None, "server_cpu_pct"),
                (None, "server_cpu_us_per_keystroke"),
                (None, "server_rss_mib"),
            ]
            ra = [median(a, group, key) for group, key in figures]
            rb = [median(b, group, key) for group, key in figures]
            label = "ratio C/R" if len(a) == len(b) == 1 else "ratio med."
            print(
                f"{'':>7}  {label:<10} {'':>6} {ratio(ra[0], rb[0]):>8} "
                f"{ratio(ra[1], rb[1]):>8} {ratio(ra[2], rb[2]):>8} {ratio(ra[3], rb[3]):>8} "
                f"{'':>6} {ratio(ra[4], rb[4]):>6} {ratio(ra[5], rb[5]):>7} {ratio(ra[6], rb[6]):>8}"
            )


def median(rows: list[dict[str, Any]], group: str | None, key: str) -> float | None:
    """The median of a figure over repeated runs (a lost one counts as infinitely late)."""
    values = sorted(
        math.inf if v is None else float(v)
        for v in ((r[group][key] if group else r[key]) for r in rows)
    )
    middle = len(values) // 2
    value = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return None if math.isinf(value) else value


def print_row(editors: int, name: str, r: dict[str, Any]) -> None:
    if "skipped" in r:
        print(f"{editors:>7}  {name:<10} {r['skipped']}")
        return
    lat = r["latency_ms"]
    print(
        f"{editors:>7}  {name:<10} {r['keystrokes_per_s']:>6.0f} {fmt(lat['p50']):>8} {fmt(lat['p95']):>8} "
        f"{fmt(lat['p99']):>8} {fmt(r['latency_all_observers_ms']['p95']):>8} "
        f"{r['keystrokes_lost']:>6} {fmt(r['server_cpu_pct'], 1):>6} "
        f"{fmt(r['server_cpu_us_per_keystroke'], 0):>7} {fmt(r['server_rss_mib'], 1):>8} {fmt(r['loadgen_cpu_pct'], 1):>7} "
        f"{fmt(r['loadgen_loop_delay_p99_ms'], 1):>7} {r['loadavg_at_start'][0]:>5.1f}"
    )


# --- Main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--editors", default="50,100,200,400,800", help="steps, comma-separated")
    parser.add_argument("--servers", default="cartable,reference")
    parser.add_argument("--warm", type=float, default=20, help="seconds after the ramp-up")
    parser.add_argument("--measure", type=float, default=30, help="seconds measured")
    parser.add_argument("--lost-after", type=float, default=5, help="seconds: later is lost")
    parser.add_argument("--observers", type=int, default=20, help="clients that decode")
    parser.add_argument("--layout", choices=["own", "shared"], default="own")
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    parser.add_argument(
        "--apply", action="store_true", help="observers apply the updates they decode"
    )
    parser.add_argument("--ramp-timeout", type=float, default=120, help="seconds")
    parser.add_argument("--keep-going", action="store_true", help="run steps after a collapse")
    parser.add_argument("--idle-pads", type=int, default=200, help="0: skip")
    parser.add_argument("--history-edits", type=int, default=100_000, help="0: skip")
    parser.add_argument(
        "--repeat",
        default="1",
        help="runs of each server per step, alternating which goes first; N, or N:E to repeat"
        " only the steps of at most E editors (e.g. 3:100)",
    )
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--client-core", type=int, default=1)
    args = parser.parse_args()

    steps = [int(n) for n in args.editors.split(",") if n.strip()]
    servers = [s for s in args.servers.split(",") if s]
    if any(s not in SERVERS for s in servers) or any(n < 1 for n in steps):
        parser.error("servers: cartable, reference; editors: positive numbers")
    for path in (LOADGEN, REFERENCE, ROOT / "node_modules" / "yjs"):
        if not path.exists():
            sys.exit(f"missing {path}: run `make setup`")
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        sys.exit("needs taskset and two cores")

    started = datetime.datetime.now(datetime.UTC)
    results: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "versions": versions(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": loadavg(),
        "config": vars(args),
        "load": [],
    }
    print(f"load average at start: {results['loadavg_at_start']}", flush=True)
    with tempfile.TemporaryDirectory(prefix="pad-bench-") as tmp:
        work = Path(tmp)
        template = work / "template"
        if "cartable" in servers:
            prepare_cartable(template, args.idle_pads)
        load_timeout = args.ramp_timeout + args.warm + args.measure + args.lost_after + 120
        gave_up: dict[str, int] = {}
        repeat, _, upto = args.repeat.partition(":")
        for editors in steps:
            # Both servers at each step, one after the other (repeated: in turns, each first
            # in turn): the machine's other load is more likely to weigh on both alike.
            rounds = int(repeat) if not upto or editors <= int(upto) else 1
            order = [
                kind
                for round_ in range(rounds)
                for kind in (servers if round_ % 2 == 0 else servers[::-1])
            ]
            for kind in order:
                print(f"{kind}, {editors} editors…", file=sys.stderr, flush=True)
                if kind in gave_up and not args.keep_going:
                    results["load"].append(
                        {
                            "server": kind,
                            "editors": editors,
                            "skipped": f"not run: collapsed at {gave_up[kind]} editors",
                        }
                    )
                    continue
                data_dir = work / f"{kind}-{editors}"
                if kind == "cartable":
                    shutil.copytree(template, data_dir)
                options = [
                    "--mode=load",
                    f"--editors={editors}",
                    f"--observers={args.observers}",
                    f"--warm={args.warm}",
                    f"--measure={args.measure}",
                    f"--lost-after={args.lost_after}",
                    f"--layout={args.layout}",
                    f"--ramp-timeout={args.ramp_timeout}",
                ]
                options += ["--deflate"] if args.deflate else []
                options += ["--apply"] if args.apply else []
                with Server(kind, args.server_core, work, data_dir) as server:
                    result = loadgen(server, args.client_core, options, load_timeout)
                result["server"] = kind
                if result.get("keystrokes_lost"):
                    # What the server said may tell why (the step's directory is removed).
                    log = server.log_path.read_text(errors="replace").strip()
                    print(f"  {kind} server log:\n{log[-4000:]}", file=sys.stderr, flush=True)
                results["load"].append(result)
                if kind == "cartable":
                    shutil.rmtree(data_dir, ignore_errors=True)
                if collapsed(result):
                    gave_up.setdefault(kind, editors)

        if args.idle_pads:
            results["idle"] = {}
            for kind in servers:
                print(f"{kind}, {args.idle_pads} idle pads…", file=sys.stderr, flush=True)
                data_dir = work / f"{kind}-idle"
                if kind == "cartable":
                    shutil.copytree(template, data_dir)
                options = ["--mode=idle", f"--pads={args.idle_pads}", "--pad=idle-"]
                with Server(kind, args.server_core, work, data_dir) as server:
                    results["idle"][kind] = loadgen(server, args.client_core, options, 600)

        if args.history_edits:
            results["open"] = open_history(args, servers, work)

    results["loadavg_at_end"] = loadavg()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pad_load-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    report(results, servers)
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0


def open_history(args: argparse.Namespace, servers: list[str], work: Path) -> dict[str, Any]:
    print(f"building a pad with {args.history_edits} edits…", file=sys.stderr, flush=True)
    data_dir = work / "history"
    state_file = work / "history-state.bin"
    env = cartable_env(data_dir)
    subprocess.run([BIN / "cartable", "manage", "migrate", "-v", "0"], env=env, check=True)
    built = subprocess.run(
        [BIN / "python", "-c", BUILD_HISTORY, str(args.history_edits), str(state_file)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    out: dict[str, Any] = {"edits": args.history_edits, "pad": json.loads(built.stdout)}
    options = ["--mode=open", "--pad=history", "--repeat=5"]
    if "cartable" in servers:
        with Server("cartable", args.server_core, work, data_dir) as server:
            out["cartable"] = loadgen(server, args.client_core, options, 900)
    if "reference" in servers:
        with Server("reference", args.server_core, work) as server:
            out["reference"] = loadgen(
                server, args.client_core, [*options, f"--seed-file={state_file}"], 900
            )
    return out


def report(results: dict[str, Any], servers: list[str]) -> None:
    load = results["load"]
    if load:
        first = next((r for r in load if "skipped" not in r), None)
        observers = first["observers"] if first else "?"
        print(
            "\nOne pad, N editors each typing one character a second; server on one core, "
            "load generator on the other."
        )
        print(
            f"Latency: from a keystroke's send to its arrival at each of {observers} observer "
            "clients (the others read and drop); 'all p95': until it reached all of them. "
            "'lost': keystrokes that some observer did not get within "
            f"{results['config']['lost_after']:g} s. CPU %: one core = 100. 'gen CPU', 'gen "
            "lag': the load generator's CPU % and event-loop delay p99 (ms; high: its figures "
            "are late too). 'keys/s': keystrokes sent per second (below the number of editors: the "
            "load generator could not keep up). 'µs/key': server CPU time per keystroke. "
            "'load': the machine's load average (1 min) at the start. 'ratio med.': "
            "Cartable's median over the repeated runs (--repeat) divided by the reference's.\n"
        )
        print_load(load, servers)
    idle = results.get("idle")
    if idle:
        print("\nMemory per idle open pad (one client each, a line of text):")
        for kind, r in idle.items():
            print(
                f"  {kind:<10} {r['kib_per_pad']:8.1f} KiB per pad ({r['pads']} pads: "
                f"{r['rss_before_mib']:.1f} → {r['rss_after_mib']:.1f} MiB)"
            )
        if "cartable" in idle and "reference" in idle:
            print(
                f"  ratio C/R  {ratio(idle['cartable']['kib_per_pad'], idle['reference']['kib_per_pad'])}"
            )
    opened = results.get("open")
    if opened:
        pad = opened["pad"]
        print(
            f"\nOpening a pad with {opened['edits']} edits of history ({pad['text_chars']} "
            f"characters, {pad['paragraphs']} paragraphs, snapshot {pad['snapshot_bytes']} bytes "
            f"at revision {pad['snapshot_rev']}): websocket connect → sync step 2 received"
        )
        c = opened.get("cartable")
        if c:
            print(
                f"  cartable   cold {c['cold_ms']:.1f} ms, warm median "
                f"{statistics.median(c['warm_ms']):.1f} ms, already open median "
                f"{statistics.median(c['hot_ms']):.1f} ms (sync step 2: {c['step2_bytes']} bytes)"
            )
        r = opened.get("reference")
        if r:
            print(
                f"  reference  already open (in memory, no storage) median "
                f"{statistics.median(r['hot_ms']):.1f} ms (sync step 2: {r['step2_bytes']} bytes)"
            )
    print(
        f"\nLoad average at start {results['loadavg_at_start']}, at end {results['loadavg_at_end']}"
    )


if __name__ == "__main__":
    sys.exit(main())
