"""How accounts plug into the platform registries."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _

from cartable.core.registry import DashboardCard, PersonalData, RetentionRule, registry
from cartable.core.search import IndexedProvider


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


class GroupSearch(IndexedProvider):
    key = "groups"
    label = _("Classes and groups")
    kind = _("Group")

    def visible_keys(self, user: Any, keys: list[str]) -> set[str]:
        from cartable.accounts.models import Group

        groups = Group.objects.filter(public_id__in=keys)
        if not user.is_superuser:
            groups = groups.filter(memberships__user=user)
        return {str(k) for k in groups.values_list("public_id", flat=True)}


group_search = GroupSearch()


def index_group(group: Any) -> None:
    group_search.index(
        group.public_id, title=group.name, body=group.description, url=group.get_absolute_url()
    )


def export_account(user: Any, add: Any) -> None:
    from allauth.usersessions.models import UserSession

    profile = {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "kind": user.kind,
        "structure": str(user.structure) if user.structure_id else None,
        "language": user.language,
        "email_notifications": user.email_notifications,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }
    add("profile.json", json.dumps(profile, ensure_ascii=False, indent=2))
    memberships = [
        {
            "group": m.group.name,
            "kind": m.group.kind,
            "role": m.role,
            "since": m.created_at.isoformat(),
        }
        for m in user.memberships.select_related("group")
    ]
    add("groups.json", json.dumps(memberships, ensure_ascii=False, indent=2))
    devices = [
        {
            "name": p.name,
            "created_at": p.created_at.isoformat(),
            "last_used_at": p.last_used_at.isoformat() if p.last_used_at else None,
        }
        for p in user.app_passwords.all()
    ]
    add("app-passwords.json", json.dumps(devices, ensure_ascii=False, indent=2))
    sessions = [
        {
            "ip": s.ip,
            "user_agent": s.user_agent,
            "created_at": s.created_at.isoformat(),
            "last_seen_at": s.last_seen_at.isoformat() if s.last_seen_at else None,
        }
        for s in UserSession.objects.filter(user=user)
    ]
    add("sessions.json", json.dumps(sessions, ensure_ascii=False, indent=2))
    if user.avatar:
        with user.avatar.open("rb") as fh:
            add(f"avatar{user.avatar.name[user.avatar.name.rfind('.') :]}", fh.read())


def erase_account(user: Any) -> None:
    """Hand over the groups the user alone owns, so that classes outlive their teacher."""
    from cartable.accounts.models import Membership

    for membership in Membership.objects.filter(
        user=user, role=Membership.Role.OWNER
    ).select_related("group"):
        group = membership.group
        others = group.memberships.exclude(user=user)
        if others.filter(role=Membership.Role.OWNER).exists():
            continue
        successor = others.filter(role=Membership.Role.MANAGER).order_by("created_at").first()
        if successor is None:
            successor = others.filter(user__kind="staff").order_by("created_at").first()
        if successor is not None:
            Membership.objects.filter(pk=successor.pk).update(role=Membership.Role.OWNER)
        else:
            from django.utils import timezone

            group.archived_at = timezone.now()
            group.save(update_fields=["archived_at"])
    user.memberships.all().delete()
    user.app_passwords.all().delete()


def _purge_login_flows() -> int:
    from cartable.accounts.login_flows import purge_expired_login_flows

    return purge_expired_login_flows()


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
        PersonalData(key="account", export=export_account, erase=erase_account, order=10)
    )
    registry.add_retention(
        RetentionRule(
            "login_flows",
            _("Nextcloud login flows not completed within 20 minutes"),
            _purge_login_flows,
        )
    )
