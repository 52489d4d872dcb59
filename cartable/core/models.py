from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartable.core.roles import Reach, Role


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Shareable(TimeStamped):
    """What every shareable thing of every tool carries: an owner, a reach, a link.

    Grants to users and groups live in :class:`Grant`; :mod:`cartable.core.permissions`
    combines the two into a role.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_group = models.ForeignKey(
        "accounts.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    structure = models.ForeignKey(
        "accounts.Structure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reach = models.CharField(max_length=16, choices=Reach.choices, default=Reach.RESTRICTED)
    reach_role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    link_token = models.CharField(max_length=64, blank=True, db_index=True)
    link_password = models.CharField(max_length=256, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Grant(TimeStamped):
    """A role given on one thing to one user or to the members of one group."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    group = models.ForeignKey(
        "accounts.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="grants"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    # For a group grant: the role of the group's managers and owners, when it differs.
    manager_role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(group__isnull=True))
                | (models.Q(user__isnull=True) & models.Q(group__isnull=False)),
                name="grant_has_one_grantee",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="one_grant_per_user"
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "group"], name="one_grant_per_group"
            ),
        ]

    def __str__(self) -> str:
        who = self.user or self.group
        return f"{who} → {self.role} on {self.content_type.model} {self.object_id}"


class AuditEntry(models.Model):
    """A security-relevant or administrative action. Append-only."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"


class Notification(TimeStamped):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class SearchDocument(models.Model):
    """One searchable thing, indexed by full text (FTS5 on SQLite, tsvector on PostgreSQL).

    The index only finds candidates; the provider named by ``provider`` decides who may see them.
    """

    provider = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    owner_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "key"], name="one_document_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.key}"


class ScheduledRun(models.Model):
    """When a periodic job last ran, so that N workers enqueue it once."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class DataExport(TimeStamped):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField(max_length=300, blank=True)
    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.public_id} ({self.status})"


class DailyActivity(models.Model):
    """That a user was active on a day: the daily-active-users statistic, nothing more."""

    day = models.DateField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "user"], name="one_activity_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id}"
