"""What a browser ends up with for a download, on local disk or on S3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests


def served(response: Any) -> tuple[bytes, Mapping[str, str]]:
    """The bytes and headers a browser gets; a redirect to S3 (scaled out) is followed."""
    location = response.get("Location", "") if response.status_code == 302 else ""
    if location.startswith("http://127.0.0.1:"):
        fetched = requests.get(location, timeout=10)
        if fetched.status_code != 200:
            raise AssertionError(f"S3 answered {fetched.status_code}")
        return fetched.content, fetched.headers
    if response.status_code != 200:
        raise AssertionError(f"the download answered {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body, response.headers


def downloaded(response: Any) -> bytes:
    """The bytes of a download response; a redirect to S3 (scaled out) is followed."""
    return served(response)[0]
