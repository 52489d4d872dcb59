"""The key of the Etherpad-compatible HTTP API, like Etherpad's ``APIKEY.txt``.

``CARTABLE_PAD_API_KEY`` when set (the same on every server), otherwise a key generated once
into ``DATA_DIR/pad_apikey.txt``, readable by its owner only.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings

FILE_NAME = "pad_apikey.txt"


def key_file() -> Path:
    return Path(settings.DATA_DIR) / FILE_NAME


def api_key() -> str:
    configured = (settings.PAD_API_KEY or "").strip()
    if configured:
        return configured
    path = key_file()
    if not path.exists():
        # Written aside, then linked into place: two processes starting at once agree on
        # one key, and nobody reads a half-written file.
        spare = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_hex(32))
        try:
            with contextlib.suppress(FileExistsError):
                os.link(spare, path)
        finally:
            spare.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it or set CARTABLE_PAD_API_KEY")
    return key


def check_key(given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(given.strip().encode(), api_key().encode())
