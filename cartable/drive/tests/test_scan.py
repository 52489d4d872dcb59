"""Virus scanning against a real clamd, started with a signature database of the tests' own."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from cartable.drive import actions, scan
from cartable.drive.errors import DriveError, Infected
from cartable.drive.models import Blob, Node
from cartable.testing.clamd import EICAR, SIGNATURE, running_clamd


@pytest.fixture(scope="module")
def clamd_socket():
    with running_clamd() as path:
        yield path


@pytest.fixture
def clamav(settings, clamd_socket):
    settings.CLAMAV_SOCKET = str(clamd_socket)
    settings.CLAMAV_TIMEOUT = 60
    settings.CLAMAV_STREAM_MAX_LENGTH = 100 * 1024 * 1024
    return clamd_socket


def test_no_socket_means_no_scanning(settings):
    settings.CLAMAV_SOCKET = ""
    assert scan.scanner_or_none() is None
    scan.scan_chunks([EICAR])  # nothing to refuse it


def test_a_clean_file_passes(clamav):
    scanner = scan.scanner_or_none()
    assert scanner is not None
    with scanner:
        scanner.feed(b"Le cahier de textes de la 6e B.\n" * 100)
        scanner.result()


def test_eicar_is_found_and_named(clamav):
    scanner = scan.scanner_or_none()
    assert scanner is not None
    scanner.feed(EICAR)
    with pytest.raises(scan.VirusFound) as found:
        scanner.result()
    assert found.value.signature.startswith(SIGNATURE)
    assert SIGNATURE in found.value.message


def test_eicar_fed_in_small_pieces_is_found(clamav):
    with pytest.raises(scan.VirusFound):
        scan.scan_chunks(EICAR[i : i + 5] for i in range(0, len(EICAR), 5))


def test_a_large_file_is_streamed_in_chunks_and_scanned_to_its_end(clamav):
    """12 MB of clean bytes, then the test virus: clamd must have received it all."""
    scanner = scan.scanner_or_none()
    assert scanner is not None
    chunk = os.urandom(1024 * 1024)
    for _ in range(12):
        scanner.feed(chunk)
    scanner.feed(b"padding " + EICAR + b" trailer")
    assert scanner.sent == 12 * len(chunk) + len(EICAR) + 16
    with pytest.raises(scan.VirusFound):
        scanner.result()


def test_a_large_clean_file_passes(clamav):
    chunk = bytes(range(256)) * 4096
    scan.scan_chunks(chunk for _ in range(8))


def test_bytes_past_the_stream_limit_are_not_sent(clamav, settings):
    settings.CLAMAV_STREAM_MAX_LENGTH = 1024
    scanner = scan.scanner_or_none()
    assert scanner is not None
    scanner.feed(b"x" * 4096)
    scanner.feed(EICAR)
    assert scanner.sent == 1024
    scanner.result()


def test_clamd_refusing_a_stream_refuses_the_upload():
    """clamd's own StreamMaxLength exceeded: it answers with an error, and we fail closed."""
    with running_clamd(stream_max_length="1M") as path:
        scanner = scan.Scanner(str(path), timeout=60, max_length=100 * 1024 * 1024)
        with pytest.raises(scan.ScanUnavailable):
            for _ in range(4):
                scanner.feed(b"\0" * (1024 * 1024))
            scanner.result()


def test_clamd_down_refuses_the_upload_before_its_body(settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "nobody-listens.sock")
    with pytest.raises(scan.ScanUnavailable) as refused:
        scan.scanner_or_none()
    assert "scanner" in refused.value.message or "antivirus" in refused.value.message
    with pytest.raises(scan.ScanUnavailable):
        scan.scan_chunks([b"hello"])


def test_clamd_down_over_tcp_refuses_the_upload(settings):
    # A port that was free a moment ago: nothing listens on it.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMAV_SOCKET = f"tcp:127.0.0.1:{port}"
    with pytest.raises(scan.ScanUnavailable):
        scan.scanner_or_none()


def test_a_server_that_hangs_up_refuses_the_upload(settings, tmp_path):
    """Something that accepts and closes at once (a dying clamd): refused, not passed."""
    path = tmp_path / "hangup.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    try:
        scanner = scan.Scanner(str(path), timeout=10)
        conn, _addr = server.accept()
        conn.close()
        with pytest.raises(scan.ScanUnavailable):
            scanner.feed(b"data")
            scanner.result()
    finally:
        server.close()


def test_an_infected_upload_is_refused_and_never_stored(clamav, settings, my_root, teacher):
    blobs_before = set(Blob.objects.values_list("pk", flat=True))
    with pytest.raises(Infected) as refused:
        actions.write_file(my_root, "devoir.txt", [b"mon devoir ", EICAR], by=teacher)
    assert SIGNATURE in refused.value.message
    assert not Node.objects.filter(name="devoir.txt").exists()
    assert set(Blob.objects.values_list("pk", flat=True)) == blobs_before
    location = settings.STORAGES["default"].get("OPTIONS", {}).get("location")
    if location:  # local disk: not a byte of it left behind, not even a partial file
        assert not [p for p in Path(location).rglob("*") if p.is_file()]


def test_a_clean_upload_is_stored_while_scanning(clamav, my_root, teacher):
    node, created = actions.write_file(my_root, "cours.txt", [b"photosynthese\n"], by=teacher)
    assert created
    with actions.open_blob(node.blob) as f:
        assert f.read() == b"photosynthese\n"


def test_clamd_down_refuses_an_upload(settings, tmp_path, my_root, teacher):
    settings.CLAMAV_SOCKET = str(tmp_path / "gone.sock")
    with pytest.raises(DriveError):
        actions.write_file(my_root, "cours.txt", [b"photosynthese\n"], by=teacher)
    assert not Node.objects.filter(name="cours.txt").exists()
