"""How accounts plug into the platform: the dashboard card of classes and groups, their
search, the account's personal data, the login flows' retention. Only ``ready()`` imports it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cartable.accounts import privacy
from cartable.accounts.login_flows import purge_expired_login_flows
from cartable.accounts.models import Group, User
from cartable.accounts.search import group_search
from cartable.core.registry import DashboardCard, PersonalData, RetentionRule, registry


def _my_groups(user: User) -> list[dict[str, Any]]:
    groups = Group.objects.filter(memberships__user=user, archived_at__isnull=True).order_by(
        "name"
    )[:8]
    return [
        {"title": g.name, "url": g.get_absolute_url(), "meta": g.get_kind_display()} for g in groups
    ]


def _group_count() -> int:
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
    registry.add_search(group_search)
    registry.add_personal_data(
        PersonalData(
            key="account", export=privacy.export_account, erase=privacy.erase_account, order=10
        )
    )
    registry.add_retention(
        RetentionRule(
            "login_flows",
            _("Nextcloud login flows not completed within 20 minutes"),
            purge_expired_login_flows,
        )
    )
