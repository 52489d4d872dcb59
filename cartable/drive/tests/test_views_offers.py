"""What a Drive page offers to do with each file and folder: only what the person may do
(``access.abilities``), never a link that ends in a refusal."""

import pytest

from cartable.drive import actions
from cartable.drive.actions import filedrop, sharing
from cartable.drive.models import Node
from cartable.drive.tests.conftest import put

pytestmark = pytest.mark.django_db


def offers(page: str, node: Node) -> set[str]:
    """The actions the page links to for ``node``."""
    found = set()
    id_ = str(node.public_id)
    for action, needle in {
        "rename": f"/drive/n/{id_}/rename",
        "delete": f"/drive/n/{id_}/delete",
        "share": f"/drive/n/{id_}/share",
        "move": f"op=move&amp;n={id_}",
        "copy": f"op=copy&amp;n={id_}",
        "download": f"/drive/file/{id_}/download",
        "zip": f"/drive/f/{id_}/zip",
        "select": f'name="n" value="{id_}"',
    }.items():
        if needle in page:
            found.add(action)
    return found


@pytest.fixture
def box(teacher, class_root):
    box = actions.create_folder(class_root, "Devoir 1", by=teacher)
    return filedrop.set_file_drop(box, True, by=teacher)


def test_student_is_offered_to_read_and_copy_the_class_folder_not_to_change_it(
    client, teacher, student, class_root
):
    sheet = put(class_root, "consignes.pdf", b"%PDF", teacher)
    lessons = actions.create_folder(class_root, "Cours", by=teacher)
    client.force_login(student)
    page = client.get(f"/drive/f/{class_root.public_id}").content.decode()
    assert offers(page, sheet) == {"download", "copy", "select"}
    assert offers(page, lessons) == {"zip", "copy", "select"}
    # The selection offers what every row allows.
    assert 'formaction="/drive/zip"' in page
    assert 'value="copy"' in page
    assert 'value="move"' not in page and "/drive/delete" not in page


def test_teacher_is_offered_everything_in_the_class_folder(client, teacher, class_root):
    sheet = put(class_root, "consignes.pdf", b"%PDF", teacher)
    client.force_login(teacher)
    page = client.get(f"/drive/f/{class_root.public_id}").content.decode()
    assert offers(page, sheet) == {
        "rename",
        "delete",
        "share",
        "move",
        "copy",
        "download",
        "select",
    }
    assert 'value="move"' in page and "/drive/delete" in page


def test_student_is_not_offered_to_share_a_homework_box(client, student, class_root, box):
    client.force_login(student)
    page = client.get(f"/drive/f/{class_root.public_id}").content.decode()
    # A zip of the box holds what its listing shows the pupil: their own work.
    assert offers(page, box) == {"copy", "zip", "select"}


def test_student_in_a_homework_box_may_change_only_what_they_handed_in(
    client, teacher, student, box
):
    mine = put(box, "copie-lea.pdf", b"%PDF", student)
    client.force_login(student)
    page = client.get(f"/drive/f/{box.public_id}").content.decode()
    assert offers(page, mine) == {"rename", "delete", "move", "copy", "download", "select"}
    # Not the whole box as a zip, and not sharing it.
    assert offers(page, box) == set()
    client.force_login(teacher)
    page = client.get(f"/drive/f/{box.public_id}").content.decode()
    assert "share" in offers(page, mine)


def test_editor_of_a_shared_folder_is_not_offered_to_share_what_is_in_it(
    client, teacher, colleague, my_root
):
    folder = actions.create_folder(my_root, "Séquence", by=teacher)
    plan = put(folder, "plan.md", b"# Plan", teacher)
    sharing.share_with_user(folder, colleague, "editor", by=teacher)
    client.force_login(colleague)
    page = client.get(f"/drive/f/{folder.public_id}").content.decode()
    assert offers(page, plan) == {"rename", "delete", "move", "copy", "download", "select"}


def test_a_grant_on_one_file_widens_what_its_row_offers(client, teacher, student, class_root):
    sheet = put(class_root, "consignes.pdf", b"%PDF", teacher)
    notes = put(class_root, "notes-lea.txt", b"x", teacher)
    sharing.share_with_user(notes, student, "editor", by=teacher)
    client.force_login(student)
    page = client.get(f"/drive/f/{class_root.public_id}").content.decode()
    assert "rename" in offers(page, notes) and "rename" not in offers(page, sheet)
    # A selection could hold both: it offers only what both allow.
    assert "/drive/delete" not in page


def test_student_listing_query_count_does_not_grow(
    client, teacher, student, class_root, django_assert_max_num_queries
):
    for i in range(30):
        put(class_root, f"fiche-{i}.pdf", b"%PDF", teacher)
    client.force_login(student)
    client.get("/drive/")  # the first visit makes the student's own Drive
    with django_assert_max_num_queries(30):
        assert client.get(f"/drive/f/{class_root.public_id}").status_code == 200
