"""Real Etherpad client libraries from PyPI, unchanged, against a running Cartable.

``pyetherpadlite`` sends its key in the form body, or in an ``apikey`` header for long texts;
``etherpad-lite`` posts every call as a form. Both are pointed at ``<server>/pad/api``, as
Moodle and Nextcloud are given ``<server>/pad`` as the Etherpad address.
"""

import time
import urllib.error

import pytest
from etherpad_lite import EtherpadException
from etherpad_lite import EtherpadLiteClient as ChangacoClient
from py_etherpad import EtherpadLiteClient

from .etherpad_api import API_KEY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def base_url(live_server, settings):
    settings.PAD_API_KEY = API_KEY
    return f"{live_server.url}/pad/api"


def test_pyetherpadlite_drives_a_moodle_like_course(base_url):
    ep = EtherpadLiteClient(apiKey=API_KEY, baseUrl=base_url, api_version="1.3.0")
    assert ep.checkToken() is None
    group = ep.createGroupIfNotExistsFor("course-12")["groupID"]
    pad_id = ep.createGroupPad(group, "activity-3", "Consigne")["padID"]
    assert pad_id == f"{group}$activity-3"
    author = ep.createAuthorIfNotExistsFor("user-7", "Claire Martin")["authorID"]
    session = ep.createSession(group, author, int(time.time()) + 3600)["sessionID"]
    assert ep.getSessionInfo(session)["authorID"] == author
    assert ep.listPads(group) == {"padIDs": [pad_id]}
    long_text = "Une longue consigne. " * 600  # over 8 KiB: sent as POST, key in a header
    ep.setText(pad_id, long_text)
    assert ep.getText(pad_id)["text"] == long_text.rstrip() + " \n"
    ep.appendText(pad_id, "Fin.")
    assert ep.getText(pad_id)["text"].endswith("Fin.\n")
    ep.setHtml(pad_id, "<p>Bonjour <em>tous</em></p>")
    assert "<em>tous</em>" in ep.getHtml(pad_id)["html"]
    assert ep.getText(pad_id, rev=1) == {"text": "Consigne\n"}
    assert ep.getRevisionsCount(pad_id) == {"revisions": 4}
    ep.saveRevision(pad_id)
    assert ep.listSavedRevisions(pad_id) == {"savedRevisions": [4]}
    ep.setPublicStatus(pad_id, True)
    assert ep.getPublicStatus(pad_id) == {"publicStatus": True}
    ro = ep.getReadOnlyID(pad_id)["readOnlyID"]
    assert ep.getPadID(ro) == {"padID": pad_id}
    ep.appendChatMessage(pad_id, "Bonjour", author)
    assert ep.getChatHead(pad_id) == {"chatHead": 0}
    assert ep.getChatHistory(pad_id)["messages"][0]["userName"] == "Claire Martin"
    assert ep.padUsersCount(pad_id) == {"padUsersCount": 0}
    assert ep.getAuthorName(author) == "Claire Martin"
    ep.copyPad(pad_id, "copie")
    with pytest.raises(ValueError, match="destinationID already exists"):
        ep.copyPad(pad_id, "copie")
    ep.movePad("copie", "deplacee")
    assert ep.listAllPads() == {"padIDs": ["deplacee", pad_id]}
    assert ep.getStats()["totalPads"] == 2
    ep.deletePad("deplacee")
    with pytest.raises(ValueError, match="padID does not exist"):
        ep.getText("deplacee")
    ep.deleteGroup(group)
    assert ep.listAllGroups() == {"groupIDs": []}


def test_pyetherpadlite_with_a_wrong_key_gets_http_401(base_url):
    ep = EtherpadLiteClient(apiKey="wrong", baseUrl=base_url)
    with pytest.raises(urllib.error.HTTPError) as caught:
        ep.checkToken()
    assert caught.value.code == 401


def test_etherpad_lite_client(base_url):
    ep = ChangacoClient(base_params={"apikey": API_KEY}, base_url=base_url, api_version="1.2.13")
    ep.createPad(padID="notes", text="Première ligne")
    ep.appendText(padID="notes", text="\nSeconde")
    assert ep.getText(padID="notes") == {"text": "Première ligne\nSeconde\n"}
    author = ep.createAuthor(name="Ahmed")["authorID"]
    assert ep.getAuthorName(authorID=author) == "Ahmed"
    with pytest.raises(EtherpadException, match="padID does already exist"):
        ep.createPad(padID="notes")
    with pytest.raises(urllib.error.HTTPError):
        ep.getStats()  # 1.2.14: not in the version this client asked for
