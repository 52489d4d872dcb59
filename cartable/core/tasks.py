"""Background jobs of the platform. Thin and idempotent: they take ids and call actions."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django_tasks import task

from cartable.core.models import Notification


@task()
def email_notification(notification_id: int) -> None:
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.read_at or not notification.recipient.email:
        return
    with translation.override(notification.recipient.language or settings.LANGUAGE_CODE):
        link = (
            f"{settings.BASE_URL}{notification.url}"
            if notification.url.startswith("/")
            else notification.url
        )
        send_mail(
            subject=f"[{settings.PLATFORM_NAME}] {notification.title}",
            message=f"{notification.body}\n\n{link}".strip(),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
