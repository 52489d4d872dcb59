"""What other tools may use of Pad: a pad for a set of people (a meeting's notes beside the call),
and a pad as a person may see it (to embed it in a post). Tools import this module only,
never Pad's models or actions; what it returns are plain values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from cartable.accounts.models import Group, User
from cartable.core.roles import Reach, Role
from cartable.pad import actions
from cartable.pad.access import resolve
from cartable.pad.models import Pad

__all__ = ["PadView", "add_editors", "create_pad_for", "view_pad"]


@dataclass(frozen=True)
class PadView:
    pad_id: str
    title: str
    url: str
    text: str  # the pad's plain text
    can_edit: bool


def _view(pad: Pad, can_edit: bool) -> PadView:
    return PadView(
        pad_id=pad.pad_id,
        title=pad.display_title,
        url=pad.get_absolute_url(),
        text=pad.text,
        can_edit=can_edit,
    )


@transaction.atomic
def create_pad_for(
    owner: User, title: str, *, editors: Iterable[User] = (), group: Group | None = None
) -> PadView:
    """A new pad of ``owner`` that only ``editors`` (and ``group``'s members, if given) may
    open and write in."""
    pad = actions.create_pad(owner=owner, title=title, group=group, reach=Reach.RESTRICTED)
    for user in editors:
        if user.pk != owner.pk:
            actions.share_with_user(pad, user, Role.EDITOR, by=owner)
    return _view(pad, True)


@transaction.atomic
def add_editors(owner: User, pad_id: str, editors: Iterable[User]) -> None:
    """Let more people write in a pad ``owner`` may share (a latecomer to the meeting)."""
    access = resolve(owner, pad_id)
    if access is None or "share" not in access.abilities:
        raise PermissionError(pad_id)
    for user in editors:
        actions.share_with_user(access.pad, user, Role.EDITOR, by=owner)


def view_pad(user: User | None, pad_id: str) -> PadView | None:
    """The pad as ``user`` (None: an anonymous visitor) may see it; None if they may not."""
    access = resolve(user or AnonymousUser(), pad_id)
    if access is None or "view" not in access.abilities:
        return None
    return _view(access.pad, access.can_edit)
