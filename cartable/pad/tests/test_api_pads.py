"""Pad functions of the Etherpad API: their data, their errors, and what they do to pads."""

import time

import pytest

from cartable.core.roles import Reach, Role
from cartable.pad import actions
from cartable.pad.access import resolve
from cartable.pad.models import Pad, PadRevision

pytestmark = pytest.mark.django_db


def test_create_pad_makes_a_pad_anyone_with_the_link_edits(api, guest):
    assert api.ok("createPad", padID="compte-rendu", text="Bonjour") is None
    pad = Pad.objects.get(pad_id="compte-rendu")
    assert pad.owner is None and pad.pad_group is None
    assert (pad.reach, pad.reach_role) == (Reach.LINK, Role.EDITOR)
    assert resolve(guest, "compte-rendu").can_edit
    assert api.ok("getText", padID="compte-rendu") == {"text": "Bonjour\n"}


def test_create_pad_errors(api):
    api.ok("createPad", padID="deja")
    assert api.error("createPad", padID="deja") == "padID does already exist"
    assert (
        api.error("createPad", padID="g.aaaaaaaaaaaaaaaa$x") == "createPad can't create group pads"
    )
    for bad in ("a/b", "a?b", "a&b", "a#b"):
        assert api.error("createPad", padID=bad) == "malformed padID: Remove special characters"
    assert api.error("createPad") == "padID is not a string"
    assert api.error("createPad", padID="x" * 51) == "padID did not match requirements"
    long_text = "a" * 100_001
    assert api.error("createPad", method="POST", padID="big", text=long_text) == (
        "text must be less than 100k chars"
    )


def test_create_pad_renames_spaces_and_colons_as_etherpad(api):
    api.ok("createPad", padID="réunion des parents: mardi")
    # Spaces first, then colons: "parents:_mardi" becomes "parents__mardi".
    assert api.ok("listAllPads") == {"padIDs": ["réunion_des_parents__mardi"]}
    # The old name still finds the renamed pad.
    assert api.ok("getText", padID="réunion des parents: mardi") == {"text": "\n"}


def test_an_empty_pad_has_one_empty_line_and_no_revision(api):
    api.ok("createPad", padID="vide")
    assert api.ok("getText", padID="vide") == {"text": "\n"}
    assert api.ok("getRevisionsCount", padID="vide") == {"revisions": 0}


def test_set_text_append_text_and_revisions(api):
    api.ok("createPad", padID="texte")
    api.ok("setText", padID="texte", text="Première ligne\r\nDeuxième")
    assert api.ok("getText", padID="texte") == {"text": "Première ligne\nDeuxième\n"}
    api.ok("setText", method="POST", padID="texte", text="avec fin\n")
    assert api.ok("getText", padID="texte") == {"text": "avec fin\n"}
    api.ok("appendText", padID="texte", text=" et suite\nnouvelle ligne")
    assert api.ok("getText", padID="texte") == {"text": "avec fin et suite\nnouvelle ligne\n"}
    assert api.ok("getRevisionsCount", padID="texte") == {"revisions": 3}
    assert api.ok("getText", padID="texte", rev=1) == {"text": "Première ligne\nDeuxième\n"}
    assert api.ok("getText", padID="texte", rev=0) == {"text": "\n"}


def test_setting_the_same_text_adds_no_revision(api):
    api.ok("createPad", padID="pareil", text="identique")
    api.ok("setText", padID="pareil", text="identique")
    assert api.ok("getRevisionsCount", padID="pareil") == {"revisions": 1}


def test_text_functions_errors(api):
    api.ok("createPad", padID="p")
    assert api.error("setText", padID="p") == "text is not a string"
    assert api.error("appendText", padID="p") == "text is not a string"
    assert api.error("setText", padID="absent", text="x") == "padID does not exist"
    assert api.error("getText", padID="p", rev=5) == (
        "rev is higher than the head revision of the pad"
    )
    assert api.error("getText", padID="p", rev="abc") == "rev is not a number"
    assert api.error("getText", padID="p", rev=-1) == "rev is not a negative number"
    assert api.error("getText") == "padID is not a string"
    assert api.error("setText", padID="p", text="x", authorId="a.nobody") == (
        "authorID does not exist"
    )


def test_changes_are_made_by_the_author_given(api):
    author = api.ok("createAuthor", name="Moodle")["authorID"]
    api.ok("createPad", padID="auteur")
    api.ok("setText", padID="auteur", text="x", authorId=author)
    # Python clients spell it authorID.
    api.ok("appendText", padID="auteur", text="y", authorID=author)
    assert api.ok("listAuthorsOfPad", padID="auteur") == {"authorIDs": [author]}
    assert set(
        PadRevision.objects.filter(pad__pad_id="auteur").values_list("author__author_id", flat=True)
    ) == {author}


def test_delete_pad(api):
    api.ok("createPad", padID="poubelle")
    assert api.ok("deletePad", padID="poubelle") is None
    assert not Pad.objects.filter(pad_id="poubelle").exists()
    assert api.error("deletePad", padID="poubelle") == "padID does not exist"


def test_last_edited_is_in_milliseconds_and_moves_forward(api):
    api.ok("createPad", padID="date")
    first = api.ok("getLastEdited", padID="date")["lastEdited"]
    assert abs(first - time.time() * 1000) < 60_000
    time.sleep(0.01)
    api.ok("setText", padID="date", text="plus tard")
    assert api.ok("getLastEdited", padID="date")["lastEdited"] > first


def test_read_only_id_and_back(api):
    api.ok("createPad", padID="lecture")
    ro = api.ok("getReadOnlyID", padID="lecture")["readOnlyID"]
    assert ro.startswith("r.") and len(ro) == 18
    assert api.ok("getPadID", roID=ro) == {"padID": "lecture"}
    assert api.ok("getPadID", readOnlyID=ro) == {"padID": "lecture"}
    assert api.error("getPadID", roID="r.nothing") == "padID does not exist"
    assert api.error("getReadOnlyID", padID="absent") == "padID does not exist"


def test_list_all_pads_is_sorted(api):
    for name in ("b", "a", "c"):
        api.ok("createPad", padID=name)
    assert api.ok("listAllPads") == {"padIDs": ["a", "b", "c"]}


def test_pads_people_create_in_cartable_are_out_of_the_apis_reach(api, teacher):
    pad = actions.create_pad(owner=teacher, pad_id="perso", text="Mes notes")
    assert api.ok("listAllPads") == {"padIDs": []}
    assert api.error("getText", padID="perso") == "padID does not exist"
    assert api.error("deletePad", padID="perso") == "padID does not exist"
    assert api.error("getPadID", roID=pad.readonly_id) == "padID does not exist"
    assert api.error("createPad", padID="perso") == "padID does already exist"
    api.ok("createPad", padID="source")
    assert api.error("copyPad", sourceID="source", destinationID="perso", force="true") == (
        "destinationID already exists"
    )
    assert Pad.objects.get(pk=pad.pk).text == "Mes notes\n"


def test_copy_pad_keeps_history_and_chat(api):
    api.ok("createPad", padID="src", text="un")
    api.ok("setText", padID="src", text="deux")
    author = api.ok("createAuthor", name="Léa")["authorID"]
    api.ok("appendChatMessage", padID="src", text="salut", authorID=author, time=1_700_000_000_000)
    api.ok("saveRevision", padID="src", rev=1)
    assert api.ok("copyPad", sourceID="src", destinationID="dst") == {"padID": "dst"}
    assert api.ok("getText", padID="dst") == {"text": "deux\n"}
    assert api.ok("getRevisionsCount", padID="dst") == {"revisions": 2}
    assert api.ok("getText", padID="dst", rev=1) == {"text": "un\n"}
    messages = api.ok("getChatHistory", padID="dst")["messages"]
    assert messages == [
        {"text": "salut", "userId": author, "userName": "Léa", "time": 1_700_000_000_000}
    ]
    assert api.ok("listSavedRevisions", padID="dst") == {"savedRevisions": [1]}
    assert api.ok("getText", padID="src") == {"text": "deux\n"}
    src, dst = Pad.objects.get(pad_id="src"), Pad.objects.get(pad_id="dst")
    assert src.readonly_id != dst.readonly_id and dst.link_token == "dst"


def test_copy_pad_destination_rules(api):
    api.ok("createPad", padID="src", text="source")
    api.ok("createPad", padID="occupied", text="ancien")
    assert api.error("copyPad", sourceID="absent", destinationID="x") == "padID does not exist"
    assert api.error("copyPad", sourceID="src", destinationID="occupied") == (
        "destinationID already exists"
    )
    assert api.error("copyPad", sourceID="src", destinationID="occupied", force="false") == (
        "destinationID already exists"
    )
    assert api.error("copyPad", sourceID="src", destinationID="g.aaaaaaaaaaaaaaaa$x") == (
        "groupID does not exist for destinationID"
    )
    assert api.error("copyPad", sourceID="src", destinationID="a/b") == (
        "destinationID did not match requirements"
    )
    api.ok("copyPad", sourceID="src", destinationID="occupied", force="True")
    assert api.ok("getText", padID="occupied") == {"text": "source\n"}


def test_copy_into_a_group_makes_a_group_pad(api, guest):
    group = api.ok("createGroup")["groupID"]
    api.ok("createPad", padID="ouvert", text="texte")
    api.ok("copyPad", sourceID="ouvert", destinationID=f"{group}$ferme")
    assert api.ok("listPads", groupID=group) == {"padIDs": [f"{group}$ferme"]}
    assert resolve(guest, f"{group}$ferme") is None
    assert resolve(guest, "ouvert").can_edit


def test_copy_pad_without_history(api):
    author = api.ok("createAuthor", name="Copieur")["authorID"]
    api.ok("createPad", padID="src", text="un")
    api.ok("setText", padID="src", text="deux")
    data = api.ok("copyPadWithoutHistory", sourceID="src", destinationID="neuf", authorId=author)
    assert data == {"padID": "neuf"}
    assert api.ok("getText", padID="neuf") == {"text": "deux\n"}
    assert api.ok("getRevisionsCount", padID="neuf") == {"revisions": 1}
    assert api.ok("listAuthorsOfPad", padID="neuf") == {"authorIDs": [author]}
    assert api.error("copyPadWithoutHistory", sourceID="src", destinationID="neuf") == (
        "destinationID already exists"
    )


def test_move_pad_renames_and_keeps_everything(api, guest):
    api.ok("createPad", padID="avant", text="contenu")
    ro = api.ok("getReadOnlyID", padID="avant")["readOnlyID"]
    assert api.ok("movePad", sourceID="avant", destinationID="apres") == {"padID": "apres"}
    assert api.error("getText", padID="avant") == "padID does not exist"
    assert api.ok("getText", padID="apres") == {"text": "contenu\n"}
    assert api.ok("getPadID", roID=ro) == {"padID": "apres"}
    assert resolve(guest, "apres").can_edit
    assert resolve(guest, "avant") is None
    api.ok("createPad", padID="autre")
    assert api.error("movePad", sourceID="apres", destinationID="autre") == (
        "destinationID already exists"
    )
    api.ok("movePad", sourceID="apres", destinationID="autre", force="true")
    assert api.ok("listAllPads") == {"padIDs": ["autre"]}
    assert api.ok("getText", padID="autre") == {"text": "contenu\n"}


def test_saved_revisions(api):
    api.ok("createPad", padID="sauve")
    assert api.ok("getSavedRevisionsCount", padID="sauve") == {"savedRevisions": 0}
    assert api.ok("listSavedRevisions", padID="sauve") == {"savedRevisions": []}
    api.ok("setText", padID="sauve", text="a")
    api.ok("setText", padID="sauve", text="b")
    assert api.ok("saveRevision", padID="sauve") is None
    api.ok("saveRevision", padID="sauve", rev=1)
    api.ok("saveRevision", padID="sauve", rev=1)
    assert api.ok("getSavedRevisionsCount", padID="sauve") == {"savedRevisions": 2}
    assert api.ok("listSavedRevisions", padID="sauve") == {"savedRevisions": [1, 2]}
    assert api.error("saveRevision", padID="sauve", rev=3) == (
        "rev is higher than the head revision of the pad"
    )
    assert api.error("saveRevision", padID="sauve", rev="x") == "rev is not a number"
    assert api.error("listSavedRevisions", padID="absent") == "padID does not exist"


def test_restore_revision_adds_a_revision(api):
    api.ok("createPad", padID="retour", text="version 1")
    api.ok("setText", padID="retour", text="version 2")
    assert api.ok("restoreRevision", padID="retour", rev=1) is None
    assert api.ok("getText", padID="retour") == {"text": "version 1\n"}
    assert api.ok("getRevisionsCount", padID="retour") == {"revisions": 3}
    assert api.error("restoreRevision", padID="retour") == "rev is not defined"
    assert api.error("restoreRevision", padID="retour", rev=9) == (
        "rev is higher than the head revision of the pad"
    )
    assert api.error("restoreRevision", method="JSON", padID="retour", rev=1.5) == (
        "rev is a float value"
    )


def test_create_diff_html(api):
    author = api.ok("createAuthor", name="Éditeur")["authorID"]
    api.ok("createPad", padID="diff", text="Le chat dort.")
    api.ok("setText", padID="diff", text="Le chien dort <bien>.", authorId=author)
    data = api.ok("createDiffHTML", padID="diff", startRev=1, endRev=2)
    assert data["authors"] == [author]
    assert "<del>chat</del><ins>chien</ins>" in data["html"]
    assert "<ins> &lt;bien&gt;</ins>" in data["html"]
    # Revisions past the head are the head, as in Etherpad.
    assert api.ok("createDiffHTML", padID="diff", startRev=2, endRev=99)["html"] == (
        "Le chien dort &lt;bien&gt;.<br>"
    )
    assert api.error("createDiffHTML", padID="diff", startRev=2) == "endRev is not a number"
    assert api.error("createDiffHTML", padID="diff", startRev=2, endRev=1) == (
        "startRev is higher than endRev"
    )


def test_attribute_pool_lists_the_authors_in_the_text(api):
    api.ok("createPad", padID="pool")
    pad = Pad.objects.get(pad_id="pool")
    actions.set_content(
        pad,
        {
            "type": "doc",
            "content": [
                {
                    "type": "paragraph",
                    "content": [
                        {
                            "type": "text",
                            "text": "gras",
                            "marks": [{"type": "bold"}, {"type": "author", "attrs": {"id": "a.x"}}],
                        }
                    ],
                }
            ],
        },
    )
    pool = api.ok("getAttributePool", padID="pool")["pool"]
    assert sorted(pool["numToAttrib"].values()) == [["author", "a.x"], ["bold", "true"]]
    assert {f"{k},{v}": int(n) for n, (k, v) in pool["numToAttrib"].items()} == pool["attribToNum"]
    assert pool["nextNum"] == 2


def test_revision_changesets_are_not_available(api):
    api.ok("createPad", padID="cs", text="x")
    answer = api("getRevisionChangeset", padID="cs", rev=1)
    assert answer["code"] == 2 and "Yjs" in answer["message"]
    assert api.last.status_code == 500
    assert api.error("getRevisionChangeset", padID="cs", rev=4) == (
        "rev is higher than the head revision of the pad"
    )


def test_set_html_and_get_html(api):
    author = api.ok("createAuthor", name="Prof")["authorID"]
    api.ok("createPad", padID="riche", text="texte brut")
    markup = "<h1>Titre</h1><p>Bonjour <strong>la classe</strong></p><ul><li>un</li></ul>"
    api.ok("setHTML", method="POST", padID="riche", html=markup, authorId=author)
    assert api.ok("getText", padID="riche") == {"text": "Titre\nBonjour la classe\nun\n"}
    page = api.ok("getHTML", padID="riche")["html"]
    assert page.startswith("<!DOCTYPE HTML><html><body>") and page.endswith("</body></html>")
    assert "<strong>la classe</strong>" in page and "<li>" in page and "Titre</h1>" in page
    old = api.ok("getHTML", padID="riche", rev=1)["html"]
    assert "texte brut" in old and "strong" not in old
    assert api.ok("listAuthorsOfPad", padID="riche") == {"authorIDs": [author]}


def test_html_functions_errors(api):
    api.ok("createPad", padID="h")
    assert api.error("setHTML", padID="h") == "html is not a string"
    assert api.error("setHTML", padID="absent", html="<p>x</p>") == "padID does not exist"
    assert api.error("getHTML", padID="absent") == "padID does not exist"
    assert api.error("getHTML", padID="h", rev=3) == (
        "rev is higher than the head revision of the pad"
    )


def test_set_html_drops_what_the_pad_cannot_hold(api):
    api.ok("createPad", padID="sale")
    api.ok("setHTML", padID="sale", html="<p>ok<script>alert(1)</script></p><p onclick='x'>b</p>")
    page = api.ok("getHTML", padID="sale")["html"]
    assert "script" not in page and "onclick" not in page and "ok" in page
