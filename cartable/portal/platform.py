"""How the portal plugs into the platform registries."""

from __future__ import annotations


def register() -> None:
    pass
