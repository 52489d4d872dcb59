"""How Pad plugs into the platform: its place in the portal (list of tools, top bar, the class
page), its dashboard card, search, personal data, retention, demo data and jobs. Only
``PadConfig.ready`` imports this module."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import Group, User
from cartable.core.registry import (
    ClassSection,
    DashboardCard,
    DemoData,
    NavEntry,
    PersonalData,
    RetentionRule,
    SectionContent,
    SectionLink,
    Tool,
    registry,
)
from cartable.pad import demo, tasks
from cartable.pad.access import class_pads, may_create_pad, pad_count, recent_pads
from cartable.pad.actions import privacy, retention
from cartable.pad.search import pad_search


def _card_items(user: User) -> list[dict[str, Any]]:
    return [
        {"title": p.display_title, "url": p.get_absolute_url(), "meta": ""}
        for p in recent_pads(user, 6)
    ]


def class_section(user: User, group: Group) -> SectionContent | None:
    """The class's pads that this person may open, and "New pad for this class" for whoever
    may create one."""
    items = [
        SectionLink(
            p.display_title,
            p.get_absolute_url(),
            meta=date_format(localtime(p.last_edited_at or p.created_at), "SHORT_DATETIME_FORMAT"),
            icon="pad",
        )
        for p in class_pads(user, group)
    ]
    actions = []
    if may_create_pad(user, group):
        actions.append(
            SectionLink(
                _("New pad for this class"),
                reverse("pad:index") + f"?group={group.public_id}",
                icon="plus",
            )
        )
    return SectionContent(items, actions, empty=_("No pad for this class yet."))


def register() -> None:
    registry.add_tool(
        Tool(
            key="pad",
            name=_("Pad"),
            description=_("Write a text together in real time, each author in their colour."),
            url_name="pad:index",
            icon="pad/tool.svg",
            order=30,
        )
    )
    registry.add_nav(NavEntry("pad", _("Pad"), "pad:index", namespaces=("pad",), order=30))
    registry.add_class_section(ClassSection("pad", _("Pads"), class_section, order=30))
    registry.add_card(
        DashboardCard(
            key="pad",
            title=_("Pad"),
            description=_("Write together in real time, colour-coded by author."),
            url_name="pad:index",
            icon="pad",
            order=30,
            items=_card_items,
            counter=pad_count,
        )
    )
    registry.add_search(pad_search)
    registry.add_demo(DemoData("pad", demo.create, order=50))
    registry.add_personal_data(
        PersonalData(key="pad", export=privacy.export_pads, erase=privacy.erase_author, order=30)
    )
    registry.add_retention(
        RetentionRule(
            "pads",
            _("Pads nobody wrote in for CARTABLE_PAD_RETENTION_DAYS, after two warnings"),
            retention.run,
        )
    )
    tasks.register()
