"""The tus 1.0 server the browser's resumable uploads talk to."""

import base64
import io

import pytest

from cartable.drive import actions
from cartable.drive.actions import filedrop
from cartable.drive.models import Upload, UploadPart
from cartable.drive.tests.conftest import put, read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages these tests look for are the English ones."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(client, folder, name, length, **extra):
    return client.post(
        "/drive/tus/",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=metadata(filename=name, folder=str(folder.public_id), **extra),
        **TUS,
    )


def patch(client, url, offset, data):
    return client.patch(
        url,
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **TUS,
    )


def test_options_tells_version_and_extensions(client):
    response = client.options("/drive/tus/")
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert "creation" in response["Tus-Extension"] and "termination" in response["Tus-Extension"]


def test_upload_in_chunks_lands_in_the_folder(client, teacher, my_root):
    client.force_login(teacher)
    data = bytes(range(256)) * 100
    created = create(client, my_root, "données.bin", len(data))
    assert created.status_code == 201
    url = created["Location"]
    assert patch(client, url, 0, data[:10000]).status_code == 204
    head = client.head(url, **TUS)
    assert head["Upload-Offset"] == "10000" and head["Upload-Length"] == str(len(data))
    assert actions.live_child(my_root, "données.bin") is None  # nothing visible before the end
    done = patch(client, url, 10000, data[10000:])
    assert done.status_code == 204
    assert done["Upload-Offset"] == str(len(data))
    node = actions.live_child(my_root, "données.bin")
    assert read(node) == data
    assert node.blob.sha1
    assert not Upload.objects.exists() and not UploadPart.objects.exists()


def test_wrong_offset_is_refused_with_the_right_one(client, teacher, my_root):
    client.force_login(teacher)
    url = create(client, my_root, "a.bin", 10)["Location"]
    patch(client, url, 0, b"12345")
    response = patch(client, url, 2, b"345")
    assert response.status_code == 409
    assert response["Upload-Offset"] == "5"


def test_cut_patch_keeps_nothing_and_resumes(client, teacher, my_root):
    """A PATCH whose body stops short is not kept: the client resends from the offset."""
    client.force_login(teacher)
    url = create(client, my_root, "cut.bin", 10)["Location"]
    request = client.request(
        PATH_INFO=url.split("testserver", 1)[-1],
        REQUEST_METHOD="PATCH",
        CONTENT_TYPE="application/offset+octet-stream",
        CONTENT_LENGTH="10",
        HTTP_UPLOAD_OFFSET="0",
        HTTP_TUS_RESUMABLE="1.0.0",
        **{"wsgi.input": io.BytesIO(b"12345")},
    )
    assert request.status_code == 400
    assert client.head(url, **TUS)["Upload-Offset"] == "0"
    assert patch(client, url, 0, b"0123456789").status_code == 204
    assert read(actions.live_child(my_root, "cut.bin")) == b"0123456789"


def test_folder_upload_creates_the_folders(client, teacher, my_root):
    client.force_login(teacher)
    url = create(client, my_root, "c.txt", 3, path="Projet/Images")["Location"]
    patch(client, url, 0, b"abc")
    folder = actions.live_child(actions.live_child(my_root, "Projet"), "Images")
    assert read(actions.live_child(folder, "c.txt")) == b"abc"


def test_name_taken_asks_then_replace_or_keep_both(client, teacher, my_root):
    put(my_root, "a.txt", b"old", teacher)
    client.force_login(teacher)
    asked = create(client, my_root, "a.txt", 3)
    assert asked.status_code == 409
    assert asked["X-Drive-Error"] == "conflict"
    url = create(client, my_root, "a.txt", 3, conflict="rename")["Location"]
    patch(client, url, 0, b"new")
    assert read(actions.live_child(my_root, "a (2).txt")) == b"new"
    url = create(client, my_root, "a.txt", 3, conflict="replace")["Location"]
    patch(client, url, 0, b"rep")
    node = actions.live_child(my_root, "a.txt")
    assert read(node) == b"rep" and node.versions.count() == 1


def test_quota_is_checked_at_creation(client, teacher, my_root, settings):
    settings.DRIVE_QUOTA = 100
    client.force_login(teacher)
    response = create(client, my_root, "big.bin", 1000)
    assert response.status_code == 413
    assert "space" in response.content.decode()


def test_termination_removes_the_parts(client, teacher, my_root):
    client.force_login(teacher)
    url = create(client, my_root, "a.bin", 10)["Location"]
    patch(client, url, 0, b"12345")
    assert client.delete(url, **TUS).status_code == 204
    assert not Upload.objects.exists() and not UploadPart.objects.exists()
    assert client.head(url, **TUS).status_code == 404


def test_guest_cannot_upload(client, my_root):
    assert create(client, my_root, "a.bin", 10).status_code == 401


def test_student_cannot_upload_to_teacher_folder(client, teacher, student, my_root, class_root):
    client.force_login(student)
    assert create(client, my_root, "a.bin", 3).status_code == 404
    assert create(client, class_root, "a.bin", 3).status_code == 403


def test_other_user_cannot_resume_my_upload(client, teacher, other_teacher, my_root):
    client.force_login(teacher)
    url = create(client, my_root, "a.bin", 10)["Location"]
    client.force_login(other_teacher)
    assert client.head(url, **TUS).status_code == 404
    assert patch(client, url, 0, b"1234567890").status_code == 404


def test_student_hands_in_through_a_homework_box(client, teacher, student, class_root):
    box = actions.create_folder(class_root, "Rendus", by=teacher)
    filedrop.set_file_drop(box, True, by=teacher)
    client.force_login(student)
    url = create(client, box, "copie.pdf", 4)["Location"]
    assert patch(client, url, 0, b"%PDF").status_code == 204
    node = actions.live_child(box, "copie.pdf")
    assert node.created_by == student


def test_requires_the_protocol_version(client, teacher, my_root):
    client.force_login(teacher)
    response = client.post("/drive/tus/", HTTP_UPLOAD_LENGTH="3")
    assert response.status_code == 412


def test_unfinished_uploads_together_hold_no_more_than_the_free_space(
    client, teacher, my_root, settings
):
    """Each upload was checked against the free space alone, and unfinished uploads are not
    counted in it: a hundred of them could hold a hundred times the quota on the server's disk.
    Now what a person's unfinished uploads hold is counted before each new part. (Their
    announced sizes fit together when they are created, see test_upload_reservations.py; the
    free space can shrink after that, here by a file written whole.)"""
    settings.DRIVE_QUOTA = 100
    client.force_login(teacher)
    first = create(client, my_root, "a.bin", 60)["Location"]
    second = create(client, my_root, "b.bin", 40)["Location"]
    put(my_root, "c.bin", b"z" * 30, teacher)
    assert patch(client, first, 0, b"x" * 50).status_code == 204
    refused = patch(client, second, 0, b"y" * 30)
    assert refused.status_code == 413
    assert UploadPart.objects.count() == 1
    assert patch(client, second, 0, b"y" * 20).status_code == 204
