"""How Tube plugs into the platform: its place in the portal (list of tools, top bar, the
class page), its jobs (processing a sent video), its part of "download my data" and of an
account's erasure, and its retention rule. Only ``TubeConfig.ready`` imports this module."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import Group, User
from cartable.core.registry import (
    ClassSection,
    DemoData,
    NavEntry,
    PersonalData,
    RetentionRule,
    SectionContent,
    SectionLink,
    Tool,
    registry,
)
from cartable.tube import demo, tasks
from cartable.tube.access import class_channels, may_create_channel
from cartable.tube.actions import privacy, processing


def class_section(user: User, group: Group) -> SectionContent | None:
    """The class's channels this person may watch, and "New channel for this class" for its
    teachers."""
    items = [
        SectionLink(c.name, reverse("tube:channel", args=[c.public_id]), icon="video")
        for c in class_channels(user, group)
    ]
    actions = []
    if may_create_channel(user, group):
        actions.append(
            SectionLink(
                _("New channel for this class"),
                reverse("tube:index") + f"?group={group.public_id}",
                icon="plus",
            )
        )
    return SectionContent(items, actions, empty=_("No channel for this class yet."))


def register() -> None:
    registry.add_tool(
        Tool(
            key="tube",
            name=_("Tube"),
            description=_("Publish videos for your classes, watched on any device."),
            url_name="tube:index",
            icon="tube/tool.svg",
            order=50,
        )
    )
    registry.add_nav(NavEntry("tube", _("Tube"), "tube:index", namespaces=("tube",), order=50))
    registry.add_class_section(ClassSection("tube", _("Videos"), class_section, order=50))
    registry.add_demo(DemoData("tube", demo.create, order=60))
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
