from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartable.core.models import TimeStamped


class Contribution(TimeStamped):
    """A suggestion sent by any user, tagged with their academy, triaged by administrators."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        STUDYING = "studying", _("Being studied")
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    class Topic(models.TextChoices):
        PLATFORM = "platform", _("The platform in general")
        TOOL = "tool", _("One of the tools")
        GUIDE = "guide", _("The guide of good practices")
        ACCESSIBILITY = "accessibility", _("Accessibility")
        OTHER = "other", _("Something else")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="contributions"
    )
    academy = models.ForeignKey(
        "accounts.Structure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(
        _("topic"), max_length=32, choices=Topic.choices, default=Topic.PLATFORM
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("your suggestion"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    answer = models.TextField(_("public answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
