"""Blobs made from bytes, for tests of what reads them (previews, extraction, scanning)."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cartable.drive.models import Blob


def make_blob(data: bytes) -> Blob:
    name = default_storage.save(f"drive/blobs/test/{uuid.uuid4().hex}", ContentFile(data))
    return Blob.objects.create(
        storage_name=name,
        size=len(data),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
    )
