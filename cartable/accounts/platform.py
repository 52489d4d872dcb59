"""How accounts plug into the platform registries."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cartable.core.registry import DashboardCard, registry


def _my_groups(user: Any) -> list[dict[str, Any]]:
    from cartable.accounts.models import Group

    groups = Group.objects.filter(memberships__user=user, archived_at__isnull=True).order_by(
        "name"
    )[:8]
    return [
        {"title": g.name, "url": g.get_absolute_url(), "meta": g.get_kind_display()} for g in groups
    ]


def _group_count() -> int:
    from cartable.accounts.models import Group

    return Group.objects.count()


def register() -> None:
    registry.add_card(
        DashboardCard(
            key="groups",
            title=_("My classes and groups"),
            description=_("Create a class, invite students, add co-teachers."),
            url_name="accounts:groups",
            icon="groups",
            order=10,
            items=_my_groups,
            counter=_group_count,
        )
    )
