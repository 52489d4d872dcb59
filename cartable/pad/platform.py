"""How Pad plugs into the platform: its dashboard card, search, personal data, retention,
demo data and jobs. Only ``PadConfig.ready`` imports this module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import User
from cartable.core.registry import DashboardCard, DemoData, PersonalData, RetentionRule, registry
from cartable.pad import demo, tasks
from cartable.pad.access import pad_count, recent_pads
from cartable.pad.actions import privacy, retention
from cartable.pad.search import pad_search


def _card_items(user: User) -> list[dict[str, Any]]:
    return [
        {"title": p.display_title, "url": p.get_absolute_url(), "meta": ""}
        for p in recent_pads(user, 6)
    ]


def register() -> None:
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
