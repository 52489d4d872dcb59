"""Creating, renaming, moving, copying, deleting and uploading through the Drive pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cartable.drive import actions
from cartable.drive.models import Node
from cartable.drive.tests.conftest import put, read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages these tests look for are the English ones."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def live(parent, name):
    return actions.live_child(parent, name)


def test_create_folder_and_name_taken(client, teacher, my_root):
    client.force_login(teacher)
    url = f"/drive/f/{my_root.public_id}/new-folder"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Cours 🎓"})
    assert response.status_code == 302
    assert live(my_root, "Cours 🎓").is_folder
    again = client.post(url, {"name": "Cours 🎓"})
    assert again.status_code == 200
    assert "already exists" in again.content.decode()


def test_rename(client, teacher, my_root):
    node = put(my_root, "brouillon.txt", b"x", teacher)
    client.force_login(teacher)
    client.post(f"/drive/n/{node.public_id}/rename", {"name": "final.txt"})
    node.refresh_from_db()
    assert node.name == "final.txt"


def test_rename_refuses_slashes_and_dotdot(client, teacher, my_root):
    node = put(my_root, "a.txt", b"x", teacher)
    client.force_login(teacher)
    for bad in ("../evil", "a/b", ".."):
        client.post(f"/drive/n/{node.public_id}/rename", {"name": bad})
        node.refresh_from_db()
        assert node.name == "a.txt"


def test_move_and_copy_through_the_picker(client, teacher, my_root):
    src = put(my_root, "doc.txt", b"hello", teacher)
    dest = actions.create_folder(my_root, "Archive", by=teacher)
    client.force_login(teacher)
    page = client.get(f"/drive/pick?op=copy&n={src.public_id}&at={my_root.public_id}")
    assert "Archive" in page.content.decode()
    client.post("/drive/pick", {"op": "copy", "n": [src.public_id], "to": dest.public_id})
    assert read(live(dest, "doc.txt")) == b"hello"
    client.post("/drive/pick", {"op": "copy", "n": [src.public_id], "to": my_root.public_id})
    assert live(my_root, "doc (2).txt") is not None
    taken = client.post(
        "/drive/pick", {"op": "move", "n": [src.public_id], "to": dest.public_id}, follow=True
    )
    assert "already exists" in taken.content.decode()
    other = actions.create_folder(my_root, "Autre", by=teacher)
    client.post("/drive/pick", {"op": "move", "n": [src.public_id], "to": other.public_id})
    assert live(my_root, "doc.txt") is None
    src.refresh_from_db()
    assert src.parent_id == other.pk


def test_picker_starts_at_my_drive_with_class_folders(client, teacher, klass, my_root):
    src = put(my_root, "doc.txt", b"x", teacher)
    client.force_login(teacher)
    page = client.get(f"/drive/pick?op=move&n={src.public_id}").content.decode()
    assert "My files" in page and "4e B" in page


def test_delete_goes_to_the_trash_and_back(client, teacher, my_root):
    node = put(my_root, "old.txt", b"x", teacher)
    client.force_login(teacher)
    assert client.get(f"/drive/n/{node.public_id}/delete").status_code == 200
    client.post("/drive/delete", {"n": [node.public_id], "confirm": "1"})
    node.refresh_from_db()
    assert node.trashed
    assert "old.txt" in client.get("/drive/trash").content.decode()
    client.post(f"/drive/trash/{node.public_id}/restore")
    node.refresh_from_db()
    assert not node.trashed and node.parent_id == my_root.pk


def test_purge_and_empty_trash(client, teacher, my_root):
    a = put(my_root, "a.txt", b"x", teacher)
    b = put(my_root, "b.txt", b"x", teacher)
    actions.trash(a, by=teacher)
    actions.trash(b, by=teacher)
    client.force_login(teacher)
    client.post(f"/drive/trash/{a.public_id}/purge")
    assert not Node.objects.filter(pk=a.pk).exists()
    client.post("/drive/trash/empty")
    assert not Node.objects.filter(pk=b.pk).exists()


def test_other_teacher_cannot_restore_or_purge(client, teacher, other_teacher, my_root):
    node = put(my_root, "a.txt", b"x", teacher)
    actions.trash(node, by=teacher)
    client.force_login(other_teacher)
    assert client.post(f"/drive/trash/{node.public_id}/restore").status_code == 404
    assert client.post(f"/drive/trash/{node.public_id}/purge").status_code == 404
    assert "a.txt" not in client.get("/drive/trash").content.decode()


def test_student_cannot_change_the_class_folder(client, teacher, student, class_root):
    node = put(class_root, "sujet.pdf", b"x", teacher)
    client.force_login(student)
    assert client.post(f"/drive/n/{node.public_id}/rename", {"name": "x"}).status_code == 403
    assert client.post("/drive/delete", {"n": [node.public_id], "confirm": "1"}).status_code == 403
    response = client.post(f"/drive/f/{class_root.public_id}/new-folder", {"name": "x"})
    assert response.status_code == 403
    node.refresh_from_db()
    assert node.name == "sujet.pdf" and not node.trashed


def test_other_teacher_cannot_move_into_my_folder(client, teacher, other_teacher, my_root):
    theirs = put(
        actions.root_of(actions.personal_space(other_teacher)), "x.txt", b"x", other_teacher
    )
    client.force_login(other_teacher)
    response = client.post(
        "/drive/pick", {"op": "move", "n": [theirs.public_id], "to": my_root.public_id}
    )
    assert response.status_code == 404


def test_plain_upload_form(client, teacher, my_root):
    client.force_login(teacher)
    files = [SimpleUploadedFile("é1.txt", b"one"), SimpleUploadedFile("two.txt", b"two")]
    response = client.post(
        f"/drive/f/{my_root.public_id}/upload", {"files": files, "conflict": "rename"}
    )
    assert response.status_code == 302
    assert read(live(my_root, "é1.txt")) == b"one"
    client.post(
        f"/drive/f/{my_root.public_id}/upload",
        {"files": [SimpleUploadedFile("two.txt", b"again")], "conflict": "rename"},
    )
    assert read(live(my_root, "two (2).txt")) == b"again"
    client.post(
        f"/drive/f/{my_root.public_id}/upload",
        {"files": [SimpleUploadedFile("two.txt", b"new")], "conflict": "replace"},
    )
    node = live(my_root, "two.txt")
    assert read(node) == b"new"
    assert node.versions.count() == 1


def test_quota_refusal_is_shown(client, teacher, my_root, settings):
    settings.DRIVE_QUOTA = 10
    client.force_login(teacher)
    response = client.post(
        f"/drive/f/{my_root.public_id}/upload",
        {"files": [SimpleUploadedFile("big.bin", b"x" * 100)]},
        follow=True,
    )
    assert "not enough space" in response.content.decode()
    assert live(my_root, "big.bin") is None


def test_teacher_makes_a_homework_box_student_cannot(client, teacher, student, class_root):
    folder = actions.create_folder(class_root, "Rendus", by=teacher)
    client.force_login(student)
    assert client.post(f"/drive/f/{folder.public_id}/file-drop", {"on": "1"}).status_code == 403
    client.force_login(teacher)
    client.post(f"/drive/f/{folder.public_id}/file-drop", {"on": "1"})
    folder.refresh_from_db()
    assert folder.file_drop
