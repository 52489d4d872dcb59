"""The one lifecycle of uploads in parts (tus and Nextcloud's chunked uploads):
``cartable.drive.actions.resumable``."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import timezone

from cartable.drive import actions
from cartable.drive.actions import resumable
from cartable.drive.models import Upload, UploadPart

pytestmark = pytest.mark.django_db(transaction=True)


def begun(user, name: str, *, expires_in: timedelta) -> Upload:
    return resumable.begin(
        actions.personal_space(user),
        user=user,
        size=10,
        expires_at=timezone.now() + expires_in,
        name=name,
        destination="",
    )


def part(upload: Upload, name: str, data: bytes) -> str:
    stored = default_storage.save(f"drive/uploads/{upload.public_id}/{name}", ContentFile(data))
    resumable.append(upload, name, stored, len(data), lifetime=timedelta(hours=1))
    return stored


def test_parts_are_read_back_in_order_and_a_part_sent_again_replaces_the_first(teacher):
    upload = begun(teacher, "t", expires_in=timedelta(hours=1))
    part(upload, "2", b"world")
    first = part(upload, "1", b"HELLO ")
    part(upload, "1", b"hello ")

    assert b"".join(resumable.chunks(upload)) == b"hello world"
    assert not default_storage.exists(first)
    assert upload.parts.count() == 2


def test_tus_never_replaces_a_part(teacher):
    upload = begun(teacher, "t", expires_in=timedelta(hours=1))
    part(upload, "0", b"abc")

    with pytest.raises(IntegrityError):
        resumable.append(upload, "0", "elsewhere", 3, lifetime=timedelta(hours=1), replace=False)


def test_discard_takes_the_parts_files_with_it(teacher):
    upload = begun(teacher, "t", expires_in=timedelta(hours=1))
    stored = part(upload, "1", b"abc")

    resumable.discard(upload)

    assert not Upload.objects.exists()
    assert not UploadPart.objects.exists()
    assert not default_storage.exists(stored)


def test_expire_goes_on_past_an_upload_it_cannot_discard(teacher, monkeypatch):
    stuck = begun(teacher, "stuck", expires_in=timedelta(hours=-1))
    gone = begun(teacher, "gone", expires_in=timedelta(hours=-1))
    begun(teacher, "alive", expires_in=timedelta(hours=1))
    stored = part(gone, "1", b"abc")
    Upload.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    real_discard = resumable.discard

    def failing(upload: Upload) -> None:
        if upload.pk == stuck.pk:
            raise OSError("the disk said no")
        real_discard(upload)

    monkeypatch.setattr(resumable, "discard", failing)

    assert resumable.expire() == 1

    assert set(Upload.objects.values_list("name", flat=True)) == {"stuck", "alive"}
    assert not default_storage.exists(stored)


@pytest.mark.skipif(
    hasattr(default_storage, "bucket_name"), reason="local disk only: S3 keeps no .part files"
)
def test_expire_deletes_part_files_a_crash_left_behind(teacher):
    folder = default_storage.path("drive/uploads/crashed")
    os.makedirs(folder, exist_ok=True)
    old, recent = os.path.join(folder, "old.part"), os.path.join(folder, "recent.part")
    for path in (old, recent):
        with open(path, "wb") as fh:
            fh.write(b"half")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))

    assert resumable.expire() == 1

    assert not os.path.exists(old)
    assert os.path.exists(recent)
