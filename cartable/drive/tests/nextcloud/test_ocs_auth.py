from __future__ import annotations

import pytest

from cartable.drive.tests.nextcloud.conftest import basic
from cartable.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

USER = "/ocs/v2.php/cloud/user?format=json"


def test_app_password_signs_a_client_in(client, teacher, teacher_auth):
    data = client.get(USER, headers={"Authorization": teacher_auth}).json()["ocs"]["data"]
    assert data["id"] == "claire"
    assert data["display-name"] == "Claire Martin"
    assert data["email"] == teacher.email
    assert data["quota"]["used"] == 0
    assert data["quota"]["total"] == data["quota"]["quota"] > 0


def test_wrong_app_password_is_refused_with_401_in_both_versions(client, teacher):
    header = {"Authorization": basic("claire", "aaaaa-bbbbb-ccccc-ddddd-eeeee")}
    v2 = client.get(USER, headers=header)
    assert v2.status_code == 401
    assert v2.json()["ocs"]["meta"]["statuscode"] == 401
    assert "Basic" in v2["WWW-Authenticate"]
    v1 = client.get("/ocs/v1.php/cloud/user?format=json", headers=header)
    assert v1.status_code == 401
    assert v1.json()["ocs"]["meta"]["statuscode"] == 997


def test_account_password_is_not_an_app_password(client, teacher):
    response = client.get(USER, headers={"Authorization": basic("claire", PASSWORD)})
    assert response.status_code == 401


def test_session_counts_only_with_the_ocs_api_request_header(client, teacher):
    client.force_login(teacher)
    assert client.get(USER).status_code == 401
    response = client.get(USER, headers={"OCS-APIRequest": "true"})
    assert response.status_code == 200
    assert response.json()["ocs"]["data"]["id"] == "claire"


def test_guest_gets_no_user(client, guest):
    assert client.get(USER).status_code == 401


def test_a_user_reads_only_their_own_account(client, teacher_auth, colleague):
    own = client.get(
        "/ocs/v1.php/cloud/users/claire?format=json", headers={"Authorization": teacher_auth}
    )
    assert own.json()["ocs"]["data"]["id"] == "claire"
    other = client.get(
        "/ocs/v1.php/cloud/users/ahmed?format=json", headers={"Authorization": teacher_auth}
    )
    assert other.json()["ocs"]["meta"]["statuscode"] == 404
