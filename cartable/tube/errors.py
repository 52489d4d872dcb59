"""What Tube refuses, in words for the person who sent the file. Each error carries the HTTP
status its adapters answer with (one mapping per protocol, as Drive's)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class TubeError(Exception):
    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message or self.default_message()

    def default_message(self) -> str:
        return _("This cannot be done.")


class NotFound(TubeError):
    status = 404

    def default_message(self) -> str:
        return _("This video does not exist, or you may not see it.")


class Forbidden(TubeError):
    status = 403

    def default_message(self) -> str:
        return _("You may not do this.")


class NotMedia(TubeError):
    """Not a video nor an audio file, or one ffprobe could not read (corrupt, truncated)."""

    status = 415

    def default_message(self) -> str:
        return _("This file is not a video or audio file that can be read.")


class OverLimit(TubeError):
    """Over one of the limits in the settings: the message says which."""

    status = 413


class Unavailable(TubeError):
    """ffmpeg is missing, or no sandbox can confine it here: nothing is processed."""

    status = 503
