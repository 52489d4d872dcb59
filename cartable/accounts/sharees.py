"""Whom a person may share with: one rule, for every tool and every path.

People: the members of one's classes and groups and, for staff, the people of one's school
or academy (students find only their classes). Groups: one's own classes and groups. The
share dialogs search with :func:`sharees`; the actions and the protocol endpoints
(Nextcloud's share API) find the named person or group with :func:`find_sharee` and
:func:`find_group`, which answer ``None`` alike for someone who does not exist and for
someone the sharer may not share with — by the same single query, so that neither the
answer nor its cost tells who has an account.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from cartable.accounts.models import Group, User


def _near(user: User) -> QuerySet[User]:
    """The active people ``user`` may share with (themselves excluded)."""
    near = Q(memberships__group_id__in=list(user.group_roles()))
    structure = user.structure if user.is_staff_member else None
    if structure is not None:
        near |= Q(structure_id__in=structure.lineage_ids()) | Q(
            structure__parent_id=structure.academy.pk
        )
    return User.objects.filter(near, is_active=True).exclude(pk=user.pk)


def sharees(user: User, query: str, limit: int = 20) -> list[User]:
    """Whom ``user`` may share with, matched on a name or an address (two letters at least)."""
    query = query.strip()
    if len(query) < 2:
        return []
    match = (
        Q(display_name__icontains=query)
        | Q(email__iexact=query)
        | Q(email__istartswith=query)
        | Q(first_name__icontains=query)
        | Q(last_name__icontains=query)
        | Q(username__iexact=query)
    )
    return list(_near(user).filter(match).distinct().order_by("display_name", "username")[:limit])


def find_sharee(
    user: User,
    *,
    username: str | None = None,
    public_id: str | uuid.UUID | None = None,
    pk: int | None = None,
) -> User | None:
    """The person named, if ``user`` may share with them; ``None`` otherwise, whether they
    do not exist or are out of reach."""
    if username is not None:
        named = Q(username=username)
    elif public_id is not None:
        try:
            named = Q(public_id=uuid.UUID(str(public_id)))
        except ValueError:
            named = Q(pk__in=[])
    elif pk is not None:
        named = Q(pk=pk)
    else:
        return None
    return _near(user).filter(named).distinct().first()


def may_share_with(user: User, person: User) -> bool:
    return find_sharee(user, pk=person.pk) is not None


def sharee_groups(user: User) -> QuerySet[Group]:
    """The classes and groups ``user`` may share with: their own (administrators included:
    a platform's every class is not a list to pick from)."""
    return Group.objects.filter(pk__in=list(user.group_roles()))


def find_group(user: User, public_id: str | uuid.UUID) -> Group | None:
    """The group named, if ``user`` may share with it; ``None`` otherwise, as for no group."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        wanted = None
    groups = sharee_groups(user)
    return groups.filter(public_id=wanted).first() if wanted else groups.none().first()
