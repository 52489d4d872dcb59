"""The Drive pages: root, folders, search, favourites, recent, activity — and who is refused."""

import pytest

from cartable.accounts.models import Membership
from cartable.drive import actions
from cartable.drive.actions import filedrop
from cartable.drive.models import Node
from cartable.drive.tests.conftest import put
from cartable.testing.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages these tests look for are the English ones."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_home_lists_own_files_and_class_folders(client, teacher, klass, my_root):
    put(my_root, "cours.pdf", b"%PDF-1.4", teacher)
    actions.create_folder(my_root, "Séquences", by=teacher)
    client.force_login(teacher)
    page = client.get("/drive/").content.decode()
    assert "cours.pdf" in page
    assert "Séquences" in page
    assert "4e B" in page  # the class folder, mounted at the root


def test_folder_page_has_breadcrumbs_sort_and_filter(client, teacher, my_root):
    folder = actions.create_folder(my_root, "Maths", by=teacher)
    put(folder, "b-big.txt", b"x" * 3000, teacher)
    put(folder, "a-small.txt", b"x", teacher)
    client.force_login(teacher)
    page = client.get(f"/drive/f/{folder.public_id}?sort=size&order=desc").content.decode()
    assert page.index("b-big.txt") < page.index("a-small.txt")
    assert 'aria-current="page">Maths</a>' in page
    page = client.get(f"/drive/f/{folder.public_id}?q=SMALL").content.decode()
    assert "a-small.txt" in page and "b-big.txt" not in page


def test_student_sees_the_class_folder(client, teacher, student, klass, class_root):
    put(class_root, "devoir.pdf", b"%PDF", teacher)
    client.force_login(student)
    assert "devoir.pdf" in client.get(f"/drive/f/{class_root.public_id}").content.decode()


def test_student_cannot_see_teacher_personal_folder(client, teacher, student, my_root):
    folder = actions.create_folder(my_root, "Privé", by=teacher)
    client.force_login(student)
    assert client.get(f"/drive/f/{folder.public_id}").status_code == 404


def test_other_teacher_refused(client, teacher, other_teacher, my_root):
    folder = actions.create_folder(my_root, "Privé", by=teacher)
    node = put(folder, "notes.txt", b"secret", teacher)
    client.force_login(other_teacher)
    assert client.get(f"/drive/f/{folder.public_id}").status_code == 404
    assert client.get(f"/drive/file/{node.public_id}").status_code == 404
    assert client.get(f"/drive/file/{node.public_id}/download").status_code == 404


def test_guest_is_sent_to_sign_in(client, teacher, my_root):
    folder = actions.create_folder(my_root, "Privé", by=teacher)
    for url in ("/drive/", f"/drive/f/{folder.public_id}", "/drive/trash", "/drive/search?q=a"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_search_finds_names_across_my_drive(client, teacher, klass, my_root, class_root):
    put(my_root, "Rapport annuel.odt", b"x", teacher)
    put(class_root, "rapport de stage.pdf", b"x", teacher)
    put(my_root, "autre.txt", b"x", teacher)
    client.force_login(teacher)
    page = client.get("/drive/search?q=rapport").content.decode()
    assert "Rapport annuel.odt" in page and "rapport de stage.pdf" in page
    assert "autre.txt" not in page


def test_search_does_not_show_other_students_homework(client, teacher, student, klass, class_root):
    box = actions.create_folder(class_root, "Rendus", by=teacher)
    filedrop.set_file_drop(box, True, by=teacher)
    other = StudentFactory(username="tom", display_name="Tom")
    Membership.objects.create(group=klass, user=other, role=Membership.Role.MEMBER)
    put(box, "copie-tom.pdf", b"x", other)
    put(box, "copie-lea.pdf", b"x", student)
    client.force_login(student)
    page = client.get("/drive/search?q=copie").content.decode()
    assert "copie-lea.pdf" in page and "copie-tom.pdf" not in page
    page = client.get(f"/drive/f/{box.public_id}").content.decode()
    assert "copie-lea.pdf" in page and "copie-tom.pdf" not in page
    client.force_login(teacher)
    page = client.get(f"/drive/f/{box.public_id}").content.decode()
    assert "copie-lea.pdf" in page and "copie-tom.pdf" in page
    assert "Tom" in page and "Léa" in page  # who handed in each file


def test_favourites_and_recent(client, teacher, my_root):
    node = put(my_root, "plan.txt", b"x", teacher)
    client.force_login(teacher)
    assert "plan.txt" in client.get("/drive/recent").content.decode()
    assert "plan.txt" not in client.get("/drive/favourites").content.decode()
    client.post(f"/drive/n/{node.public_id}/favourite", {"on": "1"})
    assert "plan.txt" in client.get("/drive/favourites").content.decode()
    client.post(f"/drive/n/{node.public_id}/favourite", {"on": "0"})
    assert "plan.txt" not in client.get("/drive/favourites").content.decode()


def test_activity_of_a_folder(client, teacher, my_root):
    folder = actions.create_folder(my_root, "Projet", by=teacher)
    put(folder, "idée.txt", b"x", teacher)
    client.force_login(teacher)
    page = client.get(f"/drive/f/{folder.public_id}/activity").content.decode()
    assert "Claire Martin" in page and "idée.txt" in page


def test_listing_query_count_does_not_grow(client, teacher, my_root, django_assert_max_num_queries):
    folder = actions.create_folder(my_root, "Beaucoup", by=teacher)
    for i in range(30):
        Node.objects.create(
            space=folder.space,
            parent=folder,
            kind=Node.Kind.FOLDER,
            name=f"d{i}",
            path=f"{folder.path}/d{i}",
            mtime=folder.mtime,
            modified_by=teacher,
        )
    client.force_login(teacher)
    with django_assert_max_num_queries(30):
        assert client.get(f"/drive/f/{folder.public_id}").status_code == 200
