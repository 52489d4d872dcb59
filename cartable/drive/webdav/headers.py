"""WebDAV request headers: Depth, Overwrite, Destination, Timeout, Lock-Token (RFC 4918 §10)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

INFINITY = -1
MAX_LOCK_TIMEOUT = 7 * 24 * 3600
DEFAULT_LOCK_TIMEOUT = 3600


class BadHeader(ValueError):
    pass


def parse_depth(value: str | None, default: int = INFINITY) -> int:
    """0, 1 or INFINITY; ``default`` when absent."""
    if value is None:
        return default
    value = value.strip().lower()
    if value == "0":
        return 0
    if value == "1":
        return 1
    if value == "infinity":
        return INFINITY
    raise BadHeader(f"Depth: {value!r}")


def parse_overwrite(value: str | None) -> bool:
    if value is None:
        return True
    value = value.strip().upper()
    if value not in ("T", "F"):
        raise BadHeader(f"Overwrite: {value!r}")
    return value == "T"


def parse_timeout(value: str | None) -> int:
    """Seconds asked for (``Second-N`` or ``Infinite``, first acceptable), capped."""
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    for part in value.split(","):
        part = part.strip()
        if part.lower() == "infinite":
            return MAX_LOCK_TIMEOUT
        if part.lower().startswith("second-"):
            try:
                seconds = int(part[7:])
            except ValueError:
                continue
            if seconds > 0:
                return min(seconds, MAX_LOCK_TIMEOUT)
    return DEFAULT_LOCK_TIMEOUT


def destination_path(value: str | None, host: str | None) -> str:
    """The raw (still percent-encoded) path of a Destination header.

    Raises BadHeader for a missing or malformed value, and ForeignDestination when it names
    another server (502 per RFC 4918 §9.9.4).
    """
    if not value:
        raise BadHeader("no Destination")
    parts = urlsplit(value.strip())
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise ForeignDestination(value)
    if parts.netloc and host and parts.netloc.lower() != host.lower():
        raise ForeignDestination(value)
    if not parts.path.startswith("/"):
        raise BadHeader(f"Destination: {value!r}")
    return parts.path


class ForeignDestination(BadHeader):
    pass


def parse_lock_token(value: str | None) -> str | None:
    """The token of a ``Lock-Token: <token>`` header."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1].strip()
    return value or None


def split_path(raw: str) -> list[str]:
    """Decoded segments of a percent-encoded URL path; BadHeader on traversal or NUL.

    Splitting before decoding keeps an encoded slash (``%2F``) from creating a segment the
    client did not write; a segment that decodes to one is refused outright.
    """
    segments = []
    for raw_segment in raw.split("/"):
        if not raw_segment:
            continue
        try:
            segment = unquote(raw_segment, errors="strict")
        except UnicodeDecodeError as exc:
            raise BadHeader(f"path segment {raw_segment!r} is not UTF-8") from exc
        if segment in (".", "..") or "/" in segment or "\x00" in segment or "\\" in segment:
            raise BadHeader(f"path segment {raw_segment!r}")
        segments.append(segment)
    return segments


def parse_mtime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
