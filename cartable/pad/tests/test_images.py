import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cartable.core.roles import Reach
from cartable.pad import actions
from cartable.pad.models import PadImage
from cartable.testing.downloads import downloaded, served

pytestmark = pytest.mark.django_db


def _png(name="dessin.png", size=(4, 3), fmt="PNG"):
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(data, fmt)
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def _upload(client, pad, file):
    return client.post(reverse("pad:image_upload", args=[pad.pad_id]), {"image": file})


def test_editor_uploads_an_image_and_readers_see_it(client, teacher, colleague):
    pad = actions.create_pad(owner=teacher)
    client.force_login(teacher)
    response = _upload(client, pad, _png())
    assert response.status_code == 201
    src = response.json()["src"]
    image = PadImage.objects.get(pad=pad)
    assert src == f"/pad/p/{pad.readonly_id}/images/{image.public_id}.png"
    assert image.content_type == "image/png" and image.uploaded_by.user == teacher
    client.force_login(colleague)  # the pad is shared by link: whoever has it reads
    body, headers = served(client.get(src))  # from S3 when scaled out
    assert headers["Content-Type"] == "image/png"
    assert body.startswith(b"\x89PNG")
    assert headers["Content-Disposition"].startswith("inline")


def test_the_extension_comes_from_the_bytes_not_the_name(client, teacher):
    pad = actions.create_pad(owner=teacher)
    client.force_login(teacher)
    src = _upload(client, pad, _png("photo.png", fmt="JPEG")).json()["src"]
    assert src.endswith(".jpg")


def test_a_file_that_is_not_an_image_is_refused(client, teacher):
    pad = actions.create_pad(owner=teacher)
    client.force_login(teacher)
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = _upload(client, pad, fake)
    assert response.status_code == 400 and response.json()["code"] == "not_image"
    bmp = _png("old.bmp", fmt="BMP")
    response = _upload(client, pad, bmp)
    assert response.status_code == 400 and response.json()["code"] == "unsupported_image"
    assert not PadImage.objects.exists()


def test_a_reader_cannot_upload(client, teacher, other_teacher):
    pad = actions.create_pad(owner=teacher, reach=Reach.RESTRICTED)
    client.force_login(other_teacher)
    assert _upload(client, pad, _png()).status_code == 404
    # The read-only link reads, and nothing more.
    response = client.post(reverse("pad:image_upload", args=[pad.readonly_id]), {"image": _png()})
    assert response.status_code == 403
    assert not PadImage.objects.exists()


def test_images_of_a_restricted_pad_are_refused_to_other_teachers(client, teacher, other_teacher):
    pad = actions.create_pad(owner=teacher, reach=Reach.RESTRICTED)
    client.force_login(teacher)
    src = _upload(client, pad, _png()).json()["src"]
    image = PadImage.objects.get()
    client.force_login(other_teacher)
    assert client.get(f"/pad/p/{pad.pad_id}/images/{image.public_id}.png").status_code == 404
    other = actions.create_pad(owner=other_teacher)
    # An image is served only under its own pad.
    assert client.get(f"/pad/p/{other.pad_id}/images/{image.public_id}.png").status_code == 404
    # The read-only id is a capability, as for the text itself.
    assert downloaded(client.get(src)).startswith(b"\x89PNG")


def test_deleting_a_pad_deletes_its_images(client, teacher, django_capture_on_commit_callbacks):
    pad = actions.create_pad(owner=teacher)
    client.force_login(teacher)
    _upload(client, pad, _png())
    name = PadImage.objects.get().storage_name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_pad(pad, by=teacher)
    assert not default_storage.exists(name)
