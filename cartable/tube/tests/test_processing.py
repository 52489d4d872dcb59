"""Publishing a file: probed at once, then processed into HLS renditions by a job; refusals
leave nothing behind; a failed run is tried again, then reported."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from cartable.tube import media
from cartable.tube.access import check_video, video_abilities
from cartable.tube.actions import processing
from cartable.tube.actions.publishing import create_channel, publish
from cartable.tube.errors import Forbidden, NotFound, NotMedia, OverLimit
from cartable.tube.models import Rendition, Video

from .conftest import chunks

pytestmark = pytest.mark.django_db


def stored_under(prefix: str) -> set[str]:
    """Every file name under ``prefix`` in storage, relative to it."""
    found: set[str] = set()
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return found
    found |= set(files)
    for folder in folders:
        found |= {f"{folder}/{name}" for name in stored_under(f"{prefix}/{folder}")}
    return found


def published(channel, clip, by, title="Leçon 1") -> Video:
    video = publish(channel, chunks(clip), filename=clip.name, title=title, by=by)
    assert processing.process(video.pk) == "published"
    video.refresh_from_db()
    return video


def test_a_video_is_published_with_its_renditions(class_channel, teacher, clips):
    video = publish(
        class_channel, chunks(clips["landscape"]), filename="lecon.mp4", title="Leçon 1", by=teacher
    )
    assert video.state == Video.State.WAITING
    assert (video.width, video.height, video.has_audio) == (640, 360, True)

    assert processing.process(video.pk) == "published"

    video.refresh_from_db()
    assert video.state == Video.State.PUBLISHED and video.published_at is not None
    renditions = {(r.kind, r.height) for r in video.renditions.all()}
    assert renditions == {("video", 360), ("video", 240), ("audio", 0)}
    master = default_storage.open(video.master_playlist).read().decode()
    assert "360p/index.m3u8" in master and "240p/index.m3u8" in master
    assert "TYPE=AUDIO" in master
    for rendition in video.renditions.all():
        playlist = default_storage.open(rendition.playlist).read().decode()
        segments = re.findall(r"^(\d+\.ts)$", playlist, re.M)
        assert segments, playlist
        folder = rendition.playlist.rsplit("/", 1)[0]
        assert all(default_storage.exists(f"{folder}/{s}") for s in segments)
        assert rendition.size > 0 and rendition.bandwidth > 0


def test_processing_twice_does_nothing_the_second_time(class_channel, teacher, clips):
    video = published(class_channel, clips["landscape"], teacher)

    assert processing.process(video.pk) == "skipped"
    assert Rendition.objects.filter(video=video).count() == 3


def test_an_audio_recording_gets_an_audio_rendition(class_channel, teacher, clips):
    video = published(class_channel, clips["audio"], teacher, title="Podcast")

    assert [(r.kind, r.height) for r in video.renditions.all()] == [("audio", 0)]


def test_a_portrait_video_without_sound(class_channel, teacher, clips):
    video = published(class_channel, clips["portrait"], teacher)

    assert {(r.width, r.height) for r in video.renditions.all()} == {(360, 640), (240, 426)}
    assert "TYPE=AUDIO" not in default_storage.open(video.master_playlist).read().decode()


def test_a_file_that_is_not_media_is_refused_and_nothing_stays(class_channel, teacher):
    with pytest.raises(NotMedia):
        publish(class_channel, [b"%PDF-1.4 not a video"], filename="a.mp4", title="x", by=teacher)

    assert not Video.objects.exists()
    assert stored_under("tube") == set()


def test_a_file_over_the_size_limit_is_refused_saying_the_limit(
    class_channel, teacher, clips, settings
):
    settings.TUBE_MAX_SIZE = 10_000

    with pytest.raises(OverLimit) as refused:
        publish(class_channel, chunks(clips["landscape"]), filename="a.mp4", title="x", by=teacher)

    assert re.search(r"9[.,]8", refused.value.message)
    assert not Video.objects.exists()
    assert stored_under("tube") == set()


def test_a_pupil_does_not_publish_to_the_class_channel_and_a_stranger_sees_nothing(
    class_channel, student, colleague, clips
):
    with pytest.raises(Forbidden):
        publish(class_channel, chunks(clips["audio"]), filename="a.m4a", title="x", by=student)
    with pytest.raises(NotFound):
        publish(class_channel, chunks(clips["audio"]), filename="a.m4a", title="x", by=colleague)
    assert stored_under("tube") == set()


def test_who_watches_a_class_video(class_channel, teacher, student, colleague, clips, guest):
    video = publish(
        class_channel, chunks(clips["audio"]), filename="a.m4a", title="Podcast", by=teacher
    )
    # Not yet processed: only its publishers see it.
    assert "view" not in video_abilities(student, video)

    processing.process(video.pk)
    video.refresh_from_db()

    assert {"view", "edit", "delete"} <= video_abilities(teacher, video)
    assert video_abilities(student, video) == {"view"}
    for stranger in (colleague, guest):
        with pytest.raises(NotFound):
            check_video(stranger, video, "view")


def test_a_personal_channel_is_its_owners(teacher, student, clips):
    mine = create_channel("Mes vidéos", by=teacher)

    with pytest.raises(NotFound):
        publish(mine, chunks(clips["audio"]), filename="a.m4a", title="x", by=student)


def test_a_failed_run_is_tried_again_then_reported(
    class_channel, teacher, clips, settings, monkeypatch
):
    settings.TUBE_ATTEMPTS = 2
    video = publish(class_channel, chunks(clips["audio"]), filename="a.m4a", title="x", by=teacher)
    # An ffmpeg run that fails: its input is not there.
    monkeypatch.setattr(
        media, "hls_command", lambda *a, **k: [media.binary("ffmpeg"), "-i", "gone.mp4", "o.m3u8"]
    )

    assert processing.process(video.pk) == "retry"
    video.refresh_from_db()
    assert video.state == Video.State.WAITING and "ffmpeg" in video.failure
    assert processing.process(video.pk) == "failed"
    video.refresh_from_db()
    assert video.state == Video.State.FAILED and video.failure
    assert not video.renditions.exists()
    assert stored_under(f"{video.folder}/hls") == set()


def test_a_video_left_processing_by_a_dead_worker_is_tried_again_then_failed(
    class_channel, teacher, clips, settings
):
    settings.TUBE_ATTEMPTS = 2
    video = publish(class_channel, chunks(clips["audio"]), filename="a.m4a", title="x", by=teacher)
    long_ago = timezone.now() - timedelta(days=1)
    Video.objects.filter(pk=video.pk).update(
        state=Video.State.PROCESSING, attempts=1, updated_at=long_ago
    )
    assert processing.recover_stalled() == 1
    video.refresh_from_db()
    assert video.state == Video.State.WAITING and video.failure

    Video.objects.filter(pk=video.pk).update(
        state=Video.State.PROCESSING, attempts=2, updated_at=long_ago
    )
    assert processing.recover_stalled() == 1
    assert Video.objects.get(pk=video.pk).state == Video.State.FAILED


def test_a_video_processing_now_is_left_alone(class_channel, teacher, clips):
    video = publish(class_channel, chunks(clips["audio"]), filename="a.m4a", title="x", by=teacher)
    Video.objects.filter(pk=video.pk).update(state=Video.State.PROCESSING, attempts=1)

    assert processing.recover_stalled() == 0
