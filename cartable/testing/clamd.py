"""A real clamd for the tests, with a signature database of our own.

There is no network to download ClamAV's signatures (freshclam), and the tests need only
one: the EICAR test file, which every antivirus detects by agreement. The database has it
twice: as an MD5 signature of the whole file (``.hdb``) and as a body signature found
anywhere in a stream (``.ndb``), so that a test can hide it deep in a large file.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# The EICAR test file (eicar.org): harmless, and detected as a virus by agreement. In two
# parts so that an antivirus on a developer's machine does not take this source for it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Cartable.Test.EICAR"


def clamd_binary() -> str | None:
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )


def _ping(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(path))
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@contextlib.contextmanager
def running_clamd(*, stream_max_length: str = "100M") -> Iterator[Path]:
    """Start clamd on a unix socket in a temporary folder; yield the socket's path."""
    exe = clamd_binary()
    if exe is None:
        raise RuntimeError("clamd is not installed (Debian package clamav-daemon)")
    # A short folder name: a unix socket's path may not pass 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))
    try:
        (folder / "db").mkdir()
        md5 = hashlib.md5(EICAR, usedforsecurity=False).hexdigest()
        (folder / "db" / "cartable.hdb").write_text(f"{md5}:{len(EICAR)}:{SIGNATURE}.File\n")
        (folder / "db" / "cartable.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
        sock = folder / "clamd.sock"
        # No User line: clamd keeps the identity it was started with (root in CI).
        (folder / "clamd.conf").write_text(
            "\n".join(
                [
                    f"LocalSocket {sock}",
                    f"DatabaseDirectory {folder / 'db'}",
                    f"TemporaryDirectory {folder}",
                    f"PidFile {folder / 'clamd.pid'}",
                    "Foreground yes",
                    "LogSyslog no",
                    "LogTime no",
                    f"StreamMaxLength {stream_max_length}",
                    "MaxThreads 2",
                    "Bytecode no",
                    "",
                ]
            )
        )
        log = (folder / "clamd.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            [exe, "-c", str(folder / "clamd.conf")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            # Loading a database of two signatures takes well under a second; a slow,
            # shared machine gets a minute.
            deadline = time.monotonic() + 60
            while not _ping(sock):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    output = (folder / "clamd.log").read_text(errors="replace")
                    raise RuntimeError(f"clamd did not start:\n{output}")
                time.sleep(0.1)
            yield sock
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
