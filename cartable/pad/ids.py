"""Etherpad-style identifiers: ``a.`` authors, ``g.`` groups, ``s.`` sessions, ``r.`` read-only.

Existing Etherpad integrations (Moodle's, Nextcloud's) parse and build these, so they keep
Etherpad's shapes: a prefix, a dot, 16 random characters; group pads are ``g.xxx$name``.
"""

from __future__ import annotations

import re
import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
# Etherpad refuses these in pad ids; "$" is reserved for group pads.
_PAD_ID = re.compile(r"^[^$/?#&%\\\s:]{1,50}$")
_GROUP_PAD_ID = re.compile(r"^g\.[A-Za-z0-9]{16}\$[^$/?#&%\\\s:]{1,50}$")


def random_id(prefix: str, length: int = 16) -> str:
    return f"{prefix}.{''.join(secrets.choice(_ALPHABET) for _ in range(length))}"


def new_pad_id() -> str:
    """A pad id nobody can guess: links to a pad are its first protection."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(20))


def is_valid_pad_id(pad_id: str) -> bool:
    return bool(_PAD_ID.match(pad_id) or _GROUP_PAD_ID.match(pad_id))


def group_pad_id(group_id: str, pad_name: str) -> str:
    return f"{group_id}${pad_name}"
