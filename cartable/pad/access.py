"""Who may open a pad, and with what: the platform's roles, Etherpad's links and sessions."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cartable.accounts.models import User
from cartable.core.permissions import abilities, visible
from cartable.core.roles import Role
from cartable.pad.models import PAD_ABILITIES, Pad, PadGroup, PadSession

if TYPE_CHECKING:
    from cartable.core.types import Visitor


@dataclass(frozen=True)
class PadAccess:
    pad: Pad
    abilities: frozenset[str]
    readonly_link: bool = False
    session_author_pk: int | None = None

    @property
    def can_edit(self) -> bool:
        return "edit" in self.abilities

    def __contains__(self, action: str) -> bool:
        return action in self.abilities


def _session_author(pad: Pad, session_ids: Iterable[str]) -> int | None:
    """The author of a valid Etherpad API session on the pad's group, if any."""
    ids = [s for s in session_ids if s]
    if not ids or pad.pad_group_id is None:
        return None
    session = (
        PadSession.objects.filter(
            session_id__in=ids, pad_group_id=pad.pad_group_id, valid_until__gt=int(time.time())
        )
        .only("author_id")
        .first()
    )
    return session.author_id if session else None


def resolve(user: Visitor, pad_id: str, *, session_ids: Iterable[str] = ()) -> PadAccess | None:
    """What ``user`` may do on the pad named by ``pad_id`` (its id or its read-only id)."""
    if pad_id.startswith("r."):
        pad = Pad.objects.filter(readonly_id=pad_id).select_related("structure").first()
        if pad is None:
            return None
        # The read-only link is a capability: whoever holds it reads, and nothing more.
        return PadAccess(pad, PAD_ABILITIES[Role.VIEWER], readonly_link=True)
    pad = Pad.objects.filter(pad_id=pad_id).select_related("structure").first()
    if pad is None:
        return None
    allowed = abilities(user, pad, PAD_ABILITIES, link_token=pad_id)
    session_author = None
    if pad.pad_group_id is not None:
        session_author = _session_author(pad, session_ids)
        if pad.public_status or session_author is not None:
            allowed = allowed | PAD_ABILITIES[Role.EDITOR]
        if user.is_authenticated:
            linked_pk = (
                PadGroup.objects.filter(pk=pad.pad_group_id)
                .values_list("platform_group_id", flat=True)
                .first()
            )
            if linked_pk is not None and linked_pk in user.group_roles():
                allowed = allowed | PAD_ABILITIES[Role.EDITOR]
    if not allowed:
        return None
    return PadAccess(pad, allowed, session_author_pk=session_author)


def access_pad(
    user: Visitor, pad_id: str, need: str = "view", *, session_ids: Iterable[str] = ()
) -> PadAccess:
    access = resolve(user, pad_id, session_ids=session_ids)
    if access is None:
        raise Http404
    if need not in access.abilities:
        raise PermissionDenied
    return access


def recent_pads(user: User, limit: int) -> list[Pad]:
    """The pads ``user`` may open, the last written in first."""
    return list(visible(user, Pad.objects.all()).order_by("-last_edited_at", "-created_at")[:limit])


def pad_count() -> int:
    return Pad.objects.count()
