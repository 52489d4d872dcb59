"""The litmus WebDAV test suite (Debian package ``litmus``) passes entirely."""

import re
import shutil
import subprocess

import pytest


def test_litmus_passes_every_suite(live, server_info, tmp_path):
    litmus = shutil.which("litmus")
    if litmus is None:
        pytest.skip("litmus is not installed (make setup-system)")
    done = subprocess.run(
        [
            litmus,
            f"{live.url}/remote.php/dav/files/claire/",
            "claire",
            server_info["passwords"]["claire"],
        ],
        capture_output=True,
        text=True,
        timeout=240,
        # litmus writes its debug.log into the working directory.
        cwd=tmp_path,
        env={"TESTS": "basic copymove props locks http", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    summaries = re.findall(
        r"summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed", done.stdout
    )
    assert {s[0] for s in summaries} == {"basic", "copymove", "props", "locks", "http"}, done.stdout
    failed = [s for s in summaries if s[3] != "0" or s[1] != s[2]]
    assert not failed, done.stdout
