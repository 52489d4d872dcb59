"""Public link pages: passwords, expiry, viewer and editor links, file drop links."""

import io
import secrets
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cartable.core.roles import Role
from cartable.drive import actions
from cartable.drive.models import Activity, ShareLink
from cartable.drive.tests.conftest import put, read
from cartable.testing.downloads import downloaded, served

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages these tests look for are the English ones."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def link_to(node, **fields):
    if "password" in fields:
        fields["password"] = make_password(fields["password"])
    return ShareLink.objects.create(node=node, token=secrets.token_urlsafe(16), **fields)


def body(response) -> bytes:
    """What the browser gets: scaled out, downloads are redirects to S3, followed here."""
    if response.status_code == 302:
        return downloaded(response)
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def shared(teacher, my_root):
    folder = actions.create_folder(my_root, "Partagé", by=teacher)
    put(folder, "lisez-moi.txt", b"bonjour", teacher)
    return folder


def test_viewer_link_lists_and_downloads(client, shared):
    link = link_to(shared)
    page = client.get(f"/drive/s/{link.token}")
    assert page.status_code == 200 and "lisez-moi.txt" in page.content.decode()
    node = actions.live_child(shared, "lisez-moi.txt")
    assert body(client.get(f"/drive/s/{link.token}/download/{node.public_id}")) == b"bonjour"
    data = body(client.get(f"/drive/s/{link.token}/download/{shared.public_id}"))
    assert zipfile.ZipFile(io.BytesIO(data)).read("Partagé/lisez-moi.txt") == b"bonjour"


def test_viewer_link_cannot_upload(client, shared):
    link = link_to(shared)
    response = client.post(
        f"/drive/s/{link.token}/upload", {"files": [SimpleUploadedFile("x.txt", b"x")]}
    )
    assert response.status_code == 403
    assert actions.live_child(shared, "x.txt") is None


def test_link_does_not_reach_outside_its_folder(client, teacher, my_root, shared):
    outside = put(my_root, "secret.txt", b"s", teacher)
    link = link_to(shared)
    assert client.get(f"/drive/s/{link.token}/file/{outside.public_id}").status_code == 404
    assert client.get(f"/drive/s/{link.token}/download/{outside.public_id}").status_code == 404


def test_hidden_download_shows_but_does_not_download(client, shared):
    link = link_to(shared, hide_download=True)
    node = actions.live_child(shared, "lisez-moi.txt")
    assert client.get(f"/drive/s/{link.token}/file/{node.public_id}").status_code == 200
    assert client.get(f"/drive/s/{link.token}/download/{node.public_id}").status_code == 403
    assert "Download" not in client.get(f"/drive/s/{link.token}").content.decode()


def test_password_is_asked_and_checked(client, shared):
    link = link_to(shared, password="sésame")
    page = client.get(f"/drive/s/{link.token}")
    assert "lisez-moi.txt" not in page.content.decode()
    node = actions.live_child(shared, "lisez-moi.txt")
    assert client.get(f"/drive/s/{link.token}/download/{node.public_id}").status_code == 302
    wrong = client.post(f"/drive/s/{link.token}", {"password": "faux"})
    assert wrong.status_code == 403
    client.post(f"/drive/s/{link.token}", {"password": "sésame"})
    assert "lisez-moi.txt" in client.get(f"/drive/s/{link.token}").content.decode()
    # A new password locks out those who knew the old one.
    link.password = make_password("autre")
    link.save()
    assert "lisez-moi.txt" not in client.get(f"/drive/s/{link.token}").content.decode()


def test_expired_link_is_refused(client, shared):
    link = link_to(shared, expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/drive/s/{link.token}").status_code == 410
    node = actions.live_child(shared, "lisez-moi.txt")
    assert client.get(f"/drive/s/{link.token}/download/{node.public_id}").status_code == 410


def test_unknown_link(client):
    assert client.get("/drive/s/nope").status_code == 404


def test_editor_link_takes_uploads(client, shared):
    link = link_to(shared, role=Role.EDITOR)
    client.post(f"/drive/s/{link.token}/upload", {"files": [SimpleUploadedFile("ajout.txt", b"+")]})
    assert read(actions.live_child(shared, "ajout.txt")) == b"+"


def test_file_drop_link_upload_only_with_the_uploaders_name(client, teacher, shared):
    link = link_to(shared, role=Role.EDITOR, file_drop=True)
    page = client.get(f"/drive/s/{link.token}").content.decode()
    assert "lisez-moi.txt" not in page  # never the others' files
    refused = client.post(
        f"/drive/s/{link.token}/upload", {"files": [SimpleUploadedFile("devoir.pdf", b"%PDF")]}
    )
    assert refused.status_code == 302 and actions.live_child(shared, "devoir.pdf") is None
    client.post(
        f"/drive/s/{link.token}/upload",
        {"uploader": "Jules Élève", "files": [SimpleUploadedFile("devoir.pdf", b"%PDF")]},
    )
    node = actions.live_child(shared, "devoir.pdf")
    assert read(node) == b"%PDF"
    assert Activity.objects.get(node=node, verb=Activity.Verb.DROPPED).actor_label == "Jules Élève"
    page = client.get(f"/drive/s/{link.token}").content.decode()
    assert "devoir.pdf" in page and "lisez-moi.txt" not in page
    # Someone else with the same link sees nothing of it, and a same name does not overwrite.
    other = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
    assert "devoir.pdf" not in other.get(f"/drive/s/{link.token}").content.decode()
    other.post(
        f"/drive/s/{link.token}/upload",
        {"uploader": "Inès", "files": [SimpleUploadedFile("devoir.pdf", b"autre")]},
    )
    assert read(actions.live_child(shared, "devoir.pdf")) == b"%PDF"
    assert read(actions.live_child(shared, "devoir (2).pdf")) == b"autre"
    assert other.get(f"/drive/s/{link.token}/file/{node.public_id}").status_code == 404
    # The teacher sees each file with who sent it.
    client.force_login(teacher)
    page = client.get(f"/drive/f/{shared.public_id}").content.decode()
    assert "Jules Élève" in page and "Inès" in page


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_hidden_download_gives_the_bytes_on_no_path(client, teacher, shared):
    """View only: neither the download, nor the bytes shown inline, nor a zip of the folder."""
    picture = put(shared, "photo.png", png_bytes(), teacher)
    link = link_to(shared, hide_download=True)
    for node in (picture, actions.live_child(shared, "lisez-moi.txt")):
        for kind in ("download", "raw"):
            assert client.get(f"/drive/s/{link.token}/{kind}/{node.public_id}").status_code == 403
    assert client.get(f"/drive/s/{link.token}/download/{shared.public_id}").status_code == 403


def test_hidden_download_page_shows_the_preview_not_the_file(client, teacher, shared):
    picture = put(shared, "photo.png", png_bytes(), teacher)
    text = actions.live_child(shared, "lisez-moi.txt")
    link = link_to(shared, hide_download=True)
    for node in (picture, text):
        page = client.get(f"/drive/s/{link.token}/file/{node.public_id}").content.decode()
        assert f"/drive/s/{link.token}/raw/" not in page
        assert f"/drive/s/{link.token}/preview/{node.public_id}" in page
    assert (
        "bonjour" not in client.get(f"/drive/s/{link.token}/file/{text.public_id}").content.decode()
    )
    preview = client.get(f"/drive/s/{link.token}/preview/{picture.public_id}?size=256")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/webp"


def test_viewer_link_shows_the_file_and_its_preview(client, teacher, shared):
    picture = put(shared, "photo.png", png_bytes(), teacher)
    link = link_to(shared)
    page = client.get(f"/drive/s/{link.token}/file/{picture.public_id}").content.decode()
    assert f"/drive/s/{link.token}/raw/{picture.public_id}" in page
    raw = client.get(f"/drive/s/{link.token}/raw/{picture.public_id}")
    assert served(raw)[1]["Content-Disposition"].startswith("inline")
    preview = client.get(f"/drive/s/{link.token}/preview/{picture.public_id}?size=256")
    assert preview.status_code == 200


def test_link_preview_stays_inside_its_link(client, teacher, my_root, shared):
    outside = put(my_root, "ailleurs.png", png_bytes(), teacher)
    link = link_to(shared)
    assert client.get(f"/drive/s/{link.token}/preview/{outside.public_id}").status_code == 404
    expired = link_to(shared, expires_at=timezone.now() - timedelta(minutes=1))
    picture = put(shared, "photo.png", png_bytes(), teacher)
    assert client.get(f"/drive/s/{expired.token}/preview/{picture.public_id}").status_code == 410
