"""Sharing files and folders: with a user, with a class or group, or by a public link.

User and group shares are :class:`cartable.core.models.Grant` rows on the node; public links
are :class:`cartable.drive.models.ShareLink` rows. Whoever shares needs the "share" ability
on the node and can never give more than their own role; a manager role is only given on
folders; a file drop (upload only, uploaders see only their own files) only on folders.
Called by the browser pages and by the Nextcloud share API alike.
"""

from __future__ import annotations

import secrets
import string
import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.accounts import sharees as sharees_rule
from cartable.accounts.models import Group, Membership, User
from cartable.core.models import Grant
from cartable.core.notifications import notify
from cartable.core.roles import ROLE_VALUES, Role
from cartable.drive.access import abilities, check
from cartable.drive.errors import Forbidden, InvalidName, NotFound
from cartable.drive.models import Activity, Node, ShareLink

LINK_TOKEN_ALPHABET = string.ascii_letters + string.digits
LINK_TOKEN_LENGTH = 20

# The roles a share may give; owner is never given.
SHAREABLE_ROLES = (Role.VIEWER, Role.EDITOR, Role.MANAGER)


def node_type() -> ContentType:
    return ContentType.objects.get_for_model(Node)


def own_role(user: User, node: Node) -> Role | None:
    """The highest role ``user`` may hand on, read from what they may do on ``node``."""
    can = abilities(user, node)
    if "manage" in can:
        return Role.MANAGER
    if "edit" in can:
        return Role.EDITOR
    if "view" in can:
        return Role.VIEWER
    return None


def _rank(role: str) -> int:
    return ROLE_VALUES.index(role)


def check_share(user: User, node: Node, role: str) -> None:
    """May ``user`` give ``role`` on ``node``? Raises Forbidden, NotFound or InvalidName."""
    check(user, node, "share")
    if role not in SHAREABLE_ROLES:
        raise InvalidName(_("This role cannot be given."))
    if role == Role.MANAGER and not node.is_folder:
        raise InvalidName(_("Only a folder can be shared with the manager role."))
    mine = own_role(user, node)
    if mine is None or _rank(role) > _rank(mine):
        raise Forbidden(_("You cannot give more rights than you have."))


def _activity(node: Node, by: User, verb: str, **data: Any) -> None:
    Activity.objects.create(
        space=node.space,
        node=node,
        folder=node if node.is_root else node.parent,
        actor=by,
        actor_label=by.get_display_name() if by is not None else "",
        verb=verb,
        path=node.path,
        data=data,
    )


def _tell(recipients: list[User], node: Node, by: User) -> None:
    title = _("%(name)s shared “%(item)s” with you") % {
        "name": by.get_display_name(),
        "item": node.name,
    }
    for recipient in recipients:
        if recipient.pk != by.pk and recipient.is_active:
            notify(recipient, "drive.shared", title, url=node.get_absolute_url())


def unknown_person() -> NotFound:
    """The one answer for a person one may not share with, and for nobody at all."""
    return NotFound(_("Nobody of your school or classes matches this name."))


def check_sharee(by: User, user: User, node: Node) -> None:
    """May ``by`` share ``node`` with ``user``? The rule of ``accounts.sharees``, on every path."""
    if user.pk == by.pk or user.pk == node.owner_id:
        raise InvalidName(_("You cannot share an item with its owner or yourself."))
    if not sharees_rule.may_share_with(by, user):
        raise unknown_person()


def find_sharee(
    by: User, *, username: str | None = None, public_id: str | uuid.UUID | None = None
) -> User:
    """The person named, if ``by`` may share with them; the same NotFound otherwise."""
    person = sharees_rule.find_sharee(by, username=username, public_id=public_id)
    if person is None:
        raise unknown_person()
    return person


def find_group(by: User, public_id: str | uuid.UUID) -> Group:
    """The class or group named, if ``by`` may share with it; the same NotFound otherwise."""
    group = sharees_rule.find_group(by, public_id)
    if group is None:
        raise NotFound(_("You can only share with your own classes and groups."))
    return group


@transaction.atomic
def share_with_user(node: Node, user: User, role: str, *, by: User) -> Grant:
    """Gives (or changes) ``user``'s role on ``node``."""
    check_share(by, node, role)
    check_sharee(by, user, node)
    grant, created = Grant.objects.update_or_create(
        content_type=node_type(),
        object_id=node.pk,
        user=user,
        defaults={"role": role, "granted_by": by},
    )
    _activity(node, by, Activity.Verb.SHARED, user=user.username, role=role)
    if created:
        _tell([user], node, by)
    return grant


def check_group_share(by: User, group: Group) -> None:
    """One shares with the classes and groups one belongs to."""
    if sharees_rule.find_group(by, group.public_id) is None:
        raise NotFound(_("You can only share with your own classes and groups."))


@transaction.atomic
def share_with_group(node: Node, group: Group, role: str, *, by: User) -> Grant:
    """Gives (or changes) the role of every member of ``group`` on ``node``."""
    check_share(by, node, role)
    check_group_share(by, group)
    grant, created = Grant.objects.update_or_create(
        content_type=node_type(),
        object_id=node.pk,
        group=group,
        defaults={"role": role, "granted_by": by},
    )
    _activity(node, by, Activity.Verb.SHARED, group=str(group.public_id), role=role)
    if created:
        members = list(
            User.objects.filter(memberships__group=group, is_active=True).exclude(pk=by.pk)
        )
        _tell(members, node, by)
    return grant


@transaction.atomic
def update_grant(grant: Grant, role: str, *, by: User) -> Grant:
    node = _node_of(grant)
    check_share(by, node, role)
    grant.role = role
    grant.save(update_fields=["role", "updated_at"])
    _activity(node, by, Activity.Verb.SHARED, role=role)
    return grant


def _node_of(grant: Grant) -> Node:
    if grant.content_type_id != node_type().pk:
        raise NotFound(_("This share does not exist."))
    node = Node.objects.filter(pk=grant.object_id, trashed=False).first()
    if node is None:
        raise NotFound(_("This share does not exist."))
    return node


def _new_token() -> str:
    return "".join(secrets.choice(LINK_TOKEN_ALPHABET) for _ in range(LINK_TOKEN_LENGTH))


def check_link_password(password: str, by: User) -> None:
    """A link's password must resist guessing: the rules of account passwords (Django's
    validators: length, common passwords, all digits, likeness to the sharer's name)."""
    try:
        validate_password(password, by)
    except ValidationError as exc:
        raise InvalidName(
            _("Choose a stronger password for this link: %(reasons)s")
            % {"reasons": " ".join(exc.messages)}
        ) from None


def _check_link(by: User, node: Node, role: str, file_drop: bool) -> None:
    if file_drop and not node.is_folder:
        raise InvalidName(_("Only a folder can receive files by a link."))
    if role == Role.MANAGER:
        raise InvalidName(_("A link cannot give the manager role."))
    # Uploading through a link (file drop or editor) needs the right to add files oneself.
    check_share(by, node, Role.EDITOR if file_drop else role)


@transaction.atomic
def create_link(
    node: Node,
    *,
    by: User,
    role: str = Role.VIEWER,
    file_drop: bool = False,
    password: str = "",
    expires_at: datetime | None = None,
    label: str = "",
    hide_download: bool = False,
) -> ShareLink:
    """A public link; ``file_drop`` makes it upload-only (the role is then editor)."""
    if file_drop:
        role = Role.EDITOR
    _check_link(by, node, role, file_drop)
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidName(_("The expiry date must be in the future."))
    if password:
        check_link_password(password, by)
    link = ShareLink.objects.create(
        node=node,
        token=_new_token(),
        label=label.strip()[:200],
        created_by=by,
        role=role,
        file_drop=file_drop,
        hide_download=hide_download,
        password=make_password(password) if password else "",
        expires_at=expires_at,
    )
    _activity(node, by, Activity.Verb.SHARED, link=str(link.public_id), role=role)
    return link


_UNSET: Any = object()


@transaction.atomic
def update_link(
    link: ShareLink,
    *,
    by: User,
    role: str | None = None,
    file_drop: bool | None = None,
    password: str | None = None,
    expires_at: datetime | None = _UNSET,
    label: str | None = None,
    hide_download: bool | None = None,
) -> ShareLink:
    """Changes what is given; ``password=""`` removes the password, ``expires_at=None`` the
    expiry date; arguments left out stay as they are."""
    node = link.node
    file_drop = link.file_drop if file_drop is None else file_drop
    role = link.role if role is None else role
    if file_drop:
        role = Role.EDITOR
    _check_link(by, node, role, file_drop)
    link.role, link.file_drop = role, file_drop
    if password:
        check_link_password(password, by)
    if password is not None:
        link.password = make_password(password) if password else ""
    if expires_at is not _UNSET:
        if expires_at is not None and expires_at <= timezone.now():
            raise InvalidName(_("The expiry date must be in the future."))
        link.expires_at = expires_at
    if label is not None:
        link.label = label.strip()[:200]
    if hide_download is not None:
        link.hide_download = hide_download
    link.save()
    return link


@transaction.atomic
def unshare(share: Grant | ShareLink, *, by: User) -> None:
    """Ends a share: those who may share the node, or the person it was given to."""
    if isinstance(share, ShareLink):
        node = share.node
        check(by, node, "share")
        _activity(node, by, Activity.Verb.UNSHARED, link=str(share.public_id))
        share.delete()
        return
    node = _node_of(share)
    if share.user_id != by.pk:
        check(by, node, "share")
    _activity(
        node,
        by,
        Activity.Verb.UNSHARED,
        **({"user": share.user.username} if share.user else {"group": str(share.group.public_id)}),  # type: ignore[union-attr]
    )
    share.delete()


def grants_of(node: Node) -> list[Grant]:
    return list(
        Grant.objects.filter(content_type=node_type(), object_id=node.pk).select_related(
            "user", "group", "granted_by"
        )
    )


def received(user: User) -> list[Grant]:
    """The shares given to ``user``, directly or through one of their groups."""
    groups = list(Membership.objects.filter(user=user).values_list("group_id", flat=True))
    return list(
        Grant.objects.filter(content_type=node_type())
        .filter(Q(user=user) | Q(group_id__in=groups))
        .select_related("user", "group", "granted_by")
        .order_by("pk")
    )


def sharees(user: User, query: str, limit: int = 20) -> list[User]:
    """Whom ``user`` may share with, matched on name or e-mail address (``accounts.sharees``)."""
    return sharees_rule.sharees(user, query, limit)


def sharee_groups(user: User) -> QuerySet[Group]:
    """The classes and groups ``user`` may share with (``accounts.sharees``)."""
    return sharees_rule.sharee_groups(user)
