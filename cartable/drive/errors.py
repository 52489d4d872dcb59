"""What can go wrong in Drive, with a message a user can read.

Protocol handlers map these to their own answers (WebDAV status codes, OCS codes, HTML
messages); the message is the same everywhere.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DriveError(Exception):
    default_message = _("This operation is not possible.")

    def __init__(self, message: object = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class NotFound(DriveError):
    default_message = _("This file or folder does not exist.")


class Forbidden(DriveError):
    default_message = _("You are not allowed to do this here.")


class Conflict(DriveError):
    default_message = _("An item with this name already exists here.")


class QuotaExceeded(DriveError):
    default_message = _("There is not enough space left in this Drive.")


class PreconditionFailed(DriveError):
    default_message = _("The file was changed by someone else in the meantime.")


class InvalidName(DriveError):
    default_message = _("This name cannot be used.")


class Infected(DriveError):
    default_message = _("This file contains a virus and was refused.")


class Locked(DriveError):
    default_message = _("This item is locked by someone else.")


class Unavailable(DriveError):
    """A service Drive needs (the virus scanner) does not answer: try again later."""

    default_message = _("This cannot be done right now. Try again later.")
