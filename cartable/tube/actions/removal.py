"""Deleting videos and channels: their rows, then (once the transaction commits) every file
of theirs in storage, the original and the renditions."""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction

from cartable.core.models import Grant
from cartable.tube.models import Channel, Video

log = logging.getLogger(__name__)


def delete_video(video: Video) -> None:
    original, folder = video.original, video.folder
    _forget_grants(video)
    video.delete()
    transaction.on_commit(lambda: _delete_files(original, folder))


def delete_channel(channel: Channel) -> None:
    for video in channel.videos.all():
        delete_video(video)
    _forget_grants(channel)
    channel.delete()


def _forget_grants(thing: Channel | Video) -> None:
    Grant.objects.filter(
        content_type=ContentType.objects.get_for_model(thing), object_id=thing.pk
    ).delete()


def _delete_files(original: str, folder: str) -> None:
    try:
        if original:
            default_storage.delete(original)
        delete_folder(folder)
    except OSError:
        log.warning("could not delete the files of %s", folder, exc_info=True)


def delete_folder(prefix: str) -> None:
    """Every file under ``prefix`` in storage, at any depth."""
    try:
        folders, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
    for folder in folders:
        delete_folder(f"{prefix}/{folder}")
