"""Virus scanning of uploads by clamd (ClamAV's daemon), as the bytes arrive.

When ``CARTABLE_CLAMAV_SOCKET`` is set, every upload opens a ``Scanner`` before its body is
read and feeds it each chunk as it is written (``BlobWriter`` does), over clamd's INSTREAM
command: each chunk prefixed with its length (4 bytes, big-endian), a zero length to end,
then one reply — ``stream: OK``, ``stream: <signature> FOUND`` or ``<reason> ERROR``. Memory
stays bounded by one chunk whatever the file's size.

Scanning **fails closed**: a clamd that cannot be reached, times out or answers anything but
OK or FOUND refuses the upload (``ScanUnavailable``), so that nothing unscanned is ever
stored while scanning is on.

clamd accepts at most ``StreamMaxLength`` bytes per stream (25 MiB by default) and scans at
most ``MaxScanSize`` of a file anyway; Drive sends the first ``CARTABLE_CLAMAV_STREAM_MAX_LENGTH``
bytes of a file (the same 25 MiB by default) and the rest is not scanned, as clamd itself does
past its limits. An administrator who raises one raises the other.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterable
from typing import NoReturn

from django.conf import settings
from django.utils.translation import gettext as _

from cartable.drive.errors import Infected, Unavailable

log = logging.getLogger(__name__)

# clamd reads a stream in chunks of any size up to StreamMaxLength; small frames keep our
# buffers small and let clamd report a size error early.
FRAME = 256 * 1024


class VirusFound(Infected):
    def __init__(self, signature: str) -> None:
        self.signature = signature
        super().__init__(
            _("This file contains a virus (%(name)s) and was refused.") % {"name": signature}
        )


class ScanUnavailable(Unavailable):
    """clamd is down, too slow or answered with an error: the upload is refused."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(
            _(
                "Files cannot be received right now: the virus scanner does not answer. "
                "Try again later."
            )
        )


def scanner_or_none() -> Scanner | None:
    """A connected scanner when scanning is on, else None; ScanUnavailable if clamd is down."""
    address = settings.CLAMAV_SOCKET
    if not address:
        return None
    return Scanner(
        address,
        timeout=settings.CLAMAV_TIMEOUT,
        max_length=settings.CLAMAV_STREAM_MAX_LENGTH,
    )


def scan_chunks(chunks: Iterable[bytes]) -> None:
    """Scan bytes that are already there (a stored file); raise as ``Scanner.result`` does."""
    scanner = scanner_or_none()
    if scanner is None:
        return
    with scanner:
        for chunk in chunks:
            scanner.feed(chunk)
        scanner.result()


def _connect(address: str, timeout: float) -> socket.socket:
    """``/path/to/clamd.ctl`` (or ``unix:/path``) or ``tcp:host:port``."""
    sock: socket.socket
    if address.startswith("tcp:"):
        host, _sep, port = address[len("tcp:") :].rpartition(":")
        host = host.strip("[]")
        sock = socket.create_connection((host, int(port)), timeout=timeout)
    else:
        path = address.removeprefix("unix:")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except BaseException:
            sock.close()
            raise
    return sock


class Scanner:
    """One INSTREAM session with clamd: ``feed`` the bytes, then ``result``.

    Connecting happens at once, so that an upload is refused before its body is read when
    clamd is down. ``result`` returns when the bytes are clean and raises ``VirusFound`` or
    ``ScanUnavailable`` otherwise; ``close`` (or leaving the ``with`` block) ends the session
    early, for an upload given up.
    """

    def __init__(self, address: str, *, timeout: float = 60, max_length: int = 25 << 20) -> None:
        self.address = address
        self.max_length = max_length
        self.sent = 0
        self._reply: str | None = None
        try:
            self._sock: socket.socket | None = _connect(address, timeout)
            self._sock.sendall(b"zINSTREAM\0")
        except (OSError, ValueError) as exc:
            self._sock = None
            log.error("clamd at %s cannot be reached: %s", address, exc)
            raise ScanUnavailable(str(exc)) from exc

    def feed(self, chunk: bytes) -> None:
        if self._sock is None:
            raise ScanUnavailable("scanner closed")
        room = self.max_length - self.sent
        if room <= 0 or not chunk:
            return
        data = memoryview(chunk)[:room]
        try:
            for start in range(0, len(data), FRAME):
                frame = data[start : start + FRAME]
                self._sock.sendall(struct.pack("!L", len(frame)))
                self._sock.sendall(frame)
        except OSError as exc:
            # clamd hangs up on a stream it refuses (too long, say) after saying why.
            self._fail(f"sending: {exc}: {self._read_reply(quiet=True)}")
        self.sent += len(data)

    def result(self) -> None:
        if self._reply is None:
            if self._sock is None:
                raise ScanUnavailable("scanner closed")
            try:
                self._sock.sendall(struct.pack("!L", 0))
            except OSError as exc:
                self._fail(f"ending: {exc}: {self._read_reply(quiet=True)}")
            self._reply = self._read_reply()
            self.close()
        reply = self._reply
        status = reply.removeprefix("stream:").strip()
        if status == "OK":
            return
        if status.endswith(" FOUND"):
            signature = status.removesuffix(" FOUND").strip()
            log.warning("clamd found %s in an upload", signature)
            raise VirusFound(signature)
        self._fail(f"clamd answered {reply!r}")

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def __enter__(self) -> Scanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_reply(self, *, quiet: bool = False) -> str:
        if self._sock is None:
            return ""
        received = bytearray()
        try:
            while not received.endswith(b"\0") and len(received) < 4096:
                data = self._sock.recv(4096)
                if not data:
                    break
                received += data
        except OSError as exc:
            if quiet:
                return ""
            self._fail(f"reading the reply: {exc}")
        return received.rstrip(b"\0\n").decode("utf-8", errors="replace").strip()

    def _fail(self, detail: str) -> NoReturn:
        log.error("virus scan with clamd at %s failed: %s", self.address, detail)
        self.close()
        raise ScanUnavailable(detail)
