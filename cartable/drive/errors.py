"""What can go wrong in Drive, with a message a user can read and its HTTP status.

The status is said once, here. Each protocol adapter has one mapping that turns an error into
its own answer from that status — the web views (``views.common.drive_errors``), WebDAV
(``webdav.errors``), tus (``tus``), OCS (``nextcloud.shares``) — overriding it only where its
protocol says otherwise (tus answers 413 when a file does not fit). The message is the same
everywhere.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DriveError(Exception):
    status = 400
    default_message = _("This operation is not possible.")

    def __init__(self, message: object = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class NotFound(DriveError):
    status = 404
    default_message = _("This file or folder does not exist.")


class Forbidden(DriveError):
    status = 403
    default_message = _("You are not allowed to do this here.")


class Conflict(DriveError):
    status = 409
    default_message = _("An item with this name already exists here.")


class QuotaExceeded(DriveError):
    status = 507
    default_message = _("There is not enough space left in this Drive.")


class PreconditionFailed(DriveError):
    status = 412
    default_message = _("The file was changed by someone else in the meantime.")


class InvalidName(DriveError):
    status = 400
    default_message = _("This name cannot be used.")


class Infected(DriveError):
    status = 403
    default_message = _("This file contains a virus and was refused.")


class Locked(DriveError):
    status = 423
    default_message = _("This item is locked by someone else.")


class Unavailable(DriveError):
    """A service Drive needs (the virus scanner) does not answer: try again later."""

    status = 503
    default_message = _("This cannot be done right now. Try again later.")
