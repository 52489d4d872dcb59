"""A large download through platform storage under `cartable serve`: speed and server memory.

Run: .venv/bin/python bench/download.py [--size-mb 1024]
The file is served by `cartable.core.http.storage_response` (the "download my data" view);
the server's resident memory is sampled during the transfer and must stay flat.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from pages import BIN, free_port, sign_in, start_server  # noqa: E402


def rss_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return int(fh.read().split("VmRSS:")[1].split()[0]) // 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "CARTABLE_DATA_DIR": data_dir, "CARTABLE_EMAIL_BACKEND": "memory"}
        subprocess.run([BIN / "cartable", "demo"], env=env, check=True, capture_output=True)
        setup = (
            "import os, django; django.setup()\n"
            "from django.core.files.storage import default_storage\n"
            "from cartable.accounts.models import User\n"
            "from cartable.core.models import DataExport\n"
            "path = default_storage.path('exports/bench.bin'); os.makedirs(os.path.dirname(path), exist_ok=True)\n"
            f"with open(path, 'wb') as fh:\n    fh.truncate({size})\n"
            "user = User.objects.get(email='claire.martin@college-jean-moulin.ac-lyon.fr')\n"
            f"print(DataExport.objects.create(user=user, status='ready', file_name='exports/bench.bin', size={size}).public_id)\n"
        )
        export_id = subprocess.run(
            [BIN / "python", "-c", setup],
            env={**env, "DJANGO_SETTINGS_MODULE": "cartable.settings"},
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, "--no-worker")
        try:
            session = sign_in(base, "claire.martin@college-jean-moulin.ac-lyon.fr", "cartable-demo")
            before = rss_mib(server.pid)
            samples = [before]
            done = threading.Event()

            def watch() -> None:
                while not done.is_set():
                    samples.append(rss_mib(server.pid))
                    time.sleep(0.05)

            watcher = threading.Thread(target=watch)
            watcher.start()
            start = time.perf_counter()
            received = 0
            with session.get(f"{base}/me/data/exports/{export_id}/", stream=True) as response:
                response.raise_for_status()
                for chunk in response.iter_content(1 << 20):
                    received += len(chunk)
            elapsed = time.perf_counter() - start
            done.set()
            watcher.join()
            assert received == size, received
            print(
                f"download {args.size_mb} MiB: {size / elapsed / 1e6:.0f} MB/s; server RSS {before} MiB before, {max(samples)} MiB peak"
            )
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
