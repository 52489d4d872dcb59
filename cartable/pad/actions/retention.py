"""Pads nobody touched for ``CARTABLE_PAD_RETENTION_DAYS`` are deleted — after their owner was
warned by e-mail 30 and 7 days before, with a link to export them. Any edit resets the count."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cartable.core.notifications import notify
from cartable.pad.actions import delete_pad
from cartable.pad.models import Pad

WARNINGS = (30, 7)


def _untouched_since(cutoff):  # type: ignore[no-untyped-def]
    return Pad.objects.annotate(touched=Coalesce("last_edited_at", "created_at")).filter(
        touched__lt=cutoff
    )


def _warn(pad: Pad, days: int) -> None:
    owner = pad.owner
    if owner is not None and owner.is_active:
        with override(owner.language or settings.LANGUAGE_CODE):
            export = reverse("pad:export", args=[pad.pad_id, "html"])
            notify(
                owner,
                "pad.retention",
                _("The pad “%(title)s” will be deleted in %(days)s days")
                % {"title": pad.display_title, "days": days},
                body=_(
                    "Nobody has written in it for a long time. Open it to keep it, or export it first: %(url)s"
                )
                % {"url": f"{settings.BASE_URL}{export}"},
                url=pad.get_absolute_url(),
                always_email=True,
            )
    Pad.objects.filter(pk=pad.pk).update(retention_warning=days, retention_warned_at=timezone.now())


def run() -> int:
    """Move each pad one step: first warning, last warning, deletion. Returns deletions."""
    days = settings.PAD_RETENTION_DAYS
    if days <= 0:
        return 0
    now = timezone.now()
    first, last = WARNINGS
    deleted = 0
    # Deleted only a full week after the last warning went out, whatever happened before.
    for pad in (
        _untouched_since(now - timedelta(days=days))
        .filter(retention_warning=last, retention_warned_at__lte=now - timedelta(days=last))
        .iterator()
    ):
        delete_pad(pad)
        deleted += 1
    for pad in (
        _untouched_since(now - timedelta(days=days - last))
        .filter(retention_warning=first)
        .select_related("owner")
    ):
        _warn(pad, last)
    for pad in (
        _untouched_since(now - timedelta(days=days - first))
        .filter(retention_warning=0)
        .select_related("owner")
    ):
        _warn(pad, first)
    return deleted
