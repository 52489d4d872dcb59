"""The watch page and the HLS files its player reads: the same rule on every one of them."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cartable.tube.actions import processing
from cartable.tube.actions.publishing import publish
from cartable.tube.models import Video

from .conftest import chunks

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(class_channel, teacher, clips) -> Video:
    made = publish(
        class_channel, chunks(clips["landscape"]), filename="l.mp4", title="Leçon 1", by=teacher
    )
    processing.process(made.pk)
    made.refresh_from_db()
    return made


def hls(video: Video, name: str) -> str:
    return reverse("tube:hls", args=[video.public_id, name])


FILES = ["master.m3u8", "360p/index.m3u8", "360p/00000.ts", "audio/index.m3u8", "audio/00001.ts"]


@pytest.mark.parametrize("who", ["teacher", "student"])
def test_the_class_watches_every_file(client, video, who, request):
    client.force_login(request.getfixturevalue(who))

    page = client.get(video.get_absolute_url())
    assert page.status_code == 200
    assert f'data-hls="{hls(video, "master.m3u8")}"' in page.content.decode()
    for name in FILES:
        answer = client.get(hls(video, name))
        if name.endswith(".ts") and hasattr(default_storage, "bucket_name"):
            # On S3 a segment is a redirect to a signed address of the object store.
            assert answer.status_code == 302 and "Signature=" in answer.url, name
            continue
        assert answer.status_code == 200, name
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        assert body, name


@pytest.mark.parametrize("who", ["colleague", "guest"])
def test_others_find_nothing_on_any_file(client, video, who, request):
    person = request.getfixturevalue(who)
    if who != "guest":
        client.force_login(person)

    assert client.get(reverse("tube:watch", args=[video.public_id])).status_code in (302, 404)
    for name in FILES:
        assert client.get(hls(video, name)).status_code in (302, 404), name


def test_hls_files_are_user_bytes(client, video, teacher):
    client.force_login(teacher)

    for name in ("master.m3u8", "360p/00000.ts"):
        answer = client.get(hls(video, name))
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in answer["Content-Security-Policy"]
        assert "private" in answer["Cache-Control"]


@pytest.mark.parametrize(
    "name", ["../original.mp4", "hls/master.m3u8", "360p/../../x", "360p/1.ts", "notes.txt"]
)
def test_only_the_renditions_files_are_served(client, video, teacher, name):
    client.force_login(teacher)

    assert client.get(hls(video, name)).status_code == 404


def test_a_video_being_processed_has_a_page_and_no_file(client, class_channel, teacher, clips):
    waiting = publish(
        class_channel, chunks(clips["audio"]), filename="a.m4a", title="Podcast", by=teacher
    )
    client.force_login(teacher)

    page = client.get(reverse("tube:watch", args=[waiting.public_id]))

    assert page.status_code == 200 and b"<video" not in page.content
    assert client.get(hls(waiting, "master.m3u8")).status_code == 404
