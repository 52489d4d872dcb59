"""What ffprobe finds in a file, what it refuses, and the ladder made of a video."""

from __future__ import annotations

import pytest
from django.utils import translation

from cartable.tube import media
from cartable.tube.errors import NotMedia, OverLimit


def test_a_video_is_probed(clips):
    found = media.probe(clips["landscape"])

    assert (found.width, found.height) == (640, 360)
    assert found.has_video and found.has_audio
    assert found.duration == pytest.approx(6, abs=0.2)


def test_an_audio_file_is_media_without_video(clips):
    found = media.probe(clips["audio"])

    assert not found.has_video and found.has_audio
    assert media.ladder(found) == []


def test_a_text_file_is_not_media(tmp_path):
    text = tmp_path / "devoir.mp4"
    text.write_text("Ceci n'est pas une vidéo.")

    with translation.override("en"), pytest.raises(NotMedia) as refused:
        media.probe(text)

    assert "not a video or audio file" in refused.value.message


def test_a_truncated_video_is_not_media(clips, tmp_path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clips["landscape"].read_bytes()[:2000])

    with pytest.raises(NotMedia):
        media.probe(cut)


def test_a_video_too_long_is_refused_saying_both_durations(clips, settings):
    settings.TUBE_MAX_DURATION = 5

    with pytest.raises(OverLimit) as refused:
        media.probe(clips["landscape"])

    assert "0:00:06" in refused.value.message and "0:00:05" in refused.value.message


def test_a_video_too_large_is_refused_saying_its_size(clips, settings):
    settings.TUBE_MAX_HEIGHT = 240

    with pytest.raises(OverLimit) as refused:
        media.probe(clips["landscape"])

    assert "640×360" in refused.value.message and "240p" in refused.value.message


def test_the_ladder_never_goes_above_the_source():
    found = media.Probe(10, 1920, 1080, True, True)
    assert [r.height for r in media.ladder(found)] == [1080, 720, 480, 360, 240]
    assert media.ladder(found)[1].width == 1280

    small = media.Probe(10, 640, 360, True, True)
    assert [(r.width, r.height) for r in media.ladder(small)] == [(640, 360), (426, 240)]

    tiny = media.Probe(10, 160, 90, True, False)
    assert [(r.width, r.height) for r in media.ladder(tiny)] == [(160, 90)]


def test_a_portrait_video_keeps_its_shape():
    portrait = media.Probe(10, 720, 1280, True, True)

    assert [(r.width, r.height) for r in media.ladder(portrait)] == [
        (720, 1280),
        (480, 854),
        (360, 640),
        (240, 426),
    ]
