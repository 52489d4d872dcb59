"""What parsing a hostile file costs the server, in a thread of it and in a child process.

Run: CARTABLE_DATA_DIR=var/bench .venv/bin/python bench/parsers.py

An asyncio loop ticks every millisecond in the main thread (as the server's event loop would
answer requests) while a second thread (as the embedded job worker) parses: the figure is the
loop's longest wait between two ticks. Parsing in the thread holds the interpreter lock; waiting
for a child process does not. Also: what a child costs to start, and the old and new ways of
stripping trailing blanks (``extract._tidy``) on runs of spaces.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
import django  # noqa: E402

django.setup()

from cartable.core import isolated  # noqa: E402
from cartable.drive.textparse import tidy  # noqa: E402
from cartable.pad.convert.html_in import html_to_pm  # noqa: E402


def old_tidy(text: str) -> str:
    text = text.replace("\0", "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def longest_stall(work: Callable[[], object]) -> tuple[float, float]:
    """(the loop's longest gap between ticks, the work's duration), in milliseconds."""

    async def run() -> tuple[float, float]:
        done = threading.Event()
        took: list[float] = []

        def worker() -> None:
            start = time.perf_counter()
            work()
            took.append(time.perf_counter() - start)
            done.set()

        thread = threading.Thread(target=worker)
        last, worst = time.perf_counter(), 0.0
        thread.start()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst, last = max(worst, now - last), now
        thread.join()
        return worst * 1000, took[0] * 1000

    return asyncio.run(run())


def in_child(html: str) -> Callable[[], object]:
    def work() -> object:
        with tempfile.TemporaryDirectory() as tmp:
            return isolated.call("cartable.pad.convert.parsing:read_html", Path(tmp), markup=html)

    return work


def main() -> int:
    print("child process, start to answer (a trivial call), ms:")
    times = []
    for _ in range(5):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            isolated.call("cartable.drive.textparse:tidy", Path(tmp), text="x")
            times.append((time.perf_counter() - start) * 1000)
    print(f"  median {statistics.median(times):.0f}, min {min(times):.0f}, max {max(times):.0f}")

    print("stripping trailing blanks, ms (old regex / new line by line):")
    for n in (10_000, 20_000, 40_000, 300_000):
        text = " " * n + "x"
        start = time.perf_counter()
        if n <= 40_000:
            old_tidy(text)
            old = f"{(time.perf_counter() - start) * 1000:.0f}"
        else:
            old = "(not run: minutes)"
        start = time.perf_counter()
        tidy(text)
        print(f"  {n:>7} spaces: {old} / {(time.perf_counter() - start) * 1000:.1f}")

    print("the event loop's longest wait while another thread parses, ms (wait / parse):")
    html = "<span>a</span>" * 15_000
    cases = [
        ("old _tidy, 40 000 spaces, in a thread", lambda: old_tidy(" " * 40_000 + "x")),
        ("pad HTML import, 15 000 spans, in a thread", lambda: html_to_pm(html)),
        ("pad HTML import, 15 000 spans, in a child", in_child(html)),
    ]
    for name, work in cases:
        stall, took = longest_stall(work)
        print(f"  {name}: {stall:.0f} / {took:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
