"""How Tube plugs into the platform: its jobs (processing a sent video) and its part of
"download my data" and of an account's erasure. Its place in the portal (list of tools, top
bar, class sections, dashboard card, search) comes with its upload and browse pages. Only
``TubeConfig.ready`` imports this module."""

from __future__ import annotations

from cartable.core.registry import PersonalData, registry
from cartable.tube import tasks
from cartable.tube.actions import privacy


def register() -> None:
    tasks.register()
    registry.add_personal_data(
        PersonalData(key="tube", export=privacy.export_videos, erase=privacy.erase_videos, order=50)
    )
