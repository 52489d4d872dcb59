"""The share dialog, on the sharing actions."""

import pytest

from cartable.drive import actions
from cartable.drive.actions import sharing
from cartable.drive.actions.sharing import sharees
from cartable.drive.models import ShareLink
from cartable.drive.tests.conftest import put

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages these tests look for are the English ones."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_share_with_a_class_and_the_student_sees_it(client, teacher, student, klass, my_root):
    folder = actions.create_folder(my_root, "Ressources", by=teacher)
    put(folder, "fiche.pdf", b"%PDF", teacher)
    client.force_login(teacher)
    assert client.get(f"/drive/n/{folder.public_id}/share").status_code == 200
    client.post(
        f"/drive/n/{folder.public_id}/share",
        {"action": "group", "group": klass.public_id, "role": "viewer"},
    )
    client.force_login(student)
    assert "Ressources" in client.get("/drive/").content.decode()
    assert "fiche.pdf" in client.get(f"/drive/f/{folder.public_id}").content.decode()


def test_share_with_a_colleague_by_email_then_revoke(client, teacher, colleague, my_root):
    node = put(my_root, "plan.txt", b"x", teacher)
    client.force_login(teacher)
    client.post(
        f"/drive/n/{node.public_id}/share",
        {"action": "user", "who": colleague.email, "role": "editor"},
    )
    grant = sharing.grants_of(node)[0]
    assert grant.user == colleague and grant.role == "editor"
    client.force_login(colleague)
    assert client.get(f"/drive/file/{node.public_id}").status_code == 200
    client.force_login(teacher)
    client.post(f"/drive/n/{node.public_id}/share", {"action": "revoke-grant", "grant": grant.pk})
    client.force_login(colleague)
    assert client.get(f"/drive/file/{node.public_id}").status_code == 404


def test_people_search_stays_within_the_school(client, teacher, colleague, other_teacher):
    client.force_login(teacher)
    found = client.get("/drive/people.json?q=a").json()["people"]
    assert client.get("/drive/people.json?q=ahmed").json()["people"][0]["label"].startswith("Ahmed")
    assert not client.get("/drive/people.json?q=paul").json()["people"]
    assert isinstance(found, list)


def test_create_a_file_drop_link_with_password_and_expiry(client, teacher, my_root):
    folder = actions.create_folder(my_root, "Rendus", by=teacher)
    client.force_login(teacher)
    client.post(
        f"/drive/n/{folder.public_id}/share",
        {"action": "link", "kind": "drop", "password": "rendus-de-juin", "expires": "2099-01-01"},
    )
    link = ShareLink.objects.get(node=folder)
    assert link.file_drop and link.password and link.expires_at.year == 2099
    page = client.get(f"/drive/n/{folder.public_id}/share").content.decode()
    assert f"/drive/s/{link.token}" in page
    client.post(
        f"/drive/n/{folder.public_id}/share", {"action": "revoke-link", "link": link.public_id}
    )
    assert not ShareLink.objects.exists()


def test_student_and_other_teacher_cannot_open_the_share_dialog(
    client, teacher, student, other_teacher, class_root, my_root
):
    node = put(class_root, "x.txt", b"x", teacher)
    mine = put(my_root, "y.txt", b"y", teacher)
    client.force_login(student)
    assert client.get(f"/drive/n/{node.public_id}/share").status_code == 403
    client.force_login(other_teacher)
    assert client.get(f"/drive/n/{mine.public_id}/share").status_code == 404
    response = client.post(f"/drive/n/{mine.public_id}/share", {"action": "link", "kind": "viewer"})
    assert response.status_code == 404
    assert not ShareLink.objects.exists()


def test_students_find_only_people_of_their_classes(teacher, colleague, student):
    assert sharees(student, "Ahmed") == []
    assert sharees(student, "Claire") == [teacher]
    assert colleague in sharees(teacher, "Ahmed")
