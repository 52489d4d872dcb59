"""LibreOffice, headless (``soffice --convert-to``), for every tool that converts documents.

Pad imports and exports docx, odt and PDF with it; Drive turns office documents into PDF to
draw their previews. Each conversion runs in the source file's own temporary folder with its
own LibreOffice profile (two conversions at once would otherwise fight over one profile's
lock), sandboxed, under time and memory limits and without network
(``cartable.core.processes``). Where no sandbox can be set up, LibreOffice is not run: the
conversion is refused as unavailable.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from cartable.core.processes import (
    Limits,
    ProcessTimeout,
    SandboxUnavailable,
    run_isolated,
    sandbox_available,
)

log = logging.getLogger(__name__)

TIMEOUT = 60
# CPU seconds are the time limit's, the memory is CARTABLE_CONVERTER_MEMORY_MB.
LIMITS = Limits(cpu=TIMEOUT)
# What a zipped document (docx, odt…) may declare it inflates to, and its entries.
MAX_INFLATED = 512 * 1024 * 1024
MAX_ENTRIES = 10_000
# A conversion keeps a core busy for seconds: at most this many run at once in a process, the
# others wait their turn (up to TIMEOUT) rather than starving the server.
CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
_slots = threading.BoundedSemaphore(CONCURRENCY)


class OfficeError(Exception):
    """A conversion that could not be done; the message can be shown to the user."""


class OfficeUnavailable(OfficeError):
    pass


class OfficeBusy(OfficeUnavailable):
    """Every conversion slot stayed taken for the whole time limit."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def office_available() -> bool:
    """Whether documents can be converted here (LibreOffice installed, and a sandbox for it)."""
    return soffice() is not None and sandbox_available()


def convert(source: Path, target: str, *, infilter: str | None = None) -> Path:
    """Convert ``source`` (alone in a temporary folder of its own) to ``target``.

    ``target`` is what ``--convert-to`` takes: an extension, optionally with a filter
    (``pdf``, ``docx:MS Word 2007 XML``). Returns the converted file, written in an ``out``
    folder beside the source; the caller removes the folder.
    """
    check_zipped(source)
    exe = soffice()
    if exe is None:
        raise OfficeUnavailable(
            _("Word, OpenDocument and PDF conversions are not available on this server.")
        )
    if not _slots.acquire(timeout=TIMEOUT):
        raise OfficeBusy(_("The server is busy converting other documents. Try again shortly."))
    try:
        return _run(exe, source, target, infilter)
    finally:
        _slots.release()


def check_zipped(source: Path) -> None:
    """Refuse an office document whose zip says it inflates past ``MAX_INFLATED`` bytes.

    Word and OpenDocument files are zips: a bomb would keep LibreOffice busy until its time
    limit. The sizes its directory declares are checked first, which is cheap; a zip that
    lies about them still meets the sandbox's limits.
    """
    if not zipfile.is_zipfile(source):
        return
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # LibreOffice says what it makes of it
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_INFLATED:
        raise OfficeError(_("This document is too large once uncompressed."))


def _run(exe: str, source: Path, target: str, infilter: str | None) -> Path:
    workdir = source.parent
    outdir = workdir / "out"
    profile = workdir / "profile"
    command = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        str(source),
    ]
    try:
        process = run_isolated(
            command,
            workdir=workdir,
            timeout=TIMEOUT,
            env={"SAL_USE_VCLPLUGIN": "svp"},
            limits=LIMITS,
        )
    except ProcessTimeout:
        raise OfficeError(_("The conversion took too long and was stopped.")) from None
    except SandboxUnavailable as exc:
        log.error("LibreOffice not run: %s", exc)
        raise OfficeUnavailable(
            _("Conversions are turned off on this server: they cannot be run safely here.")
        ) from None
    produced = [p for p in outdir.iterdir() if p.is_file()] if outdir.is_dir() else []
    extension = "." + target.split(":", 1)[0]
    result = next((p for p in produced if p.suffix == extension), None)
    if process.returncode != 0 or result is None or result.stat().st_size == 0:
        log.warning(
            "soffice failed (%s): %s",
            process.returncode,
            process.stderr.decode(errors="replace")[-500:],
        )
        raise OfficeError(_("LibreOffice could not convert this document."))
    return result
