"""Who may open a pad, and with what: the platform's roles, Etherpad's links and sessions."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from cartable.accounts.models import Group, User
from cartable.core.models import Grant
from cartable.core.permissions import abilities, visible
from cartable.core.roles import Reach, Role
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


def may_create_pad(user: Visitor, group: Group | None = None) -> bool:
    """Whether ``user`` may create a pad: for ``group``, a class whose members will all edit
    it, any member of it; for themselves (no group), staff only, since students write in
    their classes."""
    if not isinstance(user, User):
        return False
    if user.is_superuser:
        return True
    if group is not None:
        return group.pk in user.group_roles()
    return bool(user.is_staff_member)


def recent_pads(user: User, limit: int) -> list[Pad]:
    """The pads ``user`` may open, the last written in first."""
    return list(visible(user, Pad.objects.all()).order_by("-last_edited_at", "-created_at")[:limit])


def pad_count() -> int:
    return Pad.objects.count()


def _can(role: str, who: str) -> str:
    """ "<who> can <what the role allows>": one whole sentence to translate per role."""
    sentences = {
        Role.VIEWER: _("%(who)s can read"),
        Role.COMMENTER: _("%(who)s can read and chat"),
        Role.EDITOR: _("%(who)s can edit"),
        Role.MANAGER: _("%(who)s can edit and share"),
        Role.OWNER: _("%(who)s owns it"),
    }
    return sentences[Role(role)] % {"who": who}


def _managers_can(role: str, group: Group) -> str | None:
    """What the managers of ``group`` (a class's teachers) may do, when a grant gives them more
    than its members: a sentence of its own, its verb agreeing with a plural."""
    sentences = {
        Role.EDITOR: (
            _("The teachers of %(group)s can edit"),
            _("The managers of %(group)s can edit"),
        ),
        Role.MANAGER: (
            _("The teachers of %(group)s can edit and share"),
            _("The managers of %(group)s can edit and share"),
        ),
    }
    if role not in sentences:
        return None
    for_class, for_team = sentences[Role(role)]
    return (for_class if group.kind == "class" else for_team) % {"group": group.name}


def who_has_access(pad: Pad) -> list[str]:
    """Who may open ``pad`` now, in plain sentences, for its share screen: the same facts
    ``resolve`` reads (owner, grants, reach, Etherpad group and sessions, read-only link)."""
    lines = []
    if pad.owner is not None:
        lines.append(_can(Role.OWNER, pad.owner.get_display_name()))
    grants = (
        Grant.objects.filter(content_type=ContentType.objects.get_for_model(Pad), object_id=pad.pk)
        .select_related("user", "group")
        .order_by("group__name", "user__display_name", "pk")
    )
    shared = False
    for grant in grants:
        shared = True
        if grant.user is not None:
            lines.append(_can(grant.role, grant.user.get_display_name()))
            continue
        if grant.group is None:
            continue
        lines.append(_can(grant.role, grant.group.name))
        managers = (
            _managers_can(grant.manager_role, grant.group)
            if grant.manager_role and grant.manager_role != grant.role
            else None
        )
        if managers:
            lines.append(managers)
    reach_who: dict[str, str] = {
        Reach.LINK: _("Anyone with the edit link, even without an account,"),
        Reach.PLATFORM: _("Every signed-in staff member of the platform"),
        Reach.PUBLIC: _("Anyone (the pad is public and listed)"),
    }
    if pad.reach in reach_who:
        lines.append(_can(pad.reach_role, reach_who[pad.reach]))
    elif pad.reach == Reach.STRUCTURE:
        structure = pad.structure.name if pad.structure else ""
        who = _("Every signed-in staff member of %(structure)s") % {"structure": structure}
        lines.append(_can(pad.reach_role, who))
    if pad.pad_group_id is not None:
        shared = True
        lines.append(
            _can(Role.EDITOR, _("Whoever a site linked to Cartable (Moodle…) opens it for"))
        )
        linked = pad.pad_group.platform_group if pad.pad_group else None
        if linked is not None:
            lines.append(_can(Role.EDITOR, linked.name))
        if pad.public_status:
            lines.append(
                _can(Role.EDITOR, _("Anyone with the edit link, even without an account,"))
            )
    if pad.reach == Reach.RESTRICTED and not shared:
        lines.append(_("No one else, until you share it."))
    lines.append(_can(Role.VIEWER, _("Anyone you give the read-only link to")))
    return lines


def class_pads(user: User, group: Group, limit: int = 20) -> list[Pad]:
    """The pads of a class (made for it or shared with it) that ``user`` may open, the last
    written in first."""
    shared = Grant.objects.filter(
        content_type=ContentType.objects.get_for_model(Pad), group=group
    ).values("object_id")
    pads = Pad.objects.filter(Q(owner_group=group) | Q(pk__in=shared))
    return list(visible(user, pads).order_by("-last_edited_at", "-created_at")[:limit])
