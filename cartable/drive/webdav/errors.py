"""Drive's errors as WebDAV answers: the one mapping of the DAV trees (files, Nextcloud's
uploads, trash bin and versions), from each error's status (``cartable.drive.errors``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cartable.drive.errors import DriveError
from cartable.drive.webdav.http import DavError


def dav_error(exc: DriveError) -> DavError:
    return DavError(exc.status, message=exc.message)


@contextmanager
def drive_errors() -> Iterator[None]:
    try:
        yield
    except DriveError as exc:
        raise dav_error(exc) from exc
