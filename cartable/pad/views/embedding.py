"""Pad pages inside other sites' frames: Moodle and Nextcloud show pads in an ``<iframe>``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase


def frameable(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Let the origins of ``CARTABLE_PAD_FRAME_ANCESTORS`` frame this view; nobody else may."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        ancestors = list(settings.PAD_FRAME_ANCESTORS)
        if ancestors:
            # X-Frame-Options knows no list of origins: CSP's frame-ancestors says it instead.
            response.xframe_options_exempt = True  # type: ignore[attr-defined]
            response._csp_replace = {"frame-ancestors": ["'self'", *ancestors]}  # type: ignore[attr-defined]
        return response

    return wrapped
