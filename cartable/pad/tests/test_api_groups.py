"""Groups, authors and sessions through the Etherpad API, and the access they give."""

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from cartable.core.roles import Reach
from cartable.pad.access import resolve
from cartable.pad.models import Pad, PadAuthor, PadGroup, PadSession

pytestmark = pytest.mark.django_db


def _future() -> int:
    return int(time.time()) + 3600


def test_groups(api):
    group = api.ok("createGroup")["groupID"]
    assert group.startswith("g.") and len(group) == 18
    assert api.ok("listAllGroups") == {"groupIDs": [group]}
    assert api.ok("listPads", groupID=group) == {"padIDs": []}
    assert api.error("listPads", groupID="g.nothing") == "groupID does not exist"
    assert api.error("listPads") == "groupID does not exist"


def test_create_group_if_not_exists_for_maps_the_callers_ids(api):
    first = api.ok("createGroupIfNotExistsFor", groupMapper="cours-42")["groupID"]
    again = api.ok("createGroupIfNotExistsFor", groupMapper="cours-42")["groupID"]
    other = api.ok("createGroupIfNotExistsFor", groupMapper="cours-43")["groupID"]
    assert first == again != other
    assert api.error("createGroupIfNotExistsFor") == "groupMapper is not a string"
    api.ok("deleteGroup", groupID=first)
    assert api.ok("createGroupIfNotExistsFor", groupMapper="cours-42")["groupID"] != first


def test_group_pads(api, guest):
    group = api.ok("createGroup")["groupID"]
    data = api.ok("createGroupPad", groupID=group, padName="notes", text="Bonjour")
    assert data == {"padID": f"{group}$notes"}
    assert api.ok("getText", padID=f"{group}$notes") == {"text": "Bonjour\n"}
    assert api.ok("listPads", groupID=group) == {"padIDs": [f"{group}$notes"]}
    assert api.ok("listAllPads") == {"padIDs": [f"{group}$notes"]}
    pad = Pad.objects.get(pad_id=f"{group}$notes")
    assert pad.pad_group.group_id == group and pad.reach == Reach.RESTRICTED
    assert not pad.public_status
    # Without a session, a group pad is closed, even to whoever knows its name.
    assert resolve(guest, pad.pad_id) is None
    assert api.error("createGroupPad", groupID=group, padName="notes") == (
        "padName does already exist"
    )
    assert api.error("createGroupPad", groupID="g.aaaaaaaaaaaaaaaa", padName="x") == (
        "groupID does not exist"
    )
    assert api.error("createGroupPad", groupID=group) == "padName is not a string"


def test_group_pad_names_are_sanitized(api):
    group = api.ok("createGroup")["groupID"]
    assert api.ok("createGroupPad", groupID=group, padName="mon pad") == {
        "padID": f"{group}$mon_pad"
    }


def test_delete_group_deletes_its_pads_and_sessions(api):
    group = api.ok("createGroup")["groupID"]
    author = api.ok("createAuthor")["authorID"]
    api.ok("createGroupPad", groupID=group, padName="a")
    api.ok("createSession", groupID=group, authorID=author, validUntil=_future())
    assert api.ok("deleteGroup", groupID=group) is None
    assert not Pad.objects.exists() and not PadSession.objects.exists()
    assert not PadGroup.objects.exists()
    assert api.error("deleteGroup", groupID=group) == "groupID does not exist"


def test_public_status_of_group_pads(api, guest):
    group = api.ok("createGroup")["groupID"]
    pad_id = api.ok("createGroupPad", groupID=group, padName="public")["padID"]
    assert api.ok("getPublicStatus", padID=pad_id) == {"publicStatus": False}
    api.ok("setPublicStatus", padID=pad_id, publicStatus="true")
    assert api.ok("getPublicStatus", padID=pad_id) == {"publicStatus": True}
    assert resolve(guest, pad_id).can_edit
    api.ok("setPublicStatus", padID=pad_id, publicStatus="False")
    assert api.ok("getPublicStatus", padID=pad_id) == {"publicStatus": False}
    assert resolve(guest, pad_id) is None
    api.ok("createPad", padID="simple")
    message = "You can only get/set the publicStatus of pads that belong to a group"
    assert api.error("getPublicStatus", padID="simple") == message
    assert api.error("setPublicStatus", padID="simple", publicStatus="true") == message
    assert api.error("getPublicStatus", padID=f"{group}$absent") == "padID does not exist"


def test_authors(api):
    anonymous = api.ok("createAuthor")["authorID"]
    named = api.ok("createAuthor", name="Claire")["authorID"]
    assert anonymous.startswith("a.") and len(anonymous) == 18
    assert api.ok("getAuthorName", authorID=named) == "Claire"
    assert api.ok("getAuthorName", authorID=anonymous) is None
    assert api.error("getAuthorName", authorID="a.nobody") == "authorID does not exist"
    author = PadAuthor.objects.get(author_id=named)
    assert author.user is None and author.colour.startswith("#")


def test_create_author_if_not_exists_for(api):
    first = api.ok("createAuthorIfNotExistsFor", authorMapper="7", name="Michel")["authorID"]
    again = api.ok("createAuthorIfNotExistsFor", authorMapper="7")["authorID"]
    assert first == again
    assert api.ok("getAuthorName", authorID=first) == "Michel"
    api.ok("createAuthorIfNotExistsFor", authorMapper="7", name="Michael")
    assert api.ok("getAuthorName", authorID=first) == "Michael"
    assert api.error("createAuthorIfNotExistsFor", name="x") == "authorMapper is not a string"


def test_list_pads_of_author(api):
    author = api.ok("createAuthor", name="Auteur")["authorID"]
    assert api.ok("listPadsOfAuthor", authorID=author) == {"padIDs": []}
    api.ok("createPad", padID="b", text="x", authorId=author)
    api.ok("createPad", padID="a")
    api.ok("setText", padID="a", text="y", authorId=author)
    api.ok("createPad", padID="c", text="z")
    assert api.ok("listPadsOfAuthor", authorID=author) == {"padIDs": ["a", "b"]}
    assert api.error("listPadsOfAuthor", authorID="a.nobody") == "authorID does not exist"


def test_sessions(api):
    group = api.ok("createGroup")["groupID"]
    author = api.ok("createAuthor")["authorID"]
    until = _future()
    session = api.ok("createSession", groupID=group, authorID=author, validUntil=until)
    session_id = session["sessionID"]
    assert session_id.startswith("s.") and len(session_id) == 18
    info = {"groupID": group, "authorID": author, "validUntil": until}
    assert api.ok("getSessionInfo", sessionID=session_id) == info
    assert api.ok("listSessionsOfGroup", groupID=group) == {session_id: info}
    assert api.ok("listSessionsOfAuthor", authorID=author) == {session_id: info}
    assert api.ok("deleteSession", sessionID=session_id) is None
    assert api.error("getSessionInfo", sessionID=session_id) == "sessionID does not exist"
    assert api.error("deleteSession", sessionID=session_id) == "sessionID does not exist"
    # Etherpad answers null rather than an empty object.
    assert api.ok("listSessionsOfGroup", groupID=group) is None
    assert api.ok("listSessionsOfAuthor", authorID=author) is None
    assert api.error("listSessionsOfGroup", groupID="g.x") == "groupID does not exist"
    assert api.error("listSessionsOfAuthor", authorID="a.x") == "authorID does not exist"


def test_create_session_errors(api):
    group = api.ok("createGroup")["groupID"]
    author = api.ok("createAuthor")["authorID"]
    future = _future()
    cases = [
        ({"groupID": "g.x", "authorID": author, "validUntil": future}, "groupID does not exist"),
        ({"groupID": group, "authorID": "a.x", "validUntil": future}, "authorID does not exist"),
        (
            {"groupID": group, "authorID": author, "validUntil": "demain"},
            "validUntil is not a number",
        ),
        ({"groupID": group, "authorID": author}, "validUntil is not a number"),
        (
            {"groupID": group, "authorID": author, "validUntil": -5},
            "validUntil is a negative number",
        ),
        ({"groupID": group, "authorID": author, "validUntil": 1000}, "validUntil is in the past"),
    ]
    for params, message in cases:
        assert api.error("createSession", **params) == message
    assert api.error(
        "createSession", method="JSON", groupID=group, authorID=author, validUntil=future + 0.5
    ) == ("validUntil is a float value")


def test_a_session_cookie_opens_the_group_pad_as_its_author(api, client):
    group = api.ok("createGroupIfNotExistsFor", groupMapper="classe")["groupID"]
    pad_id = api.ok("createGroupPad", groupID=group, padName="devoir")["padID"]
    author = api.ok("createAuthorIfNotExistsFor", authorMapper="eleve-1", name="Léa")["authorID"]
    session = api.ok("createSession", groupID=group, authorID=author, validUntil=_future())
    page = f"/pad/p/{pad_id}"
    assert Client().get(page).status_code in (302, 404)
    client.cookies["sessionID"] = f"s.other,{session['sessionID']}"
    response = client.get(page)
    assert response.status_code == 200
    assert 'data-can-edit="true"' in response.content.decode()
    access = resolve(AnonymousUser(), pad_id, session_ids=[session["sessionID"]])
    assert access is not None
    assert PadAuthor.objects.get(pk=access.session_author_pk).author_id == author


def test_an_expired_session_opens_nothing(api):
    group = api.ok("createGroup")["groupID"]
    pad_id = api.ok("createGroupPad", groupID=group, padName="devoir")["padID"]
    author = api.ok("createAuthor")["authorID"]
    session = api.ok("createSession", groupID=group, authorID=author, validUntil=_future())
    PadSession.objects.update(valid_until=int(time.time()) - 1)
    assert resolve(AnonymousUser(), pad_id, session_ids=[session["sessionID"]]) is None
