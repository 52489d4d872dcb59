"""Running converters (LibreOffice, pdftoppm, ffmpeg…) on files users sent, sandboxed.

A converter reads a file anyone may have crafted: a large C++ program parsing hostile bytes,
the classic way in. So each run is confined, and **fails closed**: when the sandbox cannot be
set up, the converter does not run at all (``SandboxUnavailable``; a preview is postponed, a
conversion refused with a message) rather than run unconfined.

- **Sandbox.** With bubblewrap (``bwrap``, Debian package ``bubblewrap``), the converter sees a
  filesystem of its own: ``/usr`` and a few files of ``/etc`` read-only, its working folder
  read-write, an empty ``/tmp``, and nothing else — not the data directory, not the
  application, not other conversions' folders; no network, other namespaces new (pid, ipc,
  uts), no capabilities. Without bwrap, ``unshare`` (util-linux) gives a user, network, pid
  and mount namespace, where the data directory is hidden under an empty tmpfs: no network
  and none of the stored files, but the rest of the filesystem stays readable. Which one is
  used: ``CARTABLE_CONVERTER_SANDBOX`` (``auto``: the first that works, bwrap first).
- **Limits** (``prlimit``): address space (``CARTABLE_CONVERTER_MEMORY_MB``), CPU seconds, the
  size of any file written, open files, no core dumps.
- **Time**: past ``timeout`` seconds the whole process group is killed (converters start
  helpers of their own), and with it the sandbox's pid namespace.
- A minimal environment, no standard input; what a converter prints is kept in anonymous
  files and read back capped, never held whole in memory.

``run_isolated`` with ``require_sandbox=False`` is for Cartable's own parsers (the Python
child of ``cartable.core.isolated``): confined the same way when a sandbox works, and run
under the limits alone when none does, since they used to run inside the server itself.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess  # nosec B404  # to run converters, sandboxed (run_isolated)
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

import cartable

log = logging.getLogger(__name__)

SANDBOXES = ("bwrap", "unshare")
# What a converter prints that is kept (the end of stderr for the log, ffprobe's answer).
OUTPUT_CAP = 64 * 1024
# Read-only in bwrap's sandbox besides /usr: what programs and fonts need from /etc.
ETC_READ_ONLY = (
    "/etc/alternatives",
    "/etc/fonts",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/libreoffice",
    "/etc/mime.types",
)


class ProcessTimeout(Exception):
    """The converter ran past its time limit and was killed."""


class SandboxUnavailable(Exception):
    """No sandbox can be set up here: the converter is not run (fail closed)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run; ``memory`` None: ``CARTABLE_CONVERTER_MEMORY_MB``."""

    memory: int | None = None  # bytes of address space
    cpu: int = 120  # seconds of CPU time
    file_size: int = 512 * 1024 * 1024  # bytes of any one file written
    open_files: int = 256

    def prlimit(self) -> list[str]:
        memory = self.memory or settings.CONVERTER_MEMORY_MB * 1024 * 1024
        return [
            _tool("prlimit"),
            f"--as={memory}",
            f"--cpu={self.cpu}",
            f"--fsize={self.file_size}",
            f"--nofile={self.open_files}",
            "--core=0",
            "--",
        ]


DEFAULT_LIMITS = Limits()


def _tool(name: str) -> str:
    found = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if found is None:
        raise SandboxUnavailable(f"{name} is not installed")
    return found


def _top_level_links() -> list[str]:
    """``/bin``, ``/lib``… as they are on this system: links into /usr (merged /usr), or dirs."""
    args: list[str] = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _bwrap_prefix(workdir: Path, read_only: Iterable[Path]) -> list[str]:
    args = [
        _tool("bwrap"),
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
        *_top_level_links(),
    ]
    for etc in ETC_READ_ONLY:
        args += ["--ro-bind-try", etc, etc]
    # An empty /tmp of the sandbox's own (a tmpfs inside it), not the host's.
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]  # noqa: S108  # nosec B108
    for path in read_only:
        args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir), "--"]
    return args


def _unshare_prefix(hidden: Sequence[Path]) -> list[str]:
    # Inside new user and mount namespaces, an empty tmpfs is mounted over each hidden folder
    # before the converter starts; the mounts vanish with the namespace.
    mounts = " && ".join(
        f'mount -t tmpfs -o size=4k,mode=000 none "${i}"' for i, _ in enumerate(hidden, 1)
    )
    script = f'{mounts + " && " if mounts else ""}shift {len(hidden)} && exec "$@"'
    return [
        _tool("unshare"),
        "--user",
        "--map-root-user",
        "--net",
        "--mount",
        "--pid",
        "--fork",
        "--kill-child",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        script,
        "sh",
        *(str(path) for path in hidden),
    ]


def _hidden_folders() -> list[Path]:
    """What the unshare sandbox hides: the data directory (files, database, keys)."""
    return [Path(settings.DATA_DIR)]


def _prefix(kind: str, workdir: Path, read_only: Iterable[Path]) -> list[str]:
    if kind == "bwrap":
        return _bwrap_prefix(workdir, read_only)
    # A working folder inside the data directory (TMPDIR set there) would be hidden with it.
    hidden = [p for p in _hidden_folders() if not workdir.is_relative_to(p)]
    return _unshare_prefix(hidden)


@functools.cache
def _works(kind: str) -> bool:
    """Whether this sandbox can be set up here (user namespaces allowed, tools installed)."""
    try:
        with tempfile.TemporaryDirectory(prefix="cartable-probe-") as tmp:
            command = [*_prefix(kind, Path(tmp), ()), *DEFAULT_LIMITS.prlimit(), "/bin/true"]
            probe = subprocess.run(  # noqa: S603  # nosec B603  # fixed arguments
                command, capture_output=True, timeout=20, check=False, env=_environment(Path(tmp))
            )
    except (OSError, subprocess.SubprocessError, SandboxUnavailable) as exc:
        log.warning("the %s sandbox cannot be used here: %s", kind, exc)
        return False
    if probe.returncode != 0:
        log.warning(
            "the %s sandbox cannot be used here: %s",
            kind,
            probe.stderr.decode(errors="replace")[-300:],
        )
    return probe.returncode == 0


def sandbox_kind() -> str | None:
    """The sandbox converters run in here (``bwrap`` or ``unshare``); None: they cannot run."""
    wanted = settings.CONVERTER_SANDBOX
    candidates = SANDBOXES if wanted == "auto" else (wanted,)
    return next((kind for kind in candidates if kind in SANDBOXES and _works(kind)), None)


def sandbox_available() -> bool:
    return sandbox_kind() is not None


def _environment(workdir: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        **(env or {}),
    }


def _head(stream: IO[bytes], cap: int) -> bytes:
    stream.seek(0)
    return stream.read(cap)


def run_isolated(
    command: Sequence[str],
    *,
    workdir: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    read_only: Sequence[Path] = (),
    require_sandbox: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``command`` in ``workdir``, sandboxed and limited; ProcessTimeout past ``timeout`` s.

    ``read_only``: more folders the command needs to see (bwrap only; /usr is always there).
    Output is kept up to ``OUTPUT_CAP`` bytes each (converters write their results to files).
    SandboxUnavailable when no sandbox works and ``require_sandbox``.
    """
    kind = sandbox_kind()
    if kind is None and require_sandbox:
        raise SandboxUnavailable(
            "no sandbox for converters (install bubblewrap, or allow user namespaces)"
        )
    workdir = workdir.resolve()
    prefix = _prefix(kind, workdir, read_only) if kind else []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(  # noqa: S603  # nosec B603  # our programs, no shell
            [*prefix, *limits.prlimit(), *command],
            cwd=workdir,
            env=_environment(workdir, env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise ProcessTimeout(command[0]) from None
        finally:
            if process.returncode is None:  # interrupted some other way: leave nothing behind
                _kill(process)
        return subprocess.CompletedProcess(
            list(command), process.returncode, _head(out, OUTPUT_CAP), _tail(err, OUTPUT_CAP)
        )


def _tail(stream: IO[bytes], cap: int) -> bytes:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(max(0, size - cap))
    return stream.read(cap)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def python_read_only() -> list[Path]:
    """What a Python child of this interpreter needs to see: its installation, ours, the code."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    paths.add(Path(os.path.realpath(sys.executable)).parent)
    paths.add(Path(cartable.__file__).resolve().parent)
    usr = Path("/usr")
    # Nested or /usr paths are there already; a bind inside a bind would hide nothing useful.
    kept = sorted(p.resolve() for p in paths if not p.resolve().is_relative_to(usr))
    return [p for p in kept if not any(p != q and p.is_relative_to(q) for q in kept)]
