"""One answer, for every tool, to "what may this person do here?".

A thing's role for a person is the best of: ownership, grants to the person, grants to the
person's groups, and the thing's reach. Each tool maps roles to actions with
:func:`ability_table` and calls :func:`abilities`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from django.contrib.auth.hashers import check_password
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from cartable.core.models import Grant
from cartable.core.roles import ROLE_VALUES, Reach, Role, best_role

if TYPE_CHECKING:
    from cartable.accounts.models import User
    from cartable.core.models import Shareable
    from cartable.core.types import Visitor


def ability_table(**actions_by_role: Iterable[str]) -> dict[Role, frozenset[str]]:
    """Cumulative table: each role may do what it lists and everything the lower roles may."""
    table: dict[Role, frozenset[str]] = {}
    acc: set[str] = set()
    for value in ROLE_VALUES:
        acc |= set(actions_by_role.get(value, ()))
        table[Role(value)] = frozenset(acc)
    return table


def _is_signed_in(user: Visitor | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _is_staff_member(user: Visitor | None) -> TypeGuard[User]:
    return _is_signed_in(user) and getattr(user, "kind", "") == "staff"


class Reachable(Protocol):
    """What a thing's reach is read from: a :class:`Shareable`, or a listing's lighter row."""

    @property
    def reach(self) -> str: ...

    @property
    def reach_role(self) -> str: ...

    @property
    def structure_id(self) -> int | None: ...

    @property
    def link_token(self) -> str: ...

    @property
    def link_expires_at(self) -> datetime | None: ...


def link_is_valid(thing: Reachable, link_token: str | None) -> bool:
    if not link_token or not thing.link_token:
        return False
    if thing.link_expires_at and thing.link_expires_at <= timezone.now():
        return False
    return constant_time_compare(link_token, thing.link_token)


def link_password_matches(thing: Shareable, password: str) -> bool:
    return not thing.link_password or check_password(password, thing.link_password)


def reach_role(user: Visitor | None, thing: Reachable, link_token: str | None) -> Role | None:
    reach = thing.reach
    role = Role(thing.reach_role)
    if reach == Reach.PUBLIC:
        return role
    if reach == Reach.LINK:
        return role if link_is_valid(thing, link_token) else None
    # Structure and platform reach are for staff: students see only what classes give them.
    if not _is_staff_member(user):
        return None
    if reach == Reach.PLATFORM:
        return role
    if reach == Reach.STRUCTURE and thing.structure_id and user.structure is not None:
        return role if user.structure.is_within(thing.structure_id) else None
    return None


def role_for(
    user: Visitor | None, thing: Shareable, *, link_token: str | None = None
) -> Role | None:
    """The best role ``user`` (possibly anonymous) holds on ``thing``; None for no access."""
    roles: list[str | None] = [reach_role(user, thing, link_token)]
    if _is_signed_in(user):
        if user.is_superuser:
            roles.append(Role.MANAGER)
        if thing.owner_id == user.pk:
            return Role.OWNER
        memberships = user.group_roles()
        if thing.owner_group_id and thing.owner_group_id in memberships:
            group_role = memberships[thing.owner_group_id]
            roles.append(
                Role.OWNER
                if group_role == "owner"
                else Role.MANAGER
                if group_role == "manager"
                else None
            )
        ct = ContentType.objects.get_for_model(thing)
        grants = Grant.objects.filter(content_type=ct, object_id=thing.pk).filter(
            Q(user=user) | Q(group_id__in=list(memberships))
        )
        for grant in grants.only("user_id", "group_id", "role", "manager_role"):
            if grant.user_id:
                roles.append(grant.role)
            elif grant.group_id is not None and memberships.get(grant.group_id) in (
                "owner",
                "manager",
            ):
                roles.append(grant.manager_role or grant.role)
            else:
                roles.append(grant.role)
    return best_role(*roles)


def abilities(
    user: Visitor | None,
    thing: Shareable,
    table: Mapping[Role, frozenset[str]],
    *,
    link_token: str | None = None,
) -> frozenset[str]:
    role = role_for(user, thing, link_token=link_token)
    return table[role] if role else frozenset()


def visible_q(user: Visitor | None, model: type[Model]) -> Q:
    """A filter for listings: the things of ``model`` that ``user`` may at least view.

    Link reach is left out: holding a link is not a reason to list a thing.
    """
    q = Q(reach=Reach.PUBLIC)
    if not _is_signed_in(user):
        return q
    if user.is_superuser:
        return Q()
    group_ids = list(user.group_roles())
    ct = ContentType.objects.get_for_model(model)
    granted = Grant.objects.filter(content_type=ct).filter(Q(user=user) | Q(group_id__in=group_ids))
    q |= Q(owner=user) | Q(owner_group_id__in=group_ids) | Q(pk__in=granted.values("object_id"))
    if _is_staff_member(user):
        q |= Q(reach=Reach.PLATFORM)
        if user.structure is not None:
            q |= Q(reach=Reach.STRUCTURE, structure_id__in=user.structure.lineage_ids())
    return q


def visible(user: Visitor | None, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(visible_q(user, queryset.model)).distinct()
