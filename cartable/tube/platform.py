"""How Tube plugs into the platform: its jobs (processing a sent video) and its part of
"download my data" and of an account's erasure. Its place in the portal (list of tools, top
bar, class sections, dashboard card, search) comes with its upload and browse pages. Only
``TubeConfig.ready`` imports this module."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cartable.core.registry import PersonalData, RetentionRule, registry
from cartable.tube import tasks
from cartable.tube.actions import privacy, processing


def register() -> None:
    tasks.register()
    registry.add_personal_data(
        PersonalData(key="tube", export=privacy.export_videos, erase=privacy.erase_videos, order=50)
    )
    registry.add_retention(
        RetentionRule(
            "tube-stalled",
            _("Videos whose processing was interrupted: tried again, or reported failed"),
            processing.recover_stalled,
        )
    )
