"""Running converters (LibreOffice, pdftoppm, ffmpeg…) on files users sent.

A converter reads a file anyone may have crafted, so each run is bounded: a time limit after
which its whole process group is killed (converters start helpers of their own), a minimal
environment, no standard input, a working folder of its own, and — where the system lets an
unprivileged process do it — no network (``unshare -rn``): a document may link images or
objects on other servers, and a converter that fetches them on the server's behalf is a
well-known way in (SSRF).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

log = logging.getLogger(__name__)


class ProcessTimeout(Exception):
    """The converter ran past its time limit and was killed."""


@functools.cache
def no_network() -> tuple[str, ...]:
    """The command prefix that takes the network away from a converter, if the system can."""
    unshare = shutil.which("unshare")
    if unshare:
        try:
            probe = subprocess.run(  # noqa: S603
                [unshare, "-rn", "true"], capture_output=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            probe = None
        if probe is not None and probe.returncode == 0:
            return (unshare, "-rn")
    log.warning("converters run with network access: unshare -rn is not allowed here")
    return ()


def run_isolated(
    command: Sequence[str],
    *,
    workdir: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``command`` in ``workdir`` without network; ProcessTimeout past ``timeout`` seconds.

    Output is captured (converters here write their results to files, and little else).
    """
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        **(env or {}),
    }
    process = subprocess.Popen(  # noqa: S603
        [*no_network(), *command],
        cwd=workdir,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ProcessTimeout(command[0]) from None
    return subprocess.CompletedProcess(list(command), process.returncode, out, err)
