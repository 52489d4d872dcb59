"""GET /drive/preview/<file id>: the thumbnail, for those who may view the file, and only them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from cartable.drive import actions, previews
from cartable.testing.documents import minimal_odt

from .conftest import put

pytestmark = pytest.mark.django_db


def png(size=(300, 150)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def url(node, size=None) -> str:
    base = reverse("drive:preview", args=[node.public_id])
    return f"{base}?size={size}" if size else base


@pytest.fixture
def photo(teacher, my_root):
    return put(my_root, "photo.png", png(), teacher)


def test_owner_gets_the_thumbnail_with_cache_headers(client, teacher, photo):
    client.force_login(teacher)
    response = client.get(url(photo, 64))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["ETag"] == f'"{photo.blob_id}-64"'
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (64, 32)


def test_default_size_and_odd_sizes(client, teacher, photo):
    client.force_login(teacher)
    assert client.get(url(photo))["ETag"] == f'"{photo.blob_id}-256"'
    assert client.get(url(photo, "abc"))["ETag"] == f'"{photo.blob_id}-256"'
    assert client.get(url(photo, 99999))["ETag"] == f'"{photo.blob_id}-1024"'


def test_unchanged_thumbnail_answers_304(client, teacher, photo):
    client.force_login(teacher)
    etag = client.get(url(photo))["ETag"]
    response = client.get(url(photo), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_new_content_has_a_new_etag(client, teacher, my_root, photo):
    client.force_login(teacher)
    etag = client.get(url(photo))["ETag"]
    put(my_root, "photo.png", png((100, 100)), teacher)
    response = client.get(url(photo), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_other_teacher_cannot_see_my_thumbnail(client, other_teacher, photo):
    client.force_login(other_teacher)
    assert client.get(url(photo)).status_code == 404


def test_guest_cannot_see_a_thumbnail(client, photo):
    assert client.get(url(photo)).status_code == 404


def test_304_is_not_given_to_those_who_may_not_view(client, other_teacher, photo):
    client.force_login(other_teacher)
    etag = f'"{photo.blob_id}-256"'
    assert client.get(url(photo), HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_student_sees_thumbnails_in_the_class_folder(client, teacher, student, class_root):
    node = put(class_root, "schéma.png", png(), teacher)
    client.force_login(student)
    assert client.get(url(node)).status_code == 200


def test_trashed_files_and_folders_have_no_thumbnail(client, teacher, my_root, photo):
    client.force_login(teacher)
    folder = actions.create_folder(my_root, "Photos", by=teacher)
    assert client.get(url(folder)).status_code == 404
    actions.trash(photo, by=teacher)
    assert client.get(url(photo)).status_code == 404


def test_files_without_preview_answer_404(client, teacher, my_root):
    node = put(my_root, "archive.zip", b"PK\3\4", teacher)
    client.force_login(teacher)
    assert client.get(url(node)).status_code == 404


def test_a_thumbnail_is_made_on_first_request_if_missing(client, teacher, photo):
    previews.delete_previews(photo.blob_id)
    client.force_login(teacher)
    assert client.get(url(photo)).status_code == 200
    assert previews.cached_preview(photo.blob, 256) is not None


def test_slow_previews_go_to_the_job_queue(client, teacher, my_root):
    """An office document is converted by the job (run inline in the tests), not the view."""
    node = put(my_root, "cr.odt", minimal_odt(["Compte rendu"]), teacher)
    assert node.mime_type == "application/vnd.oasis.opendocument.text"
    client.force_login(teacher)
    response = client.get(url(node, 64))
    assert response.status_code == 200


def test_slow_previews_not_ready_yet_ask_to_retry(client, teacher, my_root, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    node = put(my_root, "cr.odt", minimal_odt(["Compte rendu"]), teacher)
    client.force_login(teacher)
    response = client.get(url(node))
    assert response.status_code == 404
    assert response["Retry-After"] == "10"
