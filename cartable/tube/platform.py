"""How Tube plugs into the platform: for now its jobs (processing a sent video). Its place in
the portal (list of tools, top bar, class sections, dashboard card, search) comes with its
pages. Only ``TubeConfig.ready`` imports this module."""

from __future__ import annotations

from cartable.tube import tasks


def register() -> None:
    tasks.register()
