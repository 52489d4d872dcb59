from __future__ import annotations

import pytest

from cartable.drive import access, actions
from cartable.drive.models import ShareLink

pytestmark = pytest.mark.django_db

API = "/ocs/v2.php/apps/files_sharing/api/v1"


@pytest.fixture
def folder(teacher):
    root = actions.root_of(actions.personal_space(teacher))
    return actions.create_folder(root, "Séquence 3", by=teacher)


def ocs(response, status=200):
    assert response.status_code == status, response.content
    return response.json()["ocs"]["data"]


def test_share_a_folder_with_a_user_then_list_it(client, teacher_auth, teacher, colleague, folder):
    auth = {"Authorization": teacher_auth}
    made = ocs(
        client.post(
            f"{API}/shares?format=json",
            {"path": "/Séquence 3", "shareType": 0, "shareWith": "ahmed", "permissions": 1},
            headers=auth,
        )
    )
    assert made["share_type"] == 0
    assert made["share_with"] == "ahmed"
    assert made["permissions"] == 1
    assert made["item_type"] == "folder"
    assert int(made["id"]) % 2 == 0
    assert access.abilities(colleague, folder) == {"view", "download"}
    listed = ocs(client.get(f"{API}/shares?format=json&path=/Séquence 3", headers=auth))
    assert [s["id"] for s in listed] == [made["id"]]
    assert ocs(client.get(f"{API}/shares?format=json", headers=auth))[0]["id"] == made["id"]


def test_recipient_sees_it_in_shared_with_me(client, teacher_auth, colleague_auth, folder):
    client.post(
        f"{API}/shares?format=json",
        {"path": "/Séquence 3", "shareType": 0, "shareWith": "ahmed", "permissions": 15},
        headers={"Authorization": teacher_auth},
    )
    received = ocs(
        client.get(
            f"{API}/shares?format=json&shared_with_me=true",
            headers={"Authorization": colleague_auth},
        )
    )
    assert len(received) == 1
    assert received[0]["path"] == "/Séquence 3"
    assert received[0]["permissions"] == 15
    assert received[0]["uid_owner"] == "claire"


def test_permission_bits_map_to_roles(client, teacher_auth, colleague, folder):
    auth = {"Authorization": teacher_auth}
    made = ocs(
        client.post(
            f"{API}/shares?format=json",
            {"path": "/Séquence 3", "shareType": 0, "shareWith": "ahmed", "permissions": 31},
            headers=auth,
        )
    )
    assert made["permissions"] == 31
    assert "share" in access.abilities(colleague, folder)
    changed = ocs(
        client.put(
            f"{API}/shares/{made['id']}?format=json",
            "permissions=15",
            content_type="application/x-www-form-urlencoded",
            headers=auth,
        )
    )
    assert changed["permissions"] == 15
    assert "share" not in access.abilities(colleague, folder)


def test_public_link_with_password_expiry_then_file_drop(client, teacher_auth, folder):
    auth = {"Authorization": teacher_auth}
    made = ocs(
        client.post(
            f"{API}/shares?format=json",
            {
                "path": "/Séquence 3",
                "shareType": 3,
                "password": "reunion-parents",
                "expireDate": "2099-06-30",
                "label": "Parents",
            },
            headers=auth,
        )
    )
    assert made["share_type"] == 3
    assert int(made["id"]) % 2 == 1
    assert made["token"] in made["url"]
    assert made["expiration"] == "2099-06-30 00:00:00"
    assert made["label"] == "Parents"
    assert made["permissions"] == 1
    link = ShareLink.objects.get()
    assert link.password and link.password != "reunion-parents"
    dropped = ocs(
        client.put(
            f"{API}/shares/{made['id']}?format=json",
            '{"permissions": 4}',
            content_type="application/json",
            headers=auth,
        )
    )
    assert dropped["permissions"] == 4
    link.refresh_from_db()
    assert link.file_drop
    ocs(client.delete(f"{API}/shares/{made['id']}?format=json", headers=auth))
    assert not ShareLink.objects.exists()


def test_public_upload_gives_an_editor_link(client, teacher_auth, folder):
    made = ocs(
        client.post(
            f"{API}/shares?format=json",
            {"path": "/Séquence 3", "shareType": 3, "publicUpload": "true"},
            headers={"Authorization": teacher_auth},
        )
    )
    assert made["permissions"] == 15
    assert ShareLink.objects.get().role == "editor"


def test_share_with_a_class(client, teacher_auth, klass, student, folder):
    made = ocs(
        client.post(
            f"{API}/shares?format=json",
            {
                "path": "/Séquence 3",
                "shareType": 1,
                "shareWith": str(klass.public_id),
                "permissions": 1,
            },
            headers={"Authorization": teacher_auth},
        )
    )
    assert made["share_with_displayname"] == "4e B"
    assert "view" in access.abilities(student, folder)


def test_stranger_can_neither_see_nor_delete_a_share(client, teacher_auth, colleague_auth, folder):
    made = ocs(
        client.post(
            f"{API}/shares?format=json",
            {"path": "/Séquence 3", "shareType": 3},
            headers={"Authorization": teacher_auth},
        )
    )
    other = {"Authorization": colleague_auth}
    ocs(client.get(f"{API}/shares/{made['id']}?format=json", headers=other), 404)
    ocs(client.delete(f"{API}/shares/{made['id']}?format=json", headers=other), 404)
    assert ShareLink.objects.exists()


def test_stranger_cannot_share_my_path(client, colleague_auth, folder):
    response = client.post(
        f"{API}/shares?format=json",
        {"path": "/Séquence 3", "shareType": 3},
        headers={"Authorization": colleague_auth},
    )
    ocs(response, 404)


def test_recipient_viewer_cannot_reshare(
    client, teacher_auth, colleague_auth, folder, other_teacher
):
    client.post(
        f"{API}/shares?format=json",
        {"path": "/Séquence 3", "shareType": 0, "shareWith": "ahmed", "permissions": 15},
        headers={"Authorization": teacher_auth},
    )
    response = client.post(
        f"{API}/shares?format=json",
        {"path": "/Séquence 3", "shareType": 0, "shareWith": "paul", "permissions": 1},
        headers={"Authorization": colleague_auth},
    )
    ocs(response, 403)


def test_v1_share_list_in_xml(client, teacher_auth, folder):
    client.post(
        f"{API}/shares?format=json",
        {"path": "/Séquence 3", "shareType": 3},
        headers={"Authorization": teacher_auth},
    )
    response = client.get(
        "/ocs/v1.php/apps/files_sharing/api/v1/shares", headers={"Authorization": teacher_auth}
    )
    body = response.content.decode()
    assert "<statuscode>100</statuscode>" in body
    assert "<share_type>3</share_type>" in body


def test_sharees_are_people_of_my_school_and_my_classes(
    client, teacher_auth, colleague, other_teacher, klass, student
):
    auth = {"Authorization": teacher_auth}
    found = ocs(client.get(f"{API}/sharees?format=json&search=ahm", headers=auth))
    assert [u["value"]["shareWith"] for u in found["users"]] == ["ahmed"]
    assert ocs(client.get(f"{API}/sharees?format=json&search=paul", headers=auth))["users"] == []
    assert ocs(client.get(f"{API}/sharees?format=json&search=Léa", headers=auth))["users"]
    groups = ocs(client.get(f"{API}/sharees?format=json&search=4e", headers=auth))["groups"]
    assert groups[0]["value"] == {"shareType": 1, "shareWith": str(klass.public_id)}


def test_a_nul_character_in_a_parameter_is_a_bad_request(client, teacher_auth, folder):
    """PostgreSQL holds no NUL in text: refused up front, on both databases."""
    answer = client.post(
        f"{API}/shares?format=json",
        {"path": "/Séquence 3", "shareType": 3, "password": "x\x00y", "permissions": 1},
        headers={"Authorization": teacher_auth},
    )
    assert answer.status_code == 400
    assert "NUL" in answer.json()["ocs"]["meta"]["message"]
