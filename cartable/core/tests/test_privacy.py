import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from cartable.accounts import actions
from cartable.accounts.models import Group, User
from cartable.core import privacy
from cartable.core.models import AuditEntry, DailyActivity, DataExport, Notification
from cartable.core.notifications import notify
from cartable.testing.downloads import downloaded

pytestmark = pytest.mark.django_db


def test_download_my_data_builds_a_zip_with_every_registered_part(client, teacher, klass, events):
    notify(teacher, "x", "Une notification")
    client.force_login(teacher)
    with events():
        response = client.post(reverse("portal:privacy_center"), {"action": "export"})
    assert response.status_code == 302
    export = DataExport.objects.get(user=teacher)
    assert export.status == DataExport.Status.READY
    download = client.get(reverse("portal:export_download", args=[export.public_id]))
    archive = zipfile.ZipFile(io.BytesIO(downloaded(download)))
    names = set(archive.namelist())
    assert {
        "account/profile.json",
        "account/groups.json",
        "platform/notifications.json",
        "README.txt",
    } <= names
    profile = json.loads(archive.read("account/profile.json"))
    assert profile["email"] == teacher.email
    assert json.loads(archive.read("account/groups.json"))[0]["group"] == klass.name
    assert teacher.notifications.filter(title__icontains="export").exists()


def test_nobody_downloads_someone_elses_export(client, teacher, other_teacher):
    export = privacy.request_export(teacher)
    privacy.build_export.call(export.pk)
    client.force_login(other_teacher)
    assert client.get(reverse("portal:export_download", args=[export.public_id])).status_code == 404


def test_deletion_waits_for_the_grace_period_then_erases(
    client, teacher, klass, colleague, student
):
    actions.set_member(klass, colleague, "manager", by=teacher)
    client.force_login(teacher)
    response = client.post(reverse("portal:delete_account"), {"confirm": "supprimer"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.deletion_requested_at
    assert privacy.run_due_deletions.call() == 0
    User.objects.filter(pk=teacher.pk).update(
        deletion_requested_at=timezone.now() - timedelta(days=31)
    )
    assert privacy.run_due_deletions.call() == 1
    assert not User.objects.filter(pk=teacher.pk).exists()
    # The class outlives its teacher: the co-teacher owns it now, the student is still in.
    assert (
        actions.group_role(User.objects.get(pk=colleague.pk), Group.objects.get(pk=klass.pk))
        == "owner"
    )
    assert Group.objects.get(pk=klass.pk).memberships.filter(user=student).exists()
    assert AuditEntry.objects.filter(action="privacy.account_erased").exists()
    assert not AuditEntry.objects.filter(actor_label=teacher.email).exists()


def test_deletion_can_be_cancelled(client, teacher):
    privacy.request_deletion(teacher)
    client.force_login(teacher)
    client.post(reverse("portal:privacy_center"), {"action": "cancel_deletion"})
    teacher.refresh_from_db()
    assert teacher.deletion_requested_at is None


def test_deletion_needs_the_confirmation_word(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("portal:delete_account"), {"confirm": "oui"})
    assert response.status_code == 200
    teacher.refresh_from_db()
    assert teacher.deletion_requested_at is None


def test_a_class_whose_only_staff_leaves_is_archived(teacher, klass, student):
    privacy.erase_user(teacher)
    klass.refresh_from_db()
    assert klass.archived_at is not None


def test_retention_purges_old_exports_and_read_notifications(teacher):
    export = privacy.request_export(teacher)
    privacy.build_export.call(export.pk)
    export.refresh_from_db()
    old = timezone.now() - timedelta(days=400)
    DataExport.objects.filter(pk=export.pk).update(created_at=old)
    read = notify(teacher, "x", "Vieille")
    Notification.objects.filter(pk=read.pk).update(created_at=old, read_at=old)
    unread = notify(teacher, "x", "Vieille non lue")
    Notification.objects.filter(pk=unread.pk).update(created_at=old)
    report = privacy.run_retention.call()
    assert report["exports"] == 1 and report["notifications"] == 1
    assert not default_storage.exists(export.file_name)
    assert Notification.objects.filter(pk=unread.pk).exists()


def test_retention_purges_daily_activity_marks_older_than_90_days(teacher):
    today = timezone.localdate()
    DailyActivity.objects.create(day=today - timedelta(days=91), user=teacher)
    recent = DailyActivity.objects.create(day=today - timedelta(days=29), user=teacher)
    report = privacy.run_retention.call()
    assert report["activity"] == 1
    assert list(DailyActivity.objects.filter(user=teacher)) == [recent]
