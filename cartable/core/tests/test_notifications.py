import pytest
from django.core import mail
from django.urls import reverse

from cartable.core.notifications import mark_read, notify

pytestmark = pytest.mark.django_db


def test_notification_is_stored_pushed_and_emailed(teacher, events):
    with events() as sent:
        notify(teacher, "test", "Un document a été partagé avec vous", url="/dashboard/")
    assert teacher.notifications.filter(read_at__isnull=True).count() == 1
    assert sent == [
        {
            "to": f"user.{teacher.pk}",
            "type": "notification",
            "title": "Un document a été partagé avec vous",
            "url": "/dashboard/",
            "unread": 1,
            "id": sent[0]["id"],
        }
    ]
    assert len(mail.outbox) == 1
    assert "partagé" in mail.outbox[0].subject


def test_no_email_for_those_who_did_not_ask(teacher, events):
    teacher.email_notifications = False
    teacher.save()
    with events():
        notify(teacher, "test", "Rien par e-mail")
    assert not mail.outbox


def test_students_without_address_get_no_email(student, events):
    with events():
        notify(student, "test", "Bienvenue")
    assert not mail.outbox
    assert student.notifications.count() == 1


def test_mark_read_updates_the_live_counter(teacher, events):
    with events():
        notify(teacher, "a", "Premier")
        notify(teacher, "b", "Second")
    with events() as sent:
        assert mark_read(teacher) == 2
    assert sent[-1]["unread"] == 0


def test_notification_centre_lists_only_mine(client, teacher, other_teacher):
    notify(teacher, "a", "Pour Claire")
    notify(other_teacher, "a", "Pour Paul")
    client.force_login(teacher)
    html = client.get(reverse("portal:notifications")).content.decode()
    assert "Pour Claire" in html and "Pour Paul" not in html


def test_opening_someone_elses_notification_is_refused(client, teacher, other_teacher):
    theirs = notify(other_teacher, "a", "Pour Paul", url="/dashboard/")
    client.force_login(teacher)
    assert (
        client.get(reverse("portal:notification_open", args=[theirs.public_id])).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_only_local_urls(client, teacher):
    local = notify(teacher, "a", "Local", url="/dashboard/")
    outside = notify(teacher, "a", "Ailleurs", url="https://evil.example/")
    client.force_login(teacher)
    assert (
        client.get(reverse("portal:notification_open", args=[local.public_id]))["Location"]
        == "/dashboard/"
    )
    assert (
        client.get(reverse("portal:notification_open", args=[outside.public_id]))["Location"] == "/"
    )


def test_a_title_with_line_breaks_is_still_e_mailed(teacher, events):
    teacher.email_notifications = True
    teacher.save()
    with events():
        notify(teacher, "x", "Le pad «\r\nBcc: eve@example.org\r\n» est partagé")
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and mail.outbox[0].bcc == []
