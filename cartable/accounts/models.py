from __future__ import annotations

import fnmatch
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cartable.core.models import TimeStamped

# Crockford's base32: no I, L, O or U, and what a pupil types for them is read as meant.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 16 symbols of 5 bits: 80 bits. Guessing is limited per address block (30 wrong codes in 10
# minutes by default): an attacker holding 65 536 blocks (a whole IPv6 /48), guessing day and
# night among a million live codes, has about one chance in ten million a year of a hit; with
# 60 bits it would be one in eleven. See docs/security/limits.md.
CODE_LENGTH = 16
_TYPED_AS = str.maketrans("OIL", "011")


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(typed: str) -> str:
    """A code as typed: in any case, with or without dashes and spaces, O for 0, I or L for 1.
    (Codes made before Crockford's alphabet hold none of O, I, L: they read the same.)"""
    kept = "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())
    return kept.translate(_TYPED_AS)[:32]


class Structure(TimeStamped):
    class Kind(models.TextChoices):
        ACADEMY = "academy", _("Academy")
        SCHOOL = "school", _("School")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # E-mail domain patterns, comma-separated, matched by domain_matches: ".ac-lyon.fr" (the
    # domain and its subdomains), "clg-moulin.ac-lyon.fr", "*.ac-lyon.fr" (one label).
    email_domains = models.CharField(_("e-mail domains"), max_length=500, blank=True)
    # Identifier carried by SSO claims (an academy code, a school's UAI).
    external_id = models.CharField(
        _("external identifier"), max_length=64, blank=True, db_index=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def domain_patterns(self) -> list[str]:
        return [d.strip().lower() for d in self.email_domains.split(",") if d.strip()]

    def lineage_ids(self) -> list[int]:
        ids = [self.pk]
        if self.parent_id:
            ids.append(self.parent_id)
        return ids

    def is_within(self, structure_id: int) -> bool:
        return structure_id in self.lineage_ids()

    @cached_property
    def academy(self) -> Structure:
        return self.parent if self.parent_id and self.parent else self


def domain_matches(domain: str, patterns: list[str]) -> bool:
    """Whether ``domain`` matches a pattern, label by label (docs/configuration.md).

    ``*`` stands for any part of one label and never for a dot: ``ac-*.fr`` matches
    ``ac-lyon.fr``, not ``ac-1.attacker.fr``. A leading dot stands for the domain and all its
    subdomains, as in Django's ``ALLOWED_HOSTS``: ``.ac-lyon.fr`` matches ``ac-lyon.fr`` and
    ``clg.ac-lyon.fr``. (fnmatch on the whole name let ``*`` match dots, so that anyone owning
    a ``.fr`` domain could sign up as staff.)
    """
    labels = domain.strip().lower().rstrip(".").split(".")
    if not all(labels):
        return False
    for pattern in patterns:
        pattern = pattern.strip().lower().rstrip(".")
        if pattern.startswith("."):
            wanted = pattern[1:].split(".")
            if len(labels) >= len(wanted) and _labels_match(labels[-len(wanted) :], wanted):
                return True
        elif pattern and _labels_match(labels, pattern.split(".")):
            return True
    return False


def _labels_match(labels: list[str], wanted: list[str]) -> bool:
    return len(labels) == len(wanted) and all(
        fnmatch.fnmatchcase(label, pattern) for label, pattern in zip(labels, wanted, strict=True)
    )


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff member")
        STUDENT = "student", _("Student")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("school or academy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    email_notifications = models.BooleanField(_("send my notifications by e-mail"), default=True)
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.get_display_name()

    def get_display_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF

    @property
    def is_student(self) -> bool:
        return self.kind == self.Kind.STUDENT

    def group_roles(self) -> dict[int, str]:
        """``{group id: role}`` for every group the user belongs to, cached per instance."""
        cache: dict[int, str] | None = getattr(self, "_group_roles", None)
        if cache is None:
            cache = dict(Membership.objects.filter(user=self).values_list("group_id", "role"))
            self._group_roles = cache
        return cache

    def forget_group_roles(self) -> None:
        self.__dict__.pop("_group_roles", None)


def display_name(user: User) -> str:
    return user.get_display_name()


class Group(TimeStamped):
    class Kind(models.TextChoices):
        CLASS = "class", _("Class")
        TEAM = "team", _("Team")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CLASS)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    structure = models.ForeignKey(
        Structure, on_delete=models.SET_NULL, null=True, blank=True, related_name="groups"
    )
    school_year = models.CharField(_("school year"), max_length=9, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:group", args=[self.public_id])


class Membership(TimeStamped):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"


class Invitation(TimeStamped):
    """A code or link that lets students join a class, until it expires, is revoked or is full."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(max_length=16, unique=True, default=new_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField(default=40)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} → {self.group}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:join", args=[self.code])

    @property
    def display_code(self) -> str:
        """The code in groups of four, as people read and type it."""
        if len(self.code) != CODE_LENGTH:
            return self.code
        return "-".join(self.code[i : i + 4] for i in range(0, CODE_LENGTH, 4))

    @property
    def is_usable(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and self.uses < self.max_uses
        )


class AppPassword(TimeStamped):
    """A per-device password for WebDAV clients and APIs; only its hash is kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_passwords"
    )
    name = models.CharField(_("device name"), max_length=100)
    # The first characters, stored in clear to find the row without scanning every hash.
    prefix = models.CharField(max_length=12, db_index=True)
    password_hash = models.CharField(max_length=256)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class LoginFlow(TimeStamped):
    """A device asking for an app password through the Nextcloud login flow (v1 or v2).

    The device opens ``login_token``'s page in a browser, where the user signs in and
    grants access; a v2 device polls with a second token, of which only the hash is kept.
    The app password of a v2 flow is made when the device collects it, so that it never
    rests in the database, not even encrypted. Flows expire after twenty minutes.
    """

    class Kind(models.TextChoices):
        V1 = "v1", "v1"
        V2 = "v2", "v2"

    kind = models.CharField(max_length=2, choices=Kind.choices, default=Kind.V2)
    login_token = models.CharField(max_length=64, unique=True)
    # SHA-256 of the poll token (v2 only): random and long, so no slow hash is needed.
    poll_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    user_agent = models.CharField(max_length=255, blank=True)
    client_name = models.CharField(max_length=100)
    # The address the device asked from: shown on the page where the user grants access, the
    # one thing there the device could not make up.
    started_from = models.GenericIPAddressField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="login_flows",
    )
    granted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"login flow {self.kind} for {self.client_name}"

    @property
    def is_usable(self) -> bool:
        return self.expires_at > timezone.now()
