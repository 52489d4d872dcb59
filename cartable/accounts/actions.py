"""Every change to identities, structures, groups and invitations goes through here."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.accounts.models import (
    AppPassword,
    Group,
    Invitation,
    Membership,
    Structure,
    User,
    domain_matches,
    normalize_code,
)
from cartable.accounts.search import index_group
from cartable.accounts.signals import group_created, membership_changed
from cartable.core import audit, limits
from cartable.core.events import send_event
from cartable.core.notifications import notify

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def is_staff_email(email: str) -> bool:
    return domain_matches(email_domain(email), settings.STAFF_EMAIL_DOMAINS)


def check_staff_email(email: str) -> None:
    if not is_staff_email(email):
        raise ValidationError(
            _(
                "Only professional addresses may create a staff account (%(domains)s). "
                "Students join their class with the code their teacher gives them."
            )
            % {"domains": _domains_shown(settings.STAFF_EMAIL_DOMAINS)},
            code="not_staff_domain",
        )


def _domains_shown(patterns: list[str]) -> str:
    # The default names every academy: a few are enough to say what is meant.
    names = [p.lstrip(".") for p in patterns]
    return ", ".join(names) if len(names) <= 4 else ", ".join([*names[:3], "…"])


def structure_for_email(email: str) -> Structure | None:
    """The most specific structure whose domains match: a school before its academy."""
    domain = email_domain(email)
    if not domain:
        return None
    candidates = [
        s
        for s in Structure.objects.exclude(email_domains="")
        if domain_matches(domain, s.domain_patterns())
    ]
    candidates.sort(key=lambda s: (s.kind != Structure.Kind.SCHOOL, s.name))
    return candidates[0] if candidates else None


def structure_for_claim(external_id: str) -> Structure | None:
    if not external_id:
        return None
    return Structure.objects.filter(external_id=external_id).order_by("-kind").first()


def unique_username(base: str) -> str:
    base = "".join(ch for ch in base.lower() if ch.isalnum() or ch in "._-")[:120] or "user"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(10_000)}"
    return candidate


@transaction.atomic
def create_staff_user(
    email: str,
    *,
    password: str | None = None,
    display_name: str = "",
    admin: bool = False,
    verified: bool = True,
    check_domain: bool = True,
) -> User:
    email = email.strip().lower()
    if check_domain:
        check_staff_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this address already exists."), code="exists")
    user = User(
        username=unique_username(email.split("@")[0]),
        email=email,
        kind=User.Kind.STAFF,
        display_name=display_name,
        structure=structure_for_email(email),
        is_staff=admin,
        is_superuser=admin,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    audit.record(None, "user.create", email, admin=admin)
    return user


# --- Groups -----------------------------------------------------------------------------


def check_can_create_group(user: Visitor) -> None:
    if not (user.is_authenticated and (user.is_staff_member or user.is_superuser)):
        raise PermissionDenied(_("Only staff members can create classes and groups."))


@transaction.atomic
def create_group(
    owner: User, name: str, *, kind: str = Group.Kind.CLASS, description: str = ""
) -> Group:
    check_can_create_group(owner)
    name = name.strip()
    if not name:
        raise ValidationError(_("A group needs a name."), code="required")
    group = Group.objects.create(
        name=name[:150],
        kind=kind,
        description=description,
        structure=owner.structure,
        school_year=current_school_year(),
    )
    Membership.objects.create(group=group, user=owner, role=Membership.Role.OWNER)
    owner.forget_group_roles()
    _index(group)
    group_created.send(sender=Group, group=group, created_by=owner)
    audit.record(owner, "group.create", group.name)
    return group


def _index(group: Group) -> None:
    index_group(group)


@transaction.atomic
def update_group(group: Group, *, by: User, name: str, description: str) -> Group:
    check_manage_group(by, group)
    name = name.strip()
    if not name:
        raise ValidationError(_("A group needs a name."), code="required")
    group.name = name[:150]
    group.description = description
    group.save(update_fields=["name", "description", "updated_at"])
    _index(group)
    return group


@transaction.atomic
def archive_group(group: Group, *, by: User, archived: bool = True) -> Group:
    """An archived class keeps its members and contents but leaves dashboards and invitations."""
    check_manage_group(by, group)
    group.archived_at = timezone.now() if archived else None
    group.save(update_fields=["archived_at", "updated_at"])
    if archived:
        group.invitations.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(by, "group.archive" if archived else "group.unarchive", group.name)
    return group


def current_school_year() -> str:
    today = timezone.localdate()
    start = today.year if today.month >= 8 else today.year - 1
    return f"{start}-{start + 1}"


def group_role(user: Visitor, group: Group) -> str | None:
    if not user.is_authenticated:
        return None
    return user.group_roles().get(group.pk)


def check_manage_group(user: Visitor, group: Group) -> None:
    if not (
        user.is_superuser
        or group_role(user, group) in (Membership.Role.OWNER, Membership.Role.MANAGER)
    ):
        raise PermissionDenied(_("You cannot manage this group."))


@transaction.atomic
def set_member(group: Group, user: User, role: str, *, by: User | None) -> Membership:
    if by is not None:
        check_manage_group(by, group)
        if (
            role == Membership.Role.OWNER
            and group_role(by, group) != Membership.Role.OWNER
            and not by.is_superuser
        ):
            raise PermissionDenied(_("Only an owner can make another owner."))
    if user.is_student and role != Membership.Role.MEMBER:
        raise ValidationError(_("A student can only be a member of a class."), code="student_role")
    membership, _created = Membership.objects.update_or_create(
        group=group, user=user, defaults={"role": role}
    )
    user.forget_group_roles()
    membership_changed.send(sender=Group, group=group, user=user, role=role)
    send_event(user_ids=[user.pk], type="group.joined", group=str(group.public_id), name=group.name)
    return membership


@transaction.atomic
def add_co_teacher(group: Group, email: str, *, by: User) -> Membership:
    check_manage_group(by, group)
    teacher = User.objects.filter(
        email__iexact=email.strip(), kind=User.Kind.STAFF, is_active=True
    ).first()
    if teacher is None:
        raise ValidationError(
            _("No staff member has this address on the platform yet."), code="unknown"
        )
    membership = set_member(group, teacher, Membership.Role.MANAGER, by=by)
    notify(
        teacher,
        "group.co_teacher",
        _("%(name)s added you to %(group)s") % {"name": by, "group": group.name},
        url=group.get_absolute_url(),
    )
    return membership


@transaction.atomic
def remove_member(group: Group, user: User, *, by: User) -> None:
    if by.pk != user.pk:
        check_manage_group(by, group)
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None:
        return
    if (
        membership.role == Membership.Role.OWNER
        and not group.memberships.filter(role=Membership.Role.OWNER).exclude(user=user).exists()
    ):
        raise ValidationError(_("A group must keep at least one owner."), code="last_owner")
    membership.delete()
    user.forget_group_roles()
    membership_changed.send(sender=Group, group=group, user=user, role=None)
    send_event(user_ids=[user.pk], type="group.left", group=str(group.public_id), name=group.name)


@transaction.atomic
def create_invitation(
    group: Group, *, by: User, days: int | None = None, max_uses: int = 40
) -> Invitation:
    check_manage_group(by, group)
    if not 1 <= max_uses <= 1000:
        raise ValidationError(_("The member limit must be between 1 and 1000."), code="max_uses")
    days = days or settings.INVITATION_DAYS
    if not 1 <= days <= 365:
        raise ValidationError(_("An invitation lasts between 1 and 365 days."), code="days")
    return Invitation.objects.create(
        group=group,
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
        max_uses=max_uses,
    )


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: User) -> None:
    check_manage_group(by, invitation.group)
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def find_invitation(code: str, *, request: HttpRequest | None = None) -> Invitation:
    """The usable invitation of a code as typed. With ``request``, a wrong code counts against
    the limiter, by code and by address block (ValidationError "limited" past the limit)."""
    normalized = normalize_code(code)
    attempt = None
    if request is not None:
        try:
            attempt = limits.check_attempt("join_code", key=normalized, request=request)
        except limits.Limited as refusal:
            raise ValidationError(refusal.message, code="limited") from None
    # As typed too: a code made by hand (the demo's DEMO4EB1) may hold an O, I or L.
    typed = "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())[:32]
    invitation = (
        Invitation.objects.select_related("group").filter(code__in={normalized, typed}).first()
        if normalized
        else None
    )
    if invitation is None or not invitation.is_usable:
        raise ValidationError(
            _(
                "This code is unknown, expired, revoked or its class is full. Ask your teacher for a new one."
            ),
            code="bad_code",
        )
    if attempt is not None:
        attempt.succeeded()
    return invitation


def _consume(invitation: Invitation) -> None:
    # The conditional update makes two simultaneous joins unable to pass the limit.
    updated = Invitation.objects.filter(
        pk=invitation.pk, uses__lt=F("max_uses"), revoked_at__isnull=True
    ).update(uses=F("uses") + 1)
    if not updated:
        raise ValidationError(
            _("This class is full. Ask your teacher for a new code."), code="full"
        )


@transaction.atomic
def join_as_new_student(code: str, *, username: str, password: str, display_name: str) -> User:
    invitation = find_invitation(code)
    username = username.strip()
    if (
        not username
        or not all(ch.isalnum() or ch in "._-" for ch in username)
        or len(username) > 60
    ):
        raise ValidationError(
            _("Choose a user name of letters, digits, dots, dashes or underscores."),
            code="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        # Whose name it is stays unsaid: the newcomer gets a free one like it, and is shown
        # it on arrival, as everyone is.
        username = unique_username(username)
    student = User(
        username=username,
        kind=User.Kind.STUDENT,
        display_name=display_name.strip()[:150] or username,
        structure=invitation.group.structure,
        created_by=invitation.created_by,
    )
    validate_password(password, student)
    student.set_password(password)
    student.save()
    _consume(invitation)
    Membership.objects.create(group=invitation.group, user=student, role=Membership.Role.MEMBER)
    membership_changed.send(
        sender=Group, group=invitation.group, user=student, role=Membership.Role.MEMBER
    )
    audit.record(student, "group.join", invitation.group, code=invitation.code)
    _tell_managers_of_join(invitation.group, student)
    return student


@transaction.atomic
def join_with_code(user: User, code: str) -> Group:
    invitation = find_invitation(code)
    group = invitation.group
    if group_role(user, group):
        return group
    _consume(invitation)
    Membership.objects.create(group=group, user=user, role=Membership.Role.MEMBER)
    user.forget_group_roles()
    membership_changed.send(sender=Group, group=group, user=user, role=Membership.Role.MEMBER)
    send_event(user_ids=[user.pk], type="group.joined", group=str(group.public_id), name=group.name)
    audit.record(user, "group.join", group, code=invitation.code)
    _tell_managers_of_join(group, user)
    return group


def _tell_managers_of_join(group: Group, newcomer: User) -> None:
    managers = list(
        group.memberships.filter(
            role__in=[Membership.Role.OWNER, Membership.Role.MANAGER]
        ).values_list("user_id", flat=True)
    )
    send_event(
        user_ids=managers,
        type="group.member_joined",
        group=str(group.public_id),
        name=str(newcomer),
    )


@transaction.atomic
def reset_student_password(student: User, password: str, *, by: User) -> None:
    """A teacher of one of the student's classes sets a new password (students have no e-mail)."""
    if not student.is_student:
        raise PermissionDenied(_("Only a student's password can be reset this way."))
    shared = set(student.group_roles()) & {
        g for g, r in by.group_roles().items() if r in ("owner", "manager")
    }
    if not shared and not by.is_superuser:
        raise PermissionDenied(_("You do not teach this student."))
    validate_password(password, student)
    student.set_password(password)
    student.save(update_fields=["password"])
    audit.record(by, "student.password_reset", student.username)


# --- App passwords ----------------------------------------------------------------------

APP_PASSWORD_PREFIX_LENGTH = 8


@transaction.atomic
def create_app_password(
    user: User, name: str, *, request: HttpRequest | None = None
) -> tuple[AppPassword, str]:
    name = name.strip()[:100] or _("Unnamed device")
    # Five groups of five, like Nextcloud's, easy to type on a phone.
    clear = "-".join(secrets.token_hex(3)[:5] for _ in range(5))
    app_password = AppPassword.objects.create(
        user=user,
        name=name,
        prefix=clear[:APP_PASSWORD_PREFIX_LENGTH],
        password_hash=make_password(clear),
    )
    audit.record(user, "app_password.create", name, request=request)
    return app_password, clear


def authenticate_app_password(login: str, password: str) -> User | None:
    """The active user for a login (user name or e-mail) and one of its app passwords."""
    login = login.strip()
    user = User.objects.filter(is_active=True).filter(username__iexact=login).first() or (
        User.objects.filter(is_active=True, email__iexact=login).first() if "@" in login else None
    )
    if user is None or len(password) < APP_PASSWORD_PREFIX_LENGTH:
        return None
    for candidate in AppPassword.objects.filter(
        user=user, prefix=password[:APP_PASSWORD_PREFIX_LENGTH]
    ):
        if check_password(password, candidate.password_hash):
            AppPassword.objects.filter(pk=candidate.pk).update(last_used_at=timezone.now())
            return user
    return None


@transaction.atomic
def revoke_app_password(
    user: User, public_id: str | UUID, *, request: HttpRequest | None = None
) -> None:
    deleted, _detail = AppPassword.objects.filter(user=user, public_id=public_id).delete()
    if deleted:
        audit.record(user, "app_password.revoke", str(public_id), request=request)


# --- Profile ----------------------------------------------------------------------------


@transaction.atomic
def update_profile(
    user: User,
    *,
    display_name: str,
    language: str,
    email_notifications: bool,
    avatar: File | None = None,
    clear_avatar: bool = False,
) -> User:
    user.display_name = display_name.strip()[:150]
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."), code="language")
    user.language = language
    user.email_notifications = email_notifications
    if clear_avatar and user.avatar:
        user.avatar.delete(save=False)
    if avatar is not None:
        user.avatar = avatar
    user.save()
    return user
