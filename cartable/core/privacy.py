"""Privacy: "download my data", "delete my account", and the daily retention purge."""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from cartable.core import audit
from cartable.core.models import AuditEntry, DailyActivity, DataExport, Notification
from cartable.core.notifications import notify
from cartable.core.registry import PersonalData, RetentionRule, registry

if TYPE_CHECKING:
    from cartable.accounts.models import User

logger = logging.getLogger(__name__)


# --- Download my data --------------------------------------------------------------------


@transaction.atomic
def request_export(user: User) -> DataExport:
    pending = DataExport.objects.filter(user=user, status=DataExport.Status.PENDING).first()
    if pending:
        return pending
    export = DataExport.objects.create(user=user)
    audit.record(user, "privacy.export_requested")
    pk = export.pk
    transaction.on_commit(lambda: build_export.enqueue(pk))
    return export


def export_path(export: DataExport) -> str:
    return f"exports/{export.user_id}/{export.public_id}.zip"


def _prefixed(add: Callable[[str, Any], None], prefix: str) -> Callable[[str, Any], None]:
    return lambda name, content: add(f"{prefix}/{name}", content)


@task()
def build_export(export_id: int) -> None:
    """Write the zip on local disk first, then hand it to storage: a crash leaves no half file."""
    export = (
        DataExport.objects.select_related("user")
        .filter(pk=export_id, status=DataExport.Status.PENDING)
        .first()
    )
    if export is None:
        return
    user = export.user
    try:
        with tempfile.TemporaryDirectory() as tmp:
            zip_path = Path(tmp) / "export.zip"
            with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:

                def add(name: str, content: Any) -> None:
                    if isinstance(content, str):
                        content = content.encode("utf-8")
                    if isinstance(content, bytes):
                        archive.writestr(name, content)
                        return
                    with archive.open(name, "w", force_zip64=True) as target:
                        for chunk in content:
                            target.write(chunk)

                for handler in registry.ordered_personal_data():
                    handler.export(user, _prefixed(add, handler.key))
                add(
                    "README.txt",
                    _("Your data on %(platform)s, exported on %(date)s.\n")
                    % {
                        "platform": settings.PLATFORM_NAME,
                        "date": timezone.now().isoformat(timespec="seconds"),
                    },
                )
            name = export_path(export)
            with zip_path.open("rb") as fh:
                stored = default_storage.save(name, File(fh, name="export.zip"))
            export.file_name = stored
            export.size = zip_path.stat().st_size
            export.status = DataExport.Status.READY
            export.save(update_fields=["file_name", "size", "status", "updated_at"])
    except Exception:
        logger.exception("export %s failed", export.public_id)
        DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED)
        raise
    notify(user, "privacy.export_ready", _("Your data export is ready"), url="/me/data/")


def export_core(user: User, add: Callable[[str, Any], None]) -> None:
    notifications = [
        {
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
        }
        for n in Notification.objects.filter(recipient=user)
    ]
    add("notifications.json", json.dumps(notifications, ensure_ascii=False, indent=2))
    entries = [
        {"action": e.action, "target": e.target, "at": e.created_at.isoformat(), "ip": e.ip}
        for e in AuditEntry.objects.filter(actor=user)
    ]
    add("security-log.json", json.dumps(entries, ensure_ascii=False, indent=2))


def erase_core(user: User) -> None:
    Notification.objects.filter(recipient=user).delete()
    for export in DataExport.objects.filter(user=user):
        if export.file_name:
            default_storage.delete(export.file_name)
    DataExport.objects.filter(user=user).delete()


# --- Delete my account -------------------------------------------------------------------


@transaction.atomic
def request_deletion(user: User, *, request: HttpRequest | None = None) -> datetime:
    user.deletion_requested_at = timezone.now()
    user.save(update_fields=["deletion_requested_at"])
    audit.record(user, "privacy.deletion_requested", request=request)
    return user.deletion_requested_at + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


@transaction.atomic
def cancel_deletion(user: User, *, request: HttpRequest | None = None) -> None:
    user.deletion_requested_at = None
    user.save(update_fields=["deletion_requested_at"])
    audit.record(user, "privacy.deletion_cancelled", request=request)


def erase_user(user: User) -> None:
    """Every tool erases or anonymises by its own rule, then the account itself goes.

    Each handler runs in its own transaction and must be idempotent, so a crash part-way
    is finished by the next run.
    """
    label = user.email or user.username
    for handler in registry.ordered_personal_data():
        with transaction.atomic():
            handler.erase(user)
    with transaction.atomic():
        if user.avatar:
            user.avatar.delete(save=False)
        AuditEntry.objects.filter(actor=user).update(actor_label="")
        user.delete()
        audit.record(None, "privacy.account_erased", f"user#{hash(label) & 0xFFFFFFFF:x}")


@task()
def run_due_deletions() -> int:
    cutoff = timezone.now() - timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    users = get_user_model().objects.filter(deletion_requested_at__lte=cutoff)
    count = 0
    for user in users:
        erase_user(user)
        count += 1
    return count


# --- Retention ---------------------------------------------------------------------------


@task()
def run_retention() -> dict[str, int]:
    report = {}
    for key, rule in registry.retention.items():
        try:
            report[key] = rule.run()
        except Exception:
            logger.exception("retention rule %s failed", key)
            report[key] = -1
    audit.record(None, "retention.run", "", report=report)
    return report


def purge_old_exports() -> int:
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    count = 0
    for export in DataExport.objects.filter(created_at__lt=cutoff):
        if export.file_name:
            default_storage.delete(export.file_name)
        export.delete()
        count += 1
    return count


def purge_old_notifications() -> int:
    cutoff = timezone.now() - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    return Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False).delete()[0]


def purge_old_audit() -> int:
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return AuditEntry.objects.filter(created_at__lt=cutoff).delete()[0]


# Daily-activity marks only feed the statistics page (its last 30 days).
ACTIVITY_RETENTION_DAYS = 90


def purge_old_activity() -> int:
    cutoff = timezone.localdate() - timedelta(days=ACTIVITY_RETENTION_DAYS)
    return DailyActivity.objects.filter(day__lt=cutoff).delete()[0]


def register() -> None:
    registry.add_personal_data(
        PersonalData(key="platform", export=export_core, erase=erase_core, order=900)
    )
    registry.add_retention(
        RetentionRule(
            "exports",
            gettext_lazy("Data exports older than CARTABLE_EXPORT_RETENTION_DAYS"),
            purge_old_exports,
        )
    )
    registry.add_retention(
        RetentionRule(
            "notifications",
            gettext_lazy("Read notifications older than CARTABLE_NOTIFICATION_RETENTION_DAYS"),
            purge_old_notifications,
        )
    )
    registry.add_retention(
        RetentionRule(
            "activity",
            gettext_lazy("Daily activity marks older than 90 days"),
            purge_old_activity,
        )
    )
    registry.add_retention(
        RetentionRule(
            "audit",
            gettext_lazy("Audit entries older than CARTABLE_AUDIT_RETENTION_DAYS"),
            purge_old_audit,
        )
    )
