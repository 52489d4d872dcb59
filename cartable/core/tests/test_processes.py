"""Converters run sandboxed: no data directory, no network, bounded memory, time and output."""

import os
import socket
import time
from pathlib import Path

import pytest
from django.utils import translation

from cartable.core import office, processes
from cartable.core.processes import Limits, ProcessTimeout, SandboxUnavailable, run_isolated
from cartable.testing.hostile import zip_bomb


def _kinds():
    return [
        pytest.param(kind, marks=pytest.mark.skipif(not processes._works(kind), reason=reason))
        for kind, reason in (
            ("bwrap", "bubblewrap is not installed or cannot run here"),
            ("unshare", "user namespaces are not allowed here"),
        )
    ]


@pytest.fixture(params=_kinds())
def sandbox(request, settings):
    settings.CONVERTER_SANDBOX = request.param
    return request.param


def test_a_converter_cannot_read_the_data_directory(sandbox, settings, tmp_path):
    secret = Path(settings.DATA_DIR) / "files" / "someone-else.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("le sujet du brevet blanc")
    work = tmp_path / "work"
    work.mkdir()
    done = run_isolated(["cat", str(secret)], workdir=work, timeout=30)
    assert done.returncode != 0
    assert b"brevet" not in done.stdout


def test_a_converter_reads_and_writes_its_working_folder(sandbox, tmp_path):
    (tmp_path / "in.txt").write_text("bonjour")
    done = run_isolated(["cp", "in.txt", "out.txt"], workdir=tmp_path, timeout=30)
    assert done.returncode == 0
    assert (tmp_path / "out.txt").read_text() == "bonjour"


def test_a_converter_has_no_network(sandbox, tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        done = run_isolated(
            ["bash", "-c", f"echo hello > /dev/tcp/127.0.0.1/{port}"], workdir=tmp_path, timeout=30
        )
        listener.settimeout(0.5)
        with pytest.raises(TimeoutError):
            listener.accept()
    assert done.returncode != 0


def test_a_converter_past_its_memory_limit_fails(sandbox, tmp_path):
    done = run_isolated(
        ["python3", "-c", "bytearray(1 << 30)"],
        workdir=tmp_path,
        timeout=30,
        limits=Limits(memory=256 * 1024 * 1024),
    )
    assert done.returncode != 0
    assert b"MemoryError" in done.stderr


def _running(marker: str) -> bool:
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return True
            except OSError:
                continue
    return False


@pytest.mark.timeout(60)
def test_a_converter_past_its_time_is_killed_with_its_helpers(sandbox, tmp_path):
    marker = "313.25"  # a sleep no other process of this machine is doing
    with pytest.raises(ProcessTimeout):
        run_isolated(["sh", "-c", f"sleep {marker} & sleep {marker}"], workdir=tmp_path, timeout=1)
    # The sandbox's processes go with it (the kernel reaps them): bounded by the test timeout.
    while _running(marker):
        time.sleep(0.1)


def test_what_a_converter_prints_is_kept_capped(sandbox, tmp_path):
    done = run_isolated(
        ["sh", "-c", "yes | head -c 5000000; yes | head -c 5000000 >&2"],
        workdir=tmp_path,
        timeout=30,
    )
    assert len(done.stdout) == len(done.stderr) == processes.OUTPUT_CAP


def test_without_a_sandbox_converters_do_not_run(monkeypatch, tmp_path):
    monkeypatch.setattr(processes, "sandbox_kind", lambda: None)
    ran = tmp_path / "ran"
    with pytest.raises(SandboxUnavailable):
        run_isolated(["touch", str(ran)], workdir=tmp_path, timeout=30)
    assert not ran.exists()


def test_without_a_sandbox_office_conversions_are_unavailable(monkeypatch, tmp_path):
    monkeypatch.setattr(processes, "sandbox_kind", lambda: None)
    monkeypatch.setattr(office, "soffice", lambda: "/usr/bin/soffice")
    assert not office.office_available()
    source = tmp_path / "document.html"
    source.write_text("<p>Bonjour</p>")
    with translation.override("en"), pytest.raises(office.OfficeUnavailable, match="safely"):
        office.convert(source, "pdf")


def test_a_sandbox_that_cannot_be_set_up_is_not_used(settings, monkeypatch):
    settings.CONVERTER_SANDBOX = "bwrap"
    monkeypatch.setattr(processes, "_works", lambda kind: False)
    assert processes.sandbox_kind() is None


def test_an_office_zip_bomb_is_refused_before_libreoffice_runs(monkeypatch, tmp_path):
    def must_not_run(*args, **kwargs):
        raise AssertionError("LibreOffice ran")

    monkeypatch.setattr(office, "_run", must_not_run)
    monkeypatch.setattr(office, "soffice", lambda: "/usr/bin/soffice")
    source = tmp_path / "bombe.odt"
    source.write_bytes(zip_bomb("content.xml", "<a>", inflated=office.MAX_INFLATED + (1 << 20)))
    with translation.override("en"), pytest.raises(office.OfficeError, match="uncompressed"):
        office.convert(source, "pdf")
