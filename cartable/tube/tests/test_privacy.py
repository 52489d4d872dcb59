"""A person's videos in "download my data" and when their account is erased."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage

from cartable.core.models import Grant
from cartable.core.registry import registry
from cartable.tube.actions import processing
from cartable.tube.actions.privacy import erase_videos, export_videos
from cartable.tube.actions.publishing import create_channel, publish
from cartable.tube.models import Channel, Video

from .conftest import chunks

pytestmark = pytest.mark.django_db(transaction=True)


def made(channel, clip, by, title):
    video = publish(channel, chunks(clip), filename=clip.name, title=title, by=by)
    processing.process(video.pk)
    video.refresh_from_db()
    return video


def test_tube_is_in_download_my_data_and_erasure():
    assert "tube" in registry.personal_data


def test_export_gives_the_originals_and_their_details(teacher, class_channel, clips):
    mine = create_channel("Mes vidéos", by=teacher)
    made(mine, clips["audio"], teacher, "Podcast")
    made(class_channel, clips["portrait"], teacher, "Expérience")
    files: dict[str, bytes] = {}

    export_videos(teacher, lambda name, data: files.__setitem__(name, _bytes(data)))

    details = json.loads(files.pop("videos.json"))
    assert {d["title"] for d in details} == {"Podcast", "Expérience"}
    originals = {clips["audio"].read_bytes(), clips["portrait"].read_bytes()}
    assert set(files.values()) == originals


def test_erasure_deletes_own_channels_and_leaves_the_class_its_videos(
    teacher, class_channel, clips
):
    mine = create_channel("Mes vidéos", by=teacher)
    own = made(mine, clips["audio"], teacher, "Podcast")
    for_class = made(class_channel, clips["audio"], teacher, "Leçon")
    own_files = [own.original, own.master_playlist]

    erase_videos(teacher)
    erase_videos(teacher)  # safe twice

    assert not Channel.objects.filter(pk=mine.pk).exists()
    assert not Video.objects.filter(pk=own.pk).exists()
    assert not any(default_storage.exists(name) for name in own_files)
    kept = Video.objects.get(pk=for_class.pk)
    assert kept.uploaded_by is None and kept.owner is None
    assert default_storage.exists(kept.master_playlist)
    assert Grant.objects.filter(object_id=class_channel.pk).exists()


def _bytes(data) -> bytes:
    return data if isinstance(data, bytes) else b"".join(data)
