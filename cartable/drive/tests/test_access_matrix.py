"""Drive's part of the access matrix (``cartable.testing.access_matrix``): every persona
tries every action on every Drive resource through every path that has it — the web pages,
public links, WebDAV, the Nextcloud API (share API, chunked uploads, trash and versions
trees), tus, search, recent files, the dashboard, ``drive.public`` — and gets what the
table says.

The world is built once for the module, in a transaction rolled back at its end; each case
runs in a savepoint of its own, each probe in another, so that what one does (a delete, a
rename) is undone before the next. WebDAV runs in-process (``cartable.testing.dav``).
"""

from __future__ import annotations

import functools
import io
import uuid
import zipfile
from base64 import b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from cartable.accounts.actions import create_group, set_member
from cartable.accounts.models import Membership
from cartable.core import search
from cartable.core.models import Grant
from cartable.core.registry import registry
from cartable.drive import actions, public
from cartable.drive.actions import open_blob, sharing
from cartable.drive.actions.filedrop import set_file_drop
from cartable.drive.errors import DriveError
from cartable.drive.models import Node, ShareLink
from cartable.drive.mounts import user_path_of
from cartable.testing.access_matrix import (
    DRIVE_PERSONAS,
    Case,
    Probe,
    cases,
    check,
    world_transaction,
)
from cartable.testing.dav import DavClient
from cartable.testing.factories import StructureFactory, StudentFactory, UserFactory

ACCOUNT = frozenset({"account"})
LINK_OR_ACCOUNT = frozenset({"account", "link"})
ANYONE = frozenset({"account", "link", "anonymous"})


@dataclass
class Item:
    """One resource of the world: the node, its folder, its twin in the trash."""

    node: Any
    parent: Any
    content: bytes
    token: str
    twin: Any
    owner_path: str  # in the tree of the person who made it


@dataclass
class World:
    people: dict[str, Any]
    links: dict[str, Any]
    items: dict[str, Item]
    clients: dict[str, Client] = field(default_factory=dict)
    davs: dict[str, DavClient] = field(default_factory=dict)

    def user(self, persona: str) -> Any:
        return self.people.get(persona) or AnonymousUser()

    def link(self, persona: str) -> Any:
        return self.links.get(persona)

    def client(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client()
            user = self.people.get(persona)
            if user is not None:
                client.force_login(user)
            self.clients[persona] = client
        return self.clients[persona]

    def dav(self, persona: str) -> DavClient:
        if persona not in self.davs:
            user = self.people.get(persona)
            self.davs[persona] = (
                DavClient.of(user) if user is not None else DavClient("anonymous", None)
            )
        return self.davs[persona]


def _build(tmp: Any) -> World:
    academy = StructureFactory(kind="academy", name="Académie de Lyon")
    school = StructureFactory(kind="school", name="Collège Jean Moulin", parent=academy)
    far = StructureFactory(kind="academy", name="Académie de Nantes")
    far_school = StructureFactory(kind="school", name="Lycée Jules Verne", parent=far)
    owner = UserFactory(username="m.claire", display_name="Claire", structure=school)
    coteacher = UserFactory(username="m.nora", display_name="Nora", structure=school)
    colleague = UserFactory(username="m.ahmed", display_name="Ahmed", structure=school)
    other = UserFactory(username="m.paul", display_name="Paul", structure=far_school)
    admin = UserFactory(username="m.admin", is_superuser=True, is_staff=True)
    klass = create_group(owner, "4e B")
    set_member(klass, coteacher, Membership.Role.MANAGER, by=owner)
    student = StudentFactory(username="m.lea", display_name="Léa", structure=school)
    dropper = StudentFactory(username="m.tom", display_name="Tom", structure=school)
    for pupil in (student, dropper):
        Membership.objects.create(group=klass, user=pupil, role=Membership.Role.MEMBER)
    other_class = create_group(colleague, "3e A")
    student_other = StudentFactory(username="m.zoe", display_name="Zoé", structure=school)
    Membership.objects.create(group=other_class, user=student_other, role="member")
    for user in (owner, coteacher, colleague, student, dropper):
        user.forget_group_roles()

    def write(parent: Any, name: str, data: bytes, by: Any) -> Any:
        node, _ = actions.write_file(parent, name, [data], by=by)
        return node

    def item(parent: Any, name: str, token: str, by: Any, path: str) -> Item:
        content = f"{token} — contenu de {name}".encode()
        write(parent, name, b"premier jet " + token.encode(), by)
        node = write(parent, name, content, by)  # a second version: the first one is kept
        twin = write(parent, f"corbeille-{name}", "effacé".encode(), by)
        actions.trash(twin, by=by)
        return Item(node, parent, content, token, twin, path)

    mine = actions.root_of(actions.personal_space(owner))
    private = actions.create_folder(mine, "Privé", by=owner)
    shared = actions.create_folder(mine, "Partage", by=owner)
    Grant.objects.create(
        content_type=ContentType.objects.get_for_model(Node),
        object_id=shared.pk,
        group=klass,
        role="viewer",
        granted_by=owner,
    )
    class_root = actions.root_of(actions.group_space(klass))
    lessons = actions.create_folder(class_root, "Cours", by=owner)
    box = actions.create_folder(class_root, "Devoir 1", by=owner)
    set_file_drop(box, True, by=owner)
    write(box, "frise-lea.txt", b"le devoir de Lea", student)
    items = {
        "drive.personal_file": item(
            private, "bulletin-kiwi.txt", "kiwi", owner, "Privé/bulletin-kiwi.txt"
        ),
        "drive.class_file": item(
            lessons, "lecon-mango.txt", "mango", owner, "4e B/Cours/lecon-mango.txt"
        ),
        "drive.homework_file": item(
            box, "frise-papaya.txt", "papaya", dropper, "4e B/Devoir 1/frise-papaya.txt"
        ),
        "drive.group_shared_file": item(
            shared, "fiche-lychee.txt", "lychee", owner, "Partage/fiche-lychee.txt"
        ),
    }
    links = {
        "link_view": sharing.create_link(class_root, by=owner),
        "link_edit": sharing.create_link(class_root, by=owner, role="editor"),
        "link_hidedl": sharing.create_link(class_root, by=owner, hide_download=True),
        "link_drop": sharing.create_link(box, by=owner, file_drop=True),
    }
    people = {
        "owner": owner,
        "coteacher": coteacher,
        "colleague": colleague,
        "other_teacher": other,
        "student": student,
        "dropper": dropper,
        "student_other": student_other,
        "admin": admin,
    }
    world = World(people, links, items)
    # Personal spaces, sessions and app passwords are made now, once: what a case does is
    # rolled back after it, and a space made then would be remembered gone.
    for user in people.values():
        actions.root_of(actions.personal_space(user))
    for persona in DRIVE_PERSONAS:
        world.client(persona)
        world.dav(persona)
    return world


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    files = tmp_path_factory.mktemp("matrix-files")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": files},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    tasks = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with world_transaction(
        django_db_blocker, STORAGES=storages, TASKS=tasks, PASSWORD_HASHERS=hashers
    ):
        # Previews are made when asked for (text is quick): none beforehand.
        with (
            TestCase.captureOnCommitCallbacks(execute=True),
            mock.patch("cartable.drive.previews.schedule_previews"),
        ):
            built = _build(files)
        built.storages = storages  # type: ignore[attr-defined]
        yield built


@pytest.fixture(autouse=True)
def _world_settings(world: World, settings: Any, db: Any) -> None:
    """Each case reads the world's files, and checks passwords with the world's hasher."""
    settings.STORAGES = world.storages  # type: ignore[attr-defined]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Probes ----------------------------------------------------------------------------------

Run = Callable[[World, str, Item], bool]
PROBES: dict[str, list[tuple[Probe, Run]]] = {}


def probe(action: str, name: str, via: frozenset[str], *, in_tree: bool = False) -> Any:
    def register(run: Run) -> Run:
        PROBES.setdefault(action, []).append((Probe(name, action, via, in_tree), run))
        return run

    return register


def _node(item: Item) -> Any:
    return Node.objects.select_related("blob").get(pk=item.node.pk)


def _read(node: Any) -> bytes:
    with open_blob(node.blob) as fh:
        data: bytes = fh.read()
    return data


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    content: bytes = response.content
    return content


def _dav_path(w: World, persona: str, node: Any, fallback: str) -> str:
    """Where ``node`` is in the persona's tree; where its maker has it, when it is not there
    (the path they would try)."""

    user = w.people.get(persona)
    found = user_path_of(user, node) if user is not None else None
    return (found if found is not None else fallback).lstrip("/")


def _item_path(w: World, persona: str, item: Item) -> str:
    return _dav_path(w, persona, item.node, item.owner_path)


def _parent_path(w: World, persona: str, item: Item) -> str:
    return _dav_path(w, persona, item.parent, item.owner_path.rsplit("/", 1)[0])


def _link_url(w: World, persona: str, kind: str, node: Any) -> str | None:
    link = w.link(persona)
    if link is None:
        return None
    return f"/drive/s/{link.token}/{kind}/{node.public_id}"


def _changed(item: Item, data: bytes) -> bool:
    node = _node(item)
    return node.blob is not None and _read(node) == data


def _own_root(w: World, persona: str) -> Any:
    """Where the persona copies to: their own Drive (someone's, for who has none)."""

    user = w.people.get(persona, w.people["owner"])
    return actions.root_of(actions.personal_space(user))


def _in_own_space(w: World, persona: str, name: str) -> bool:
    if persona not in w.people:
        return False
    space = actions.personal_space(w.people[persona])
    return Node.objects.filter(space=space, name=name, trashed=False).exists()


# view


@probe("view", "web", LINK_OR_ACCOUNT)
def _view_web(w: World, p: str, item: Item) -> bool:
    url = _link_url(w, p, "file", item.node) or f"/drive/file/{item.node.public_id}"
    return w.client(p).get(url).status_code == 200


@probe("view", "listing", LINK_OR_ACCOUNT)
def _view_listing(w: World, p: str, item: Item) -> bool:
    url = _link_url(w, p, "f", item.parent) or f"/drive/f/{item.parent.public_id}"
    answer = w.client(p).get(url)
    return answer.status_code == 200 and item.node.name in answer.content.decode()


@probe("view", "webdav", ACCOUNT, in_tree=True)
def _view_dav(w: World, p: str, item: Item) -> bool:
    answer = w.dav(p).propfind(_parent_path(w, p, item))
    return answer.status == 207 and f"/{quote(item.node.name)}<" in answer.text


@probe("view", "activity", ACCOUNT)
def _view_activity(w: World, p: str, item: Item) -> bool:
    answer = w.client(p).get(f"/drive/f/{item.parent.public_id}/activity")
    return answer.status_code == 200 and item.node.name in answer.content.decode()


# download


@probe("download", "web", LINK_OR_ACCOUNT)
def _download_web(w: World, p: str, item: Item) -> bool:
    url = _link_url(w, p, "download", item.node) or f"/drive/file/{item.node.public_id}/download"
    answer = w.client(p).get(url)
    return answer.status_code == 200 and _body(answer) == item.content


@probe("download", "webdav", ACCOUNT, in_tree=True)
def _download_dav(w: World, p: str, item: Item) -> bool:
    answer = w.dav(p).get(_item_path(w, p, item))
    return answer.status == 200 and answer.content == item.content


@probe("download", "nextcloud-versions", ACCOUNT)
def _download_versions(w: World, p: str, item: Item) -> bool:
    dav = w.dav(p)
    base = f"/remote.php/dav/versions/{quote(dav.username)}/versions/{item.node.pk}"
    answer = dav.propfind(base)
    return answer.status == 207 and f"/versions/{item.node.pk}/" in answer.text


@probe("download", "drive.public", ACCOUNT)
def _download_public(w: World, p: str, item: Item) -> bool:
    try:
        found = public.attach(w.user(p), str(item.node.public_id))
    except DriveError:
        return False
    return b"".join(found.chunks()) == item.content


# write

NEW = b"nouveau contenu"


@probe("write", "web-upload", LINK_OR_ACCOUNT)
def _write_web(w: World, p: str, item: Item) -> bool:
    url = _link_url(w, p, "f", item.parent)
    url = f"{url}/upload" if url else f"/drive/f/{item.parent.public_id}/upload"
    upload = SimpleUploadedFile(item.node.name, NEW, content_type="text/plain")
    w.client(p).post(url, {"files": [upload], "conflict": "replace", "uploader": "Quelqu'un"})
    return _changed(item, NEW)


@probe("write", "webdav", ACCOUNT, in_tree=True)
def _write_dav(w: World, p: str, item: Item) -> bool:
    answer = w.dav(p).put(_item_path(w, p, item), NEW)
    return answer.status in (201, 204) and _changed(item, NEW)


@probe("write", "tus", ACCOUNT)
def _write_tus(w: World, p: str, item: Item) -> bool:
    def meta(**values: str) -> str:
        return ",".join(f"{k} {b64encode(v.encode()).decode()}" for k, v in values.items())

    client = w.client(p)
    created = client.post(
        "/drive/tus/",
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(NEW)),
            "Upload-Metadata": meta(
                folder=str(item.parent.public_id), filename=item.node.name, conflict="replace"
            ),
        },
    )
    if created.status_code != 201:
        return False
    client.generic(
        "PATCH",
        created["Location"].split("testserver", 1)[-1],
        NEW,
        content_type="application/offset+octet-stream",
        headers={"Tus-Resumable": "1.0.0", "Upload-Offset": "0"},
    )
    return _changed(item, NEW)


@probe("write", "nextcloud-chunked", ACCOUNT, in_tree=True)
def _write_chunked(w: World, p: str, item: Item) -> bool:
    dav = w.dav(p)
    upload = f"/remote.php/dav/uploads/{quote(dav.username)}/{uuid.uuid4().hex}"
    destination = dav.destination(_item_path(w, p, item))
    headers = {"Destination": destination, "OC-Total-Length": str(len(NEW))}
    if dav.request("MKCOL", upload, **headers).status != 201:
        return False
    dav.request("PUT", f"{upload}/1", NEW, **headers)
    moved = dav.request("MOVE", f"{upload}/.file", **headers)
    return moved.status in (201, 204) and _changed(item, NEW)


# rename


@probe("rename", "web", ACCOUNT)
def _rename_web(w: World, p: str, item: Item) -> bool:
    w.client(p).post(f"/drive/n/{item.node.public_id}/rename", {"name": "renomme.txt"})
    return _node(item).name == "renomme.txt"


@probe("rename", "webdav", ACCOUNT, in_tree=True)
def _rename_dav(w: World, p: str, item: Item) -> bool:
    path = _item_path(w, p, item)
    answer = w.dav(p).move(path, path.rsplit("/", 1)[0] + "/renomme.txt")
    return answer.status in (201, 204) and _node(item).name == "renomme.txt"


# copy


@probe("copy", "web", ACCOUNT)
def _copy_web(w: World, p: str, item: Item) -> bool:
    root = _own_root(w, p)
    w.client(p).post(
        "/drive/pick", {"op": "copy", "n": [item.node.public_id], "to": root.public_id}
    )
    return _in_own_space(w, p, item.node.name)


@probe("copy", "web-folder", ACCOUNT)
def _copy_web_folder(w: World, p: str, item: Item) -> bool:
    root = _own_root(w, p)
    w.client(p).post(
        "/drive/pick", {"op": "copy", "n": [item.parent.public_id], "to": root.public_id}
    )
    return _in_own_space(w, p, item.node.name)


@probe("copy", "webdav", ACCOUNT, in_tree=True)
def _copy_dav(w: World, p: str, item: Item) -> bool:
    answer = w.dav(p).copy(_item_path(w, p, item), "copie.txt")
    return answer.status in (201, 204) and _in_own_space(w, p, "copie.txt")


@probe("copy", "webdav-folder", ACCOUNT, in_tree=True)
def _copy_dav_folder(w: World, p: str, item: Item) -> bool:
    w.dav(p).copy(_parent_path(w, p, item), "copie", Depth="infinity")
    return _in_own_space(w, p, item.node.name)


# delete


@probe("delete", "web", ACCOUNT)
def _delete_web(w: World, p: str, item: Item) -> bool:
    w.client(p).post(f"/drive/n/{item.node.public_id}/delete", {"confirm": "1"})
    return _node(item).trashed


@probe("delete", "webdav", ACCOUNT, in_tree=True)
def _delete_dav(w: World, p: str, item: Item) -> bool:
    w.dav(p).delete(_item_path(w, p, item))
    return _node(item).trashed


# share


def _links_on(item: Item) -> int:
    return ShareLink.objects.filter(node_id=item.node.pk).count()


@probe("share", "web", ACCOUNT)
def _share_web(w: World, p: str, item: Item) -> bool:
    before = _links_on(item)
    w.client(p).post(f"/drive/n/{item.node.public_id}/share", {"action": "link", "kind": "viewer"})
    return _links_on(item) > before


@probe("share", "nextcloud-ocs", ACCOUNT, in_tree=True)
def _share_ocs(w: World, p: str, item: Item) -> bool:
    dav = w.dav(p)
    before = _links_on(item)
    answer = w.client("guest").post(
        "/ocs/v2.php/apps/files_sharing/api/v1/shares?format=json",
        {"path": "/" + _item_path(w, p, item), "shareType": 3},
        headers={"Authorization": dav.authorization or "", "OCS-APIRequest": "true"},
    )
    return answer.status_code == 200 and _links_on(item) > before


# zip


def _zipped(answer: Any, item: Item) -> bool:
    if answer.status_code != 200:
        return False
    archive = zipfile.ZipFile(io.BytesIO(_body(answer)))
    return any(
        name.endswith("/" + item.node.name) or name == item.node.name
        for name in archive.namelist()
        if archive.read(name) == item.content
    )


@probe("zip", "web-folder", LINK_OR_ACCOUNT)
def _zip_folder(w: World, p: str, item: Item) -> bool:
    url = _link_url(w, p, "download", item.parent) or f"/drive/f/{item.parent.public_id}/zip"
    return _zipped(w.client(p).get(url), item)


@probe("zip", "web-selection", ACCOUNT)
def _zip_selection(w: World, p: str, item: Item) -> bool:
    return _zipped(w.client(p).get("/drive/zip", {"n": str(item.node.public_id)}), item)


# search


@probe("search", "portal", ACCOUNT, in_tree=True)
def _search_portal(w: World, p: str, item: Item) -> bool:
    found = search.search(w.user(p), item.token).get("drive", [])
    return any(str(item.node.public_id) in r.url for r in found)


@probe("search", "drive-page", ACCOUNT, in_tree=True)
def _search_page(w: World, p: str, item: Item) -> bool:
    page = w.client(p).get("/drive/search", {"q": item.token}).content.decode()
    return str(item.node.public_id) in page


@probe("search", "recent-files", ACCOUNT, in_tree=True)
def _search_recent(w: World, p: str, item: Item) -> bool:
    return str(item.node.public_id) in w.client(p).get("/drive/recent").content.decode()


@probe("search", "dashboard-card", ACCOUNT, in_tree=True)
def _search_dashboard(w: World, p: str, item: Item) -> bool:
    if p not in w.people:  # the dashboard is for the signed in
        return w.client(p).get("/dashboard/").status_code == 200
    card = registry.cards["drive"]
    assert card.items is not None
    return any(str(item.node.public_id) in entry["url"] for entry in card.items(w.user(p)))


# preview


@probe("preview", "web", ANYONE)
def _preview(w: World, p: str, item: Item) -> bool:
    return w.client(p).get(f"/drive/preview/{item.node.public_id}?size=64").status_code == 200


# trash


@probe("trash", "web-listing", ACCOUNT, in_tree=True)
def _trash_web(w: World, p: str, item: Item) -> bool:
    return item.twin.name in w.client(p).get("/drive/trash").content.decode()


@probe("trash", "nextcloud-trashbin", ACCOUNT, in_tree=True)
def _trash_dav(w: World, p: str, item: Item) -> bool:
    dav = w.dav(p)
    answer = dav.propfind(f"/remote.php/dav/trashbin/{quote(dav.username)}/trash")
    return answer.status == 207 and f"<nc:trashbin-filename>{item.twin.name}<" in answer.text


@probe("trash", "web-restore", ACCOUNT)
def _trash_restore(w: World, p: str, item: Item) -> bool:
    w.client(p).post(f"/drive/trash/{item.twin.public_id}/restore")
    return not Node.objects.get(pk=item.twin.pk).trashed


# --- The cases -----------------------------------------------------------------------------


CASES = cases("drive", PROBES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_access_matrix(world: World, case: Case) -> None:
    item = world.items[case.resource.key]
    check(
        case,
        [
            (found, functools.partial(run, world, case.persona, item))
            for found, run in PROBES[case.action]
        ],
    )
