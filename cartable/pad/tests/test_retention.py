from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cartable.core.registry import registry
from cartable.pad import actions
from cartable.pad.actions.retention import run
from cartable.pad.models import Pad

pytestmark = pytest.mark.django_db


def _age(pad, days):
    Pad.objects.filter(pk=pad.pk).update(
        last_edited_at=timezone.now() - timedelta(days=days),
        created_at=timezone.now() - timedelta(days=days),
    )


def test_owner_is_warned_30_then_7_days_before_deletion(teacher, settings, events):
    settings.PAD_RETENTION_DAYS = 365
    pad = actions.create_pad(owner=teacher, title="Vieux pad")
    teacher.email_notifications = False  # deletion warnings are e-mailed anyway
    teacher.save()
    _age(pad, 340)
    with events():
        assert run() == 0
    assert len(mail.outbox) == 1 and "30" in mail.outbox[0].subject
    with events():
        run()
    assert len(mail.outbox) == 1  # not twice
    _age(pad, 360)
    with events():
        run()
    assert len(mail.outbox) == 2 and "7" in mail.outbox[1].subject
    _age(pad, 366)
    with events():
        assert run() == 0  # the last warning is not a week old yet
    Pad.objects.filter(pk=pad.pk).update(retention_warned_at=timezone.now() - timedelta(days=8))
    with events():
        assert run() == 1
    assert not Pad.objects.filter(pk=pad.pk).exists()


def test_an_edit_resets_the_countdown(teacher, events):
    pad = actions.create_pad(owner=teacher)
    _age(pad, 360)
    with events():
        run()
    actions.append_text(pad, "Toujours utile")
    pad.refresh_from_db()
    assert pad.retention_warning == 0
    with events():
        assert run() == 0
    assert Pad.objects.filter(pk=pad.pk).exists()


def test_a_pad_is_never_deleted_without_the_last_warning(teacher, events):
    pad = actions.create_pad(owner=teacher)
    _age(pad, 400)
    for _ in range(3):
        with events():
            assert (
                run() == 0
            )  # each run moves one step; deletion waits a week after the last warning
    assert Pad.objects.filter(pk=pad.pk).exists()
    assert len(mail.outbox) == 2


def test_the_daily_retention_job_runs_the_pad_rule():
    assert registry.retention["pads"].run is run
