from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from uuid import UUID

from django.http import Http404

from cartable.accounts.actions import check_manage_group, group_role
from cartable.accounts.models import Group

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def access_group(
    user: Visitor, public_id: str | UUID, need: Literal["view", "manage"] = "view"
) -> Group:
    """The group for a member (or a manager, with ``need="manage"``); 404 for everyone else."""
    group = Group.objects.filter(public_id=public_id).select_related("structure").first()
    if group is None or not (
        user.is_authenticated and (group_role(user, group) or user.is_superuser)
    ):
        raise Http404
    if need == "manage":
        check_manage_group(user, group)
    return group
