"""Classes and groups in the platform's search: their members find them by name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import Group, User
from cartable.core.search import IndexedProvider


class GroupSearch(IndexedProvider):
    key = "groups"
    label = _("Classes and groups")
    kind = _("Group")

    def visible_keys(self, user: User, keys: list[str]) -> set[str]:
        groups = Group.objects.filter(public_id__in=keys)
        if not user.is_superuser:
            groups = groups.filter(memberships__user=user)
        return {str(k) for k in groups.values_list("public_id", flat=True)}


group_search = GroupSearch()


def index_group(group: Group) -> None:
    group_search.index(
        group.public_id, title=group.name, body=group.description, url=group.get_absolute_url()
    )
