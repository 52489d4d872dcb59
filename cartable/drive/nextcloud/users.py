"""``cloud/user`` and ``cloud/users/<id>``: who the client signed in as, and their quota."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cartable.accounts.models import User
from cartable.drive.actions import personal_space, quota_of
from cartable.drive.nextcloud.ocs import OcsError, ocs_view

# Nextcloud's "unlimited" quota.
UNLIMITED = -3


def quota(user: User) -> dict[str, Any]:
    space = personal_space(user)
    used = space.used
    limit = quota_of(space)
    if limit is None:
        return {
            "free": 0,
            "used": used,
            "total": used,
            "relative": 0,
            "quota": UNLIMITED,
        }
    free = max(limit - used, 0)
    return {
        "free": free,
        "used": used,
        "total": limit,
        "relative": round(used * 100 / limit, 2) if limit else 100,
        "quota": limit,
    }


def describe(user: User) -> dict[str, Any]:
    name = user.get_display_name()
    return {
        "enabled": user.is_active,
        "id": user.username,
        "lastLogin": int(user.last_login.timestamp() * 1000) if user.last_login else 0,
        "backend": "Database",
        "subadmin": [],
        "quota": quota(user),
        "email": user.email or None,
        "additional_mail": [],
        "displayname": name,
        "display-name": name,
        "phone": "",
        "address": "",
        "website": "",
        "twitter": "",
        "organisation": str(user.structure) if user.structure_id else "",
        "role": "",
        "headline": "",
        "biography": "",
        "profile_enabled": "0",
        "groups": [],
        "language": user.language or "fr",
        "locale": "",
        "backendCapabilities": {"setDisplayName": False, "setPassword": False},
    }


@ocs_view()
def current_user(request: HttpRequest, user: User) -> dict[str, Any]:
    return describe(user)


@ocs_view()
def user_detail(request: HttpRequest, user: User, userid: str) -> dict[str, Any]:
    """Only oneself: Cartable does not let one user read another's account through OCS."""
    if userid.lower() not in {user.username.lower(), (user.email or "").lower()}:
        raise OcsError(404, "User does not exist")
    return describe(user)
