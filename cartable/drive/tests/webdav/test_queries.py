"""Queries per WebDAV request: a small PUT or GET must not cost dozens of round trips.

The handlers' database work is run here in the test's thread (as ``run_sync`` runs it in a
pool thread), so that Django's query capture sees it. The bounds are what the code does
today: a change that adds queries to every request should have to say so here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.accounts.actions import create_app_password
from cartable.core.models import Grant
from cartable.core.roles import Role
from cartable.drive import actions
from cartable.drive.models import Node
from cartable.drive.webdav import auth, davxml, transfer
from cartable.drive.webdav.files import FilesTree
from cartable.drive.webdav.headers import split_path
from cartable.drive.webdav.http import Request

PREFIX = "/remote.php/webdav"
NEXTCLOUD_PROPS = (
    '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
    "<d:prop><d:getlastmodified/><d:getcontentlength/><d:resourcetype/><d:getetag/>"
    "<oc:fileid/><oc:permissions/><oc:size/></d:prop></d:propfind>"
)


def dav_request(user: Any, method: str, path: str, **headers: str) -> Request:
    scope = {
        "type": "http",
        "method": method,
        "path": PREFIX + path,
        "headers": [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }
    request = Request(scope, lambda: None)
    request.user = user
    request.prefix = PREFIX
    request.segments = split_path(path)
    return request


def fresh(user: Any) -> Any:
    """The user as a request sees it once signed in (see ``auth.basic_user``)."""
    user = type(user).objects.select_related("drive_space").get(pk=user.pk)
    auth._keep_space(user)
    return user


def do_put(user: Any, path: str, data: bytes) -> Node:
    request = dav_request(user, "PUT", path, content_length=str(len(data)))
    tree = FilesTree(request, None)
    upload = transfer.prepare_put(tree, request)
    upload.writer.write(data)
    return transfer.finish_upload(tree, request, upload)


def do_get(user: Any, path: str) -> transfer.Download:
    request = dav_request(user, "GET", path)
    return transfer.prepare_get(FilesTree(request, None), request)


def do_propfind(user: Any, path: str, depth: int) -> bytes:
    request = dav_request(user, "PROPFIND", path, depth=str(depth))
    query = davxml.parse_propfind(davxml.parse(NEXTCLOUD_PROPS.encode()))
    return FilesTree(request, None).propfind(request, depth, query)


def count(fn: Any, *args: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn(*args)
    # Savepoints are the test's transaction; a request has a BEGIN and COMMIT there.
    return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])


@pytest.fixture
def warm(teacher, klass, my_root):
    """The teacher's space and mount table exist (as after their first request)."""
    do_put(fresh(teacher), "/warm.txt", b"x")
    actions.create_folder(my_root, "docs", by=teacher)
    return teacher


def test_small_put_of_a_new_file_stays_within_its_queries(warm):
    assert count(do_put, fresh(warm), "/docs/new.bin", b"1" * 4096) <= 8


def test_small_put_over_a_file_stays_within_its_queries(warm):
    do_put(fresh(warm), "/docs/again.bin", b"1")
    assert count(do_put, fresh(warm), "/docs/again.bin", b"2" * 4096) <= 9


def test_get_stays_within_its_queries(warm):
    do_put(fresh(warm), "/docs/read.bin", b"1")
    assert count(do_get, fresh(warm), "/docs/read.bin") <= 2


def test_put_into_a_class_folder_stays_within_its_queries(warm, student):
    do_put(fresh(warm), "/4e B/first.bin", b"1")
    assert count(do_put, fresh(warm), "/4e B/second.bin", b"2") <= 10


def test_remembered_app_password_costs_one_query(teacher):
    password = create_app_password(teacher, "tests")[1]
    actions.personal_space(teacher)
    assert auth.basic_user("claire", password) is not None
    with CaptureQueriesContext(connection) as ctx:
        user = auth.basic_user("claire", password)
    assert len(ctx.captured_queries) == 1
    assert user._drive_space.user_id == teacher.pk


@pytest.mark.parametrize("entries", [10, 60])
def test_propfind_queries_do_not_grow_with_the_listing(warm, entries):
    root = actions.root_of(actions.personal_space(warm))
    folder = actions.create_folder(root, f"list{entries}", by=warm)
    for i in range(entries):
        actions.write_file(folder, f"f{i}.txt", [b"x"], by=warm)
    assert count(do_propfind, fresh(warm), f"/list{entries}", 0) <= 4
    assert count(do_propfind, fresh(warm), f"/list{entries}", 1) <= 6


def test_listing_shows_a_grant_placed_on_a_child(teacher, other_teacher, my_root):
    folder = actions.create_folder(my_root, "partage", by=teacher)
    child = actions.create_folder(folder, "ouvert", by=teacher)
    Grant.objects.create(target=folder, user=other_teacher, role=Role.VIEWER)
    Grant.objects.create(target=child, user=other_teacher, role=Role.EDITOR)
    body = do_propfind(fresh(other_teacher), "/partage", 1).decode()
    ours = body.split("<d:response>")
    (entry,) = [r for r in ours if "/partage/ouvert/" in r]
    (top,) = [r for r in ours if "/partage/<" in r]
    assert "<oc:permissions>SGDNVCK</oc:permissions>" in entry
    assert "<oc:permissions>SMG</oc:permissions>" in top
