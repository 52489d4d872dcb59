"""A person's account in "download my data" and in the erasure of their account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from allauth.usersessions.models import UserSession
from django.utils import timezone

from cartable.accounts.models import Membership, User


def export_account(user: User, add: Callable[[str, Any], None]) -> None:
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


def erase_account(user: User) -> None:
    """Hand over the groups the user alone owns, so that classes outlive their teacher."""
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
            group.archived_at = timezone.now()
            group.save(update_fields=["archived_at"])
    user.memberships.all().delete()
    user.app_passwords.all().delete()
