"""Drive follows the platform: a class gets its folder when it is created, and each person's
mount table (their class folders and what is shared with them) is recomputed after anything
it depends on changes."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save

from cartable.accounts.models import Group, Membership
from cartable.accounts.signals import group_created
from cartable.core.models import Grant
from cartable.drive.actions import group_space
from cartable.drive.models import Node, Space


def create_group_space(sender: type[Group], group: Group, **kwargs: Any) -> None:
    group_space(group)


def bump_mounts(*, user_ids: list[int] | None = None, group_ids: list[int] | None = None) -> None:
    """The mount tables of these users, and of the members of these groups, are out of date."""
    query = Q(pk__in=[])
    if user_ids:
        query |= Q(user_id__in=user_ids)
    if group_ids:
        query |= Q(user__memberships__group_id__in=group_ids)
    if user_ids or group_ids:
        Space.objects.filter(query, kind=Space.Kind.PERSONAL).update(
            mounts_version=F("mounts_version") + 1
        )


def membership_saved_or_deleted(
    sender: type[Membership], instance: Membership, **kwargs: Any
) -> None:
    bump_mounts(user_ids=[instance.user_id])


def group_saved(sender: type[Group], instance: Group, created: bool, **kwargs: Any) -> None:
    # Its name is the name of its folder at its members' root.
    if not created:
        bump_mounts(group_ids=[instance.pk])


def grant_saved_or_deleted(sender: type[Grant], instance: Grant, **kwargs: Any) -> None:
    if instance.content_type_id != ContentType.objects.get_for_model(Node).pk:
        return
    if instance.user_id is not None:
        bump_mounts(user_ids=[instance.user_id])
    elif instance.group_id is not None:
        bump_mounts(group_ids=[instance.group_id])


def connect() -> None:
    group_created.connect(create_group_space, dispatch_uid="drive.create_group_space")
    for signal in (post_save, post_delete):
        signal.connect(membership_saved_or_deleted, sender=Membership, dispatch_uid="drive.m")
        signal.connect(grant_saved_or_deleted, sender=Grant, dispatch_uid="drive.grant")
    post_save.connect(group_saved, sender=Group, dispatch_uid="drive.group_saved")
