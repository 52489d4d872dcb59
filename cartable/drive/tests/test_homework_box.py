"""A homework box shows each pupil only what they handed in, whichever way they look.

Listing, copy (web and WebDAV), move, zip, search (names and text), activity, previews,
WebDAV listings, the Nextcloud share API, recent files, the dashboard card and
``drive.public`` must all show a person exactly what their listing of the box shows: Léa her
own work, Tom his, the teacher everything, and nothing to a pupil of another class, a
colleague who is not in the class or a teacher of another academy.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType

from cartable.accounts.actions import create_app_password, create_group
from cartable.accounts.models import Membership
from cartable.core import search
from cartable.core.models import Grant
from cartable.drive import access, actions, mounts, public
from cartable.drive.actions.filedrop import set_file_drop
from cartable.drive.errors import DriveError, Forbidden, NotFound
from cartable.drive.models import Node
from cartable.drive.platform import _recent_files
from cartable.drive.tests.conftest import put
from cartable.drive.tests.nextcloud.conftest import basic
from cartable.drive.views.common import rows
from cartable.testing.dav import DavClient
from cartable.testing.factories import StudentFactory

pytestmark = pytest.mark.django_db

# Who sees what of the box: the files they handed in, or everything, or nothing at all.
LEA = {"frise-lea.txt"}
TOM = {"frise-tom.txt", "dossier-tom", "brouillon-tom.txt"}
ALL = LEA | TOM
SEES = {
    "lea": LEA,
    "tom": TOM,
    "teacher": ALL,
    "zoe": set(),
    "colleague": set(),
    "other_teacher": set(),
}
REFUSED = ["zoe", "colleague", "other_teacher"]


@pytest.fixture
def box_world(
    teacher, colleague, other_teacher, klass, student, django_capture_on_commit_callbacks
):

    tom = StudentFactory(username="tom.4eb", display_name="Tom", structure=klass.structure)
    Membership.objects.create(group=klass, user=tom, role=Membership.Role.MEMBER)
    other_class = create_group(colleague, "3e A")
    zoe = StudentFactory(username="zoe.3ea", display_name="Zoé", structure=klass.structure)
    Membership.objects.create(group=other_class, user=zoe, role=Membership.Role.MEMBER)
    class_root = actions.root_of(actions.group_space(klass))
    with django_capture_on_commit_callbacks(execute=True):
        homework = actions.create_folder(class_root, "Devoirs", by=teacher)
        box = actions.create_folder(homework, "Devoir 1", by=teacher)
        set_file_drop(box, True, by=teacher)
        put(box, "frise-lea.txt", b"frise chronologique de Lea", student)
        put(box, "frise-tom.txt", b"frise chronologique de Tom", tom)
        drafts = actions.create_folder(box, "dossier-tom", by=tom)
        put(drafts, "brouillon-tom.txt", b"brouillon chronologique de Tom", tom)
    people = {
        "lea": student,
        "tom": tom,
        "teacher": teacher,
        "zoe": zoe,
        "colleague": colleague,
        "other_teacher": other_teacher,
    }
    return {"people": people, "box": box, "homework": homework, "class_root": class_root}


def names_below(nodes) -> set[str]:
    return {n.name for n in nodes}


@pytest.mark.parametrize("who", list(SEES))
def test_listing_shows_each_pupil_their_own(box_world, who):
    user, box = box_world["people"][who], box_world["box"]
    seen = names_below(access.visible_below(user, box))
    assert seen == SEES[who]
    if who in ("lea", "zoe", "colleague", "other_teacher"):
        assert "dossier-tom" not in {n.name for n in mounts.children(user, box)}


@pytest.mark.parametrize("who", ["lea", "zoe", "colleague", "other_teacher"])
def test_another_pupils_folder_in_the_box_is_not_found(client, box_world, who):
    drafts = Node.objects.get(name="dossier-tom")
    user = box_world["people"][who]
    assert access.abilities(user, drafts) == frozenset()
    client.force_login(user)
    assert client.get(f"/drive/f/{drafts.public_id}").status_code == 404
    with pytest.raises(NotFound):
        actions.write_file(drafts, "intrus.txt", [b"x"], by=user)


@pytest.mark.parametrize("who", list(SEES))
def test_copying_the_box_copies_what_the_person_sees(box_world, who):
    user, box = box_world["people"][who], box_world["box"]
    root = actions.root_of(actions.personal_space(user))
    if not SEES[who]:
        with pytest.raises(NotFound):
            actions.copy(box, root, "copie", by=user)
        return
    copied, _ = actions.copy(box, root, "copie", by=user)
    assert names_below(actions.live_descendants(copied)) == SEES[who]


def test_copying_the_folder_above_the_box_leaves_out_the_others_homework(box_world):
    lea, homework = box_world["people"]["lea"], box_world["homework"]
    root = actions.root_of(actions.personal_space(lea))
    copied, _ = actions.copy(homework, root, "Devoirs", by=lea)
    assert names_below(actions.live_descendants(copied)) == {"Devoir 1"} | LEA


def test_web_copy_of_the_box_takes_only_own_files(client, box_world):
    lea, box = box_world["people"]["lea"], box_world["box"]
    root = actions.root_of(actions.personal_space(lea))
    client.force_login(lea)
    answer = client.post("/drive/pick", {"op": "copy", "n": [box.public_id], "to": root.public_id})
    assert answer.status_code == 302
    copied = Node.objects.get(space=root.space, name="Devoir 1", trashed=False)
    assert names_below(actions.live_descendants(copied)) == LEA


@pytest.mark.parametrize("who", ["lea", "tom", "teacher"])
def test_webdav_copy_and_listing_of_the_box(box_world, who):
    user = box_world["people"][who]
    dav = DavClient.of(user)
    listing = dav.propfind("4e B/Devoirs/Devoir 1")
    assert listing.status == 207
    listed = {name for name in ALL if f"/{name}" in listing.text}
    assert listed == SEES[who] - {"brouillon-tom.txt"}
    copied = dav.copy("4e B/Devoirs/Devoir 1", "copie", Depth="infinity")
    assert copied.status == 201, copied.text
    node = Node.objects.get(space=actions.personal_space(user), name="copie", trashed=False)
    assert names_below(actions.live_descendants(node)) == SEES[who]


@pytest.mark.parametrize("who", REFUSED)
def test_webdav_refuses_the_box_to_others(box_world, who):
    dav = DavClient.of(box_world["people"][who])
    assert dav.propfind("4e B/Devoirs/Devoir 1").status == 404
    assert dav.copy("4e B/Devoirs/Devoir 1", "copie").status in (404, 409)


def test_webdav_pupil_does_not_reach_another_pupils_folder(box_world):
    dav = DavClient.of(box_world["people"]["lea"])
    assert dav.propfind("4e B/Devoirs/Devoir 1/dossier-tom").status == 404
    assert dav.get("4e B/Devoirs/Devoir 1/frise-tom.txt").status == 404
    assert dav.put("4e B/Devoirs/Devoir 1/dossier-tom/x.txt", b"x").status in (404, 409)


def test_a_folder_holding_others_homework_does_not_move(box_world, colleague, klass):
    """A colleague who edits the class folder may not carry the box off to see it all."""
    homework, box = box_world["homework"], box_world["box"]
    Grant.objects.create(
        content_type=ContentType.objects.get_for_model(Node),
        object_id=box_world["class_root"].pk,
        user=colleague,
        role="editor",
    )
    mine = actions.root_of(actions.personal_space(colleague))
    with pytest.raises(Forbidden):
        actions.move(homework, mine, "Devoirs", by=colleague)
    with pytest.raises(Forbidden):
        actions.move(box, mine, "Devoir 1", by=colleague)
    # Renaming in place takes it nowhere.
    actions.move(homework, homework.parent, "Devoirs 2024", by=colleague)
    teacher = box_world["people"]["teacher"]
    moved, _ = actions.move(
        homework, actions.root_of(actions.personal_space(teacher)), "D", by=teacher
    )
    assert moved.space_id == actions.personal_space(teacher).pk


@pytest.mark.parametrize("who", list(SEES))
def test_zip_of_the_class_folder_holds_what_the_person_sees(client, box_world, who):
    user = box_world["people"][who]
    client.force_login(user)
    answer = client.get(f"/drive/f/{box_world['class_root'].public_id}/zip")
    if who in REFUSED:
        assert answer.status_code == 404
        return
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    inside = {
        n.rstrip("/").rsplit("/", 1)[-1]
        for n in archive.namelist()
        if "Devoir 1/" in n and not n.endswith("Devoir 1/")
    }
    assert inside == SEES[who]


@pytest.mark.parametrize("who", list(SEES))
def test_search_finds_only_what_the_person_sees(client, box_world, who):
    user = box_world["people"][who]
    by_name = {r.title for r in search.search(user, "tom").get("drive", [])}
    assert by_name == {n for n in SEES[who] if "tom" in n}
    by_text = {r.title for r in search.search(user, "chronologique").get("drive", [])}
    assert by_text == {n for n in SEES[who] if n.endswith(".txt")}
    client.force_login(user)
    page = client.get("/drive/search", {"q": "tom"}).content.decode()
    for name in TOM:
        assert (name in page) == (name in SEES[who]), name


@pytest.mark.parametrize("who", list(SEES))
def test_recent_files_and_dashboard_show_only_what_the_person_sees(client, box_world, who):
    user = box_world["people"][who]
    card = {item["title"] for item in _recent_files(user)}
    assert card & ALL == {n for n in SEES[who] if n.endswith(".txt")}
    client.force_login(user)
    page = client.get("/drive/recent").content.decode()
    for name in ALL:
        if name.endswith(".txt"):
            assert (name in page) == (name in SEES[who]), name


def test_activity_of_the_box_shows_a_pupil_what_they_did(client, box_world):
    box = box_world["box"]
    client.force_login(box_world["people"]["lea"])
    page = client.get(f"/drive/f/{box.public_id}/activity").content.decode()
    assert "frise-lea.txt" in page
    assert "tom" not in page.lower()
    client.force_login(box_world["people"]["teacher"])
    page = client.get(f"/drive/f/{box.public_id}/activity").content.decode()
    assert "frise-tom.txt" in page


@pytest.mark.parametrize("who", list(SEES))
def test_previews_and_attachments_follow_the_box(client, box_world, who):
    user = box_world["people"][who]
    theirs = Node.objects.get(name="frise-tom.txt")
    client.force_login(user)
    status = client.get(f"/drive/preview/{theirs.public_id}").status_code
    if "frise-tom.txt" in SEES[who]:
        assert status == 200
        assert public.attach(user, str(theirs.public_id)).name == "frise-tom.txt"
    else:
        assert status == 404
        with pytest.raises(DriveError):
            public.attach(user, str(theirs.public_id))


def test_nextcloud_share_listing_of_the_box_leaves_out_others_shares(client, box_world):
    lea = box_world["people"]["lea"]
    _p, clear = create_app_password(lea, "Nextcloud")
    answer = client.get(
        "/ocs/v2.php/apps/files_sharing/api/v1/shares",
        {"path": "/4e B/Devoirs/Devoir 1/dossier-tom", "format": "json"},
        HTTP_AUTHORIZATION=basic(lea.username, clear),
        HTTP_OCS_APIREQUEST="true",
    )
    assert answer.status_code == 404


# --- Found by trying to break it (docs/security/sec-redteam.md) ------------------------------

LOCKINFO = (
    b'<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/>'
    b"</d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>"
)
BOX = "4e B/Devoirs/Devoir 1"


def test_a_name_another_pupil_took_is_free_to_a_pupil_over_webdav(box_world):
    """A pupil could learn the names of what others handed in by trying them: MKCOL answered
    405 "already exists", LOCK 404, COPY 412 for another pupil's name, and 201 for a free one;
    a path into another pupil's folder answered 404 and one into nothing 409. Now a name
    another pupil took is, for a pupil, a free name (as an upload already was): the same
    answers, and the other pupil's work untouched."""
    lea = box_world["people"]["lea"]
    dav = DavClient.of(lea)
    tom_file = Node.objects.get(name="frise-tom.txt")
    tom_folder = Node.objects.get(name="dossier-tom")
    for taken, free in (("frise-tom.txt", "libre-1.txt"), ("dossier-tom", "libre-2")):
        assert dav.request("MKCOL", f"{BOX}/{taken}").status == 201
        assert dav.request("MKCOL", f"{BOX}/{free}").status == 201
    for taken, free in (("frise-tom.txt", "libre-3.txt"), ("dossier-tom", "libre-4")):
        assert dav.request("LOCK", f"{BOX}/{taken}", LOCKINFO).status == 201
        assert dav.request("LOCK", f"{BOX}/{free}", LOCKINFO).status == 201
    for taken, free in (("frise-tom.txt", "libre-5.txt"), ("dossier-tom", "libre-6")):
        taken_copy = dav.copy(f"{BOX}/frise-lea.txt", f"{BOX}/{taken}", Overwrite="F")
        free_copy = dav.copy(f"{BOX}/frise-lea.txt", f"{BOX}/{free}", Overwrite="F")
        assert taken_copy.status == free_copy.status == 201
    into_theirs = dav.put(f"{BOX}/dossier-tom/x.txt", b"x").status
    into_nothing = dav.put(f"{BOX}/nulle-part/x.txt", b"x").status
    assert into_theirs == into_nothing
    assert dav.request("MKCOL", f"{BOX}/dossier-tom/y").status == (
        dav.request("MKCOL", f"{BOX}/nulle-part/y").status
    )
    # Tom's work is as he left it, unlocked, and Léa sees only her own.
    tom_file.refresh_from_db()
    tom_folder.refresh_from_db()
    assert not tom_file.trashed and tom_file.kind == Node.Kind.FILE
    assert not tom_folder.trashed and tom_folder.is_folder
    tom_dav = DavClient.of(box_world["people"]["tom"])
    assert tom_dav.put(f"{BOX}/frise-tom.txt", b"nouvelle frise").status == 204
    assert names_below(access.visible_below(lea, box_world["box"])) & TOM == set()


def test_a_name_another_pupil_took_is_free_to_a_pupil_on_the_web(client, box_world):
    lea, box = box_world["people"]["lea"], box_world["box"]
    client.force_login(lea)
    answer = client.post(f"/drive/f/{box.public_id}/new-folder", {"name": "dossier-tom"})
    assert answer.status_code == 302
    messages = [str(m) for m in answer.wsgi_request._messages]
    assert not any("exist" in m.lower() for m in messages), messages
    assert Node.objects.filter(parent=box, created_by=lea, kind=Node.Kind.FOLDER).exists()
    mine = Node.objects.get(name="frise-lea.txt")
    renamed, _replaced = actions.move(mine, box, "frise-tom.txt", by=lea)
    assert renamed.name != "frise-tom.txt"
    assert Node.objects.get(name="frise-tom.txt", trashed=False).created_by.username == "tom.4eb"


def test_a_folder_holding_others_homework_is_not_deleted_by_an_editor(box_world):
    """An editor of the folder above a box (a pupil the teacher let edit it, a colleague) could
    delete it, taking every pupil's work to their own trash, and purge it for good there.
    Deleting a folder is refused, as moving it is, when it holds what the person does not
    see."""
    lea, homework = box_world["people"]["lea"], box_world["homework"]
    Grant.objects.create(
        content_type=ContentType.objects.get_for_model(Node),
        object_id=homework.pk,
        user=lea,
        role="editor",
    )
    with pytest.raises(Forbidden):
        actions.trash(homework, by=lea)
    assert DavClient.of(lea).delete("4e B/Devoirs").status == 403
    homework.refresh_from_db()
    assert not homework.trashed
    assert Node.objects.filter(name="frise-tom.txt", trashed=False).exists()
    # What she sees whole, she may delete; the teacher may delete it all.
    own = actions.create_folder(homework, "Mes notes", by=lea)
    actions.trash(own, by=lea)
    actions.trash(homework, by=box_world["people"]["teacher"])


SIZE_AND_ETAG = b"""<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
<d:prop><d:getetag/><d:quota-used-bytes/><d:getlastmodified/><oc:size/></d:prop></d:propfind>"""


def box_as_seen_over_webdav(user) -> dict[str, str]:
    answer = DavClient.of(user).request(
        "PROPFIND", "4e B/Devoirs/Devoir 1", SIZE_AND_ETAG, Depth="0"
    )
    assert answer.status == 207, answer.text
    found = {}
    for name in ("getetag", "quota-used-bytes", "getlastmodified", "size"):
        match = re.search(rf"<[a-z]+:{name}>([^<]*)</", answer.text)
        assert match, (name, answer.text)
        found[name] = match.group(1)
    return found


def test_the_box_size_and_etag_tell_a_pupil_nothing_of_the_others(
    box_world, django_capture_on_commit_callbacks
):
    """What Léa's client reads of the box (its size, its ETag, its time) tells what she handed
    in: neither how much nor when the others handed in."""
    people, box = box_world["people"], box_world["box"]
    lea, tom = people["lea"], people["tom"]
    before = box_as_seen_over_webdav(lea)
    assert before["size"] == before["quota-used-bytes"] == str(len(b"frise chronologique de Lea"))
    everything = box_as_seen_over_webdav(people["teacher"])
    assert int(everything["size"]) == Node.objects.get(pk=box.pk).size > int(before["size"])

    with django_capture_on_commit_callbacks(execute=True):
        put(box, "frise-tom-v2.txt", b"une autre frise de Tom, plus longue", tom)
    assert box_as_seen_over_webdav(lea) == before

    with django_capture_on_commit_callbacks(execute=True):
        put(box, "frise-lea-v2.txt", b"la suite", lea)
    after = box_as_seen_over_webdav(lea)
    assert after["getetag"] != before["getetag"]
    assert int(after["size"]) == int(before["size"]) + len(b"la suite")


def test_the_box_row_of_a_listing_shows_a_pupil_their_own_size_and_no_name(box_world):
    people, homework = box_world["people"], box_world["homework"]
    lea, teacher = people["lea"], people["teacher"]
    box = Node.objects.get(pk=box_world["box"].pk)

    def box_row(user):
        nodes = list(mounts.children(user, homework))
        listed = rows(user, nodes, folder=homework, own=access.access_of(user, homework))
        return next(row for row in listed if row.node.pk == box.pk)

    seen_by_lea = box_row(lea)
    assert seen_by_lea.size == len(b"frise chronologique de Lea")
    assert seen_by_lea.modified_by == ""
    assert box_row(teacher).size == box.size
