"""Drive on the class page: the class's folder and its homework boxes, and "New homework box"."""

import pytest
from django.utils import translation

from cartable.core.registry import registry
from cartable.drive import actions, errors
from cartable.drive.actions import filedrop
from cartable.drive.models import Node
from cartable.drive.platform import class_section
from cartable.drive.tests.conftest import put

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def box(teacher, class_root):
    box = actions.create_folder(class_root, "Devoir 1", by=teacher)
    return filedrop.set_file_drop(box, True, by=teacher)


def test_drive_registers_its_tool_top_bar_entry_and_class_section():
    assert registry.tools["drive"].url_name == "drive:home"
    assert registry.nav["drive"].namespaces == ("drive",)
    assert registry.class_sections["drive"].content is class_section


def test_student_sees_the_class_folder_and_the_homework_boxes_to_hand_in_to(
    teacher, student, klass, class_root, box
):
    actions.create_folder(class_root, "Cours", by=teacher)
    content = class_section(student, klass)
    assert [(i.title, i.url) for i in content.items] == [
        ("Class folder", f"/drive/f/{class_root.public_id}"),
        ("Devoir 1", f"/drive/f/{box.public_id}"),
    ]
    assert "hand in" in str(content.items[1].meta)
    assert content.actions == []


def test_teacher_sees_how_many_files_were_handed_in_and_may_create_a_box(
    teacher, student, klass, class_root, box
):
    put(box, "copie-lea.pdf", b"%PDF", student)
    content = class_section(teacher, klass)
    assert "1 file handed in" in str(content.items[1].meta)
    assert [a.url for a in content.actions] == [f"/drive/f/{class_root.public_id}/new-folder?box=1"]


def test_a_trashed_homework_box_is_not_listed(teacher, klass, box):
    actions.trash(box, by=teacher)
    assert len(class_section(teacher, klass).items) == 1


def test_no_section_for_someone_outside_the_class(other_teacher, klass, class_root):
    assert class_section(other_teacher, klass) is None


def test_teacher_creates_a_homework_box_from_the_class_page(client, teacher, klass, class_root):
    client.force_login(teacher)
    url = f"/drive/f/{class_root.public_id}/new-folder?box=1"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Devoir 2", "box": "1"})
    box = Node.objects.get(parent=class_root, name="Devoir 2")
    assert box.file_drop
    assert response["Location"] == f"/drive/f/{box.public_id}"


def test_student_may_not_create_a_homework_box(client, student, klass, class_root):
    client.force_login(student)
    url = f"/drive/f/{class_root.public_id}/new-folder?box=1"
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Devoir 2", "box": "1"}).status_code == 403
    assert not Node.objects.filter(name="Devoir 2").exists()


def test_no_homework_box_in_a_personal_folder(client, teacher, my_root):
    client.force_login(teacher)
    url = f"/drive/f/{my_root.public_id}/new-folder?box=1"
    assert client.post(url, {"name": "Boîte", "box": "1"}).status_code == 403
    with pytest.raises(errors.Forbidden):
        filedrop.create_homework_box(my_root, "Boîte", by=teacher)
