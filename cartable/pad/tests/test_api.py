"""The Etherpad API's envelope, versions, key and HTTP behaviour, as Etherpad answers them."""

import json
import os
import stat

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cartable import cli
from cartable.pad import apikey
from cartable.pad.etherpad import FUNCTIONS
from cartable.pad.etherpad import views as api

from .etherpad_api import API_KEY

pytestmark = pytest.mark.django_db


def test_latest_version_is_served_with_and_without_slash(client):
    for path in ("/pad/api", "/pad/api/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == {"currentVersion": "1.3.0"}


def test_every_function_of_every_version_is_implemented():
    assert list(api.VERSIONS) == [
        "1",
        "1.1",
        "1.2",
        "1.2.1",
        "1.2.7",
        "1.2.8",
        "1.2.9",
        "1.2.10",
        "1.2.11",
        "1.2.12",
        "1.2.13",
        "1.2.14",
        "1.2.15",
        "1.3.0",
    ]
    assert set(api.VERSIONS["1.3.0"]) == set(FUNCTIONS)
    assert len(FUNCTIONS) == 48
    for older, newer in zip(list(api.VERSIONS), list(api.VERSIONS)[1:], strict=False):
        assert set(api.VERSIONS[older]) <= set(api.VERSIONS[newer])


def test_functions_appear_in_the_version_that_introduced_them(api):
    assert api("appendText", version="1.2.12", padID="x")["code"] == 3
    assert api.last.status_code == 404
    assert api("getStats", version="1.2.13")["code"] == 3
    assert api.ok("getStats", version="1.2.14")["totalPads"] == 0
    assert api("checkToken", version="1.1")["code"] == 3
    assert api.ok("checkToken", version="1.2") is None
    assert api.ok("createGroup", version="1")["groupID"].startswith("g.")


def test_author_of_a_change_is_taken_from_1_3_0_only(api):
    author = api.ok("createAuthor", name="Zoé")["authorID"]
    api.ok("createPad", version="1.2.15", padID="old", text="a", authorId=author)
    api.ok("createPad", version="1.3.0", padID="new", text="a", authorId=author)
    assert api.ok("listAuthorsOfPad", padID="old")["authorIDs"] == []
    assert api.ok("listAuthorsOfPad", padID="new")["authorIDs"] == [author]


def test_envelope_of_a_success(api):
    answer = api("createPad", padID="enveloppe")
    assert answer == {"code": 0, "message": "ok", "data": None}
    assert api.last.status_code == 200
    assert api.last["Content-Type"].startswith("application/json")


def test_wrong_parameters_are_code_1_with_http_200(api):
    assert api.error("getText", padID="absent") == "padID does not exist"


def test_missing_key_is_code_4_with_http_401(api):
    answer = api("checkToken", key=None)
    assert answer == {"code": 4, "message": "no or wrong API Key", "data": None}
    assert api.last.status_code == 401


def test_wrong_key_is_refused_whatever_the_function(api):
    assert api("createPad", key="not-the-key", padID="x")["code"] == 4
    assert api.last.status_code == 401
    assert api("listAllPads", key="")["code"] == 4


def test_unknown_function_is_code_3_with_http_404_before_the_key_is_checked(api):
    answer = api("dropAllPads", key=None)
    assert answer == {"code": 3, "message": "no such function", "data": None}
    assert api.last.status_code == 404


def test_unknown_version_is_code_3(api):
    answer = api("checkToken", version="9.9")
    assert answer == {"code": 3, "message": "no such api version", "data": None}
    assert api.last.status_code == 404


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_http_methods_are_no_such_function(api, method):
    assert api("checkToken", method=method)["code"] == 3
    assert api.last.status_code == 404


def test_key_in_the_query_string_form_body_json_body_or_headers(api, client):
    assert api("checkToken", method="GET")["code"] == 0
    assert api("checkToken", method="POST")["code"] == 0
    assert api("checkToken", method="JSON")["code"] == 0
    path = "/pad/api/1.3.0/checkToken"
    assert client.post(path, {"api_key": API_KEY}).json()["code"] == 0
    assert client.post(path, headers={"apikey": API_KEY}).json()["code"] == 0
    assert client.get(path, headers={"Authorization": f"Bearer {API_KEY}"}).json()["code"] == 0
    assert client.get(path, headers={"Authorization": API_KEY}).json()["code"] == 0
    assert client.get(path, headers={"Authorization": "Bearer nope"}).json()["code"] == 4


def test_post_parameters_win_over_the_query_string(api, client):
    response = client.post(
        f"/pad/api/1.3.0/createPad?apikey={API_KEY}&padID=from-query", {"padID": "from-body"}
    )
    assert response.json()["code"] == 0
    assert api.ok("listAllPads")["padIDs"] == ["from-body"]


def test_json_body_with_typed_values(api):
    api.ok("createGroup")
    group = api.ok("createGroup")["groupID"]
    pad = api.ok("createGroupPad", method="JSON", groupID=group, padName="json")["padID"]
    api.ok("setPublicStatus", method="JSON", padID=pad, publicStatus=True)
    assert api.ok("getPublicStatus", padID=pad) == {"publicStatus": True}
    api.ok("setText", method="JSON", padID=pad, text="héllo")
    assert api.ok("getText", method="JSON", padID=pad, rev=1) == {"text": "héllo\n"}


def test_malformed_json_body_is_wrong_parameters(api, client):
    response = client.post(
        f"/pad/api/1.3.0/checkToken?apikey={API_KEY}", "{nope", content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["code"] == 1


def test_a_body_over_the_upload_limit_is_refused_as_wrong_parameters(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = api("setText", method="POST", padID="x", text="a" * 2000)
    assert answer == {"code": 1, "message": "request body too large", "data": None}
    assert api.last.status_code == 413


def test_the_api_needs_no_csrf_token(api):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/pad/api/1.3.0/createPad", {"apikey": API_KEY, "padID": "csrf"})
    assert response.json()["code"] == 0


def test_an_unexpected_failure_is_code_2_with_http_500(api, monkeypatch):
    def broken(params):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(FUNCTIONS, "checkToken", broken)
    answer = api("checkToken")
    assert answer == {"code": 2, "message": "internal error", "data": None}
    assert api.last.status_code == 500


def test_the_key_is_generated_once_into_the_data_directory(settings, tmp_path, client):
    settings.PAD_API_KEY = ""
    settings.DATA_DIR = tmp_path
    key = apikey.api_key()
    path = tmp_path / "pad_apikey.txt"
    assert path.read_text() == key and len(key) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert apikey.api_key() == key
    assert [p.name for p in tmp_path.iterdir()] == ["pad_apikey.txt"]
    answer = client.get("/pad/api/1.2/checkToken", {"apikey": key}).json()
    assert answer["code"] == 0


def test_the_configured_key_wins_over_the_file(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    (tmp_path / "pad_apikey.txt").write_text("from-file")
    settings.PAD_API_KEY = "from-environment"
    assert apikey.api_key() == "from-environment"
    assert apikey.check_key("from-environment") and not apikey.check_key("from-file")


def test_cartable_pad_apikey_prints_the_key(settings, tmp_path, capsys):
    settings.PAD_API_KEY = ""
    settings.DATA_DIR = tmp_path
    assert cli.main(["pad", "apikey"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == (tmp_path / "pad_apikey.txt").read_text()


def test_answers_are_utf8_json(api):
    api.ok("createPad", padID="accents", text="Élève")
    raw = api.last.content
    api.ok("getText", padID="accents")
    assert "Élève".encode() in api.last.content
    assert json.loads(raw)["code"] == 0


def test_a_refusal_from_an_action_is_wrong_parameters(api, monkeypatch):
    def refused(params):
        raise ValidationError("A pad with this name already exists.")

    monkeypatch.setitem(FUNCTIONS, "checkToken", refused)
    answer = api("checkToken")
    assert answer == {"code": 1, "message": "A pad with this name already exists.", "data": None}
    assert api.last.status_code == 200


def test_a_nul_character_in_a_parameter_is_code_1(api):
    """PostgreSQL holds no NUL in text: refused up front, on both databases."""
    assert "NUL" in api.error("createAuthor", name="Zo\x00é")
    assert "NUL" in api.error("createPad", padID="nul", text="a\x00b")
