from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db


def test_status_php_says_installed_with_a_version_clients_accept(client):
    status = client.get("/status.php").json()
    assert status["installed"] is True
    assert status["maintenance"] is False
    assert status["needsDbUpgrade"] is False
    assert status["productname"] == "Cartable"
    major = int(status["version"].split(".")[0])
    assert major >= 26
    assert status["versionstring"].startswith(f"{major}.")


def test_capabilities_answer_in_xml_by_default_with_v1_codes(client):
    response = client.get("/ocs/v1.php/cloud/capabilities")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer
    assert root.findtext("meta/statuscode") == "100"
    assert root.findtext("meta/status") == "ok"
    assert root.findtext("data/capabilities/core/webdav-root") == "remote.php/webdav"
    types = [e.text for e in root.findall("data/capabilities/checksums/supportedTypes/element")]
    assert types == ["SHA1", "MD5"]


def test_capabilities_answer_in_json_when_asked_with_v2_codes(client):
    for response in (
        client.get("/ocs/v2.php/cloud/capabilities?format=json"),
        client.get("/ocs/v2.php/cloud/capabilities", headers={"Accept": "application/json"}),
    ):
        ocs = response.json()["ocs"]
        assert ocs["meta"]["statuscode"] == 200
        caps = ocs["data"]["capabilities"]
        assert caps["core"]["pollinterval"] > 0
        assert caps["files_sharing"]["api_enabled"] is True
        assert caps["checksums"]["preferredUploadType"] == "SHA1"
        assert caps["theming"]["name"] == "Cartable"
        assert "bulkupload" not in caps["dav"]


def test_unknown_ocs_endpoint_is_an_ocs_not_found(client, teacher_auth):
    v2 = client.get(
        "/ocs/v2.php/apps/notifications/api/v2/notifications?format=json",
        headers={"Authorization": teacher_auth},
    )
    assert v2.status_code == 404
    assert v2.json()["ocs"]["meta"]["status"] == "failure"
    v1 = client.get("/ocs/v1.php/apps/notifications/api/v2/notifications")
    assert v1.status_code == 200
    assert "<statuscode>404</statuscode>" in v1.content.decode()
