"""Notifications: stored, pushed live to the recipient's pages, e-mailed to those who asked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cartable.core.events import send_event
from cartable.core.models import Notification
from cartable.core.tasks import email_notification


def notify(
    recipient, kind: str, title: str, *, body: str = "", url: str = "", always_email: bool = False
) -> Notification:  # type: ignore[no-untyped-def]
    """``always_email``: for what the user must not miss (a deletion warning), whatever their choice."""
    # A title made of user-chosen names (a class, a pad, a person) may hold line breaks; an
    # e-mail's subject may not.
    title = " ".join(title.split())[:300]
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title, body=body, url=url
    )
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
    send_event(
        user_ids=[recipient.pk],
        type="notification",
        title=notification.title,
        url=url,
        unread=unread,
        id=str(notification.public_id),
    )
    if recipient.email and (recipient.email_notifications or always_email):
        pk = notification.pk
        transaction.on_commit(lambda: email_notification.enqueue(pk))
    return notification


def mark_read(recipient, public_ids: list[str] | None = None) -> int:  # type: ignore[no-untyped-def]
    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if public_ids is not None:
        qs = qs.filter(public_id__in=public_ids)
    count = qs.update(read_at=timezone.now())
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
    send_event(user_ids=[recipient.pk], type="notification.read", unread=unread)
    return count
