"""Tube's home and channel pages: who is offered what, and that the server agrees."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cartable.core.registry import registry
from cartable.tube.models import Channel, Video

pytestmark = pytest.mark.django_db


def test_a_teacher_creates_a_channel_of_their_own(client, teacher):
    client.force_login(teacher)

    answer = client.post(reverse("tube:index"), {"name": "Mes capsules"})

    channel = Channel.objects.get(name="Mes capsules")
    assert answer.status_code == 302 and answer.url == reverse(
        "tube:channel", args=[channel.public_id]
    )
    assert channel.owner == teacher and channel.owner_group is None


def test_a_teacher_creates_the_class_channel_and_the_class_sees_it(client, teacher, klass, student):
    client.force_login(teacher)
    client.post(
        reverse("tube:index") + f"?group={klass.public_id}",
        {"name": "4e B", "group": str(klass.public_id)},
    )
    channel = Channel.objects.get(owner_group=klass)

    client.force_login(student)
    assert channel.name in client.get(reverse("tube:index")).content.decode()
    section = registry.class_sections["tube"].content(student, klass)
    assert [i.title for i in section.items] == ["4e B"] and section.actions == []
    page = client.get(reverse("tube:channel", args=[channel.public_id]))
    assert page.status_code == 200 and b'enctype="multipart/form-data"' not in page.content


def test_a_pupil_is_offered_no_channel_and_cannot_make_one(client, student, klass):
    client.force_login(student)

    assert b'name="name"' not in client.get(reverse("tube:index")).content
    answer = client.post(reverse("tube:index"), {"name": "La mienne"})
    assert answer.status_code == 400 and not Channel.objects.exists()
    answer = client.post(
        reverse("tube:index") + f"?group={klass.public_id}",
        {"name": "x", "group": str(klass.public_id)},
    )
    assert answer.status_code == 400 and not Channel.objects.exists()


def test_publishing_from_the_channel_page(client, teacher, class_channel, clips):
    client.force_login(teacher)
    url = reverse("tube:channel", args=[class_channel.public_id])
    page = client.get(url)
    assert b'enctype="multipart/form-data"' in page.content

    sent = SimpleUploadedFile("lecon.m4a", clips["audio"].read_bytes(), "audio/mp4")
    answer = client.post(url, {"title": "Podcast", "file": sent})

    video = Video.objects.get(title="Podcast")
    assert answer.status_code == 302 and answer.url == video.get_absolute_url()


def test_a_file_that_is_not_media_is_refused_on_the_page(client, teacher, class_channel):
    client.force_login(teacher)
    sent = SimpleUploadedFile("devoir.mp4", b"not a video at all", "video/mp4")

    answer = client.post(reverse("tube:channel", args=[class_channel.public_id]), {"file": sent})

    assert answer.status_code == 415
    assert (
        "vidéo ou audio lisible" in answer.content.decode()
        or "video or audio" in answer.content.decode()
    )
    assert not Video.objects.exists()


def test_others_cannot_publish_or_see_the_channel(client, student, colleague, class_channel, clips):
    url = reverse("tube:channel", args=[class_channel.public_id])
    sent = SimpleUploadedFile("a.m4a", clips["audio"].read_bytes(), "audio/mp4")
    client.force_login(student)
    assert client.post(url, {"file": sent}).status_code == 404
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    assert not Video.objects.exists()
