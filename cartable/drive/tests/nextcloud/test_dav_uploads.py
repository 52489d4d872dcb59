"""Chunked upload v2 against a live server, as the Nextcloud clients do it."""

from __future__ import annotations

import hashlib
import os
import uuid

import requests

from cartable.drive.models import UploadPart
from cartable.drive.nextcloud.dav_uploads import chunk_order
from cartable.testing.dav import DavClient


def test_chunks_sort_by_number_whatever_their_padding():
    names = ["10", "2", "1", "0000000000000003"]
    assert sorted(names, key=chunk_order) == ["1", "2", "0000000000000003", "10"]


def test_chunked_upload_v2_assembles_the_file_only_at_the_move(live, claire):
    folder = f"{live.url}/remote.php/dav/files/claire/up-{uuid.uuid4().hex[:6]}"
    assert claire.request("MKCOL", folder).status_code == 201
    destination = f"{folder}/cours d'été.bin"
    upload = f"{live.url}/remote.php/dav/uploads/claire/{uuid.uuid4().hex}"
    parts = [os.urandom(300_000) for _ in range(11)]
    data = b"".join(parts)
    headers = {"Destination": destination, "OC-Total-Length": str(len(data))}
    assert claire.request("MKCOL", upload, headers=headers).status_code == 201
    for number, part in enumerate(parts, start=1):
        put = claire.put(f"{upload}/{number}", data=part, headers=headers)
        assert put.status_code == 201
    assert claire.get(destination).status_code == 404
    listing = claire.request("PROPFIND", upload, headers={"Depth": "1"})
    assert listing.status_code == 207
    assert listing.text.count("<d:getcontentlength>300000</d:getcontentlength>") == 11
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    moved = claire.request(
        "MOVE",
        f"{upload}/.file",
        headers={**headers, "OC-Checksum": f"SHA1:{sha1}", "X-OC-MTime": "1700000000"},
    )
    assert moved.status_code == 201, moved.text
    assert moved.headers["OC-FileId"]
    assert moved.headers["X-OC-MTime"] == "accepted"
    assert claire.get(destination).content == data
    assert claire.request("PROPFIND", upload, headers={"Depth": "0"}).status_code == 404


def test_upload_over_the_quota_is_refused_before_any_chunk(live, claire):
    upload = f"{live.url}/remote.php/dav/uploads/claire/{uuid.uuid4().hex}"
    headers = {
        "Destination": f"{live.url}/remote.php/dav/files/claire/énorme.iso",
        "OC-Total-Length": str(10**15),
    }
    assert claire.request("MKCOL", upload, headers=headers).status_code == 507


def test_wrong_checksum_or_size_leaves_nothing(live, claire):
    destination = f"{live.url}/remote.php/dav/files/claire/{uuid.uuid4().hex}.txt"
    upload = f"{live.url}/remote.php/dav/uploads/claire/{uuid.uuid4().hex}"
    assert claire.request("MKCOL", upload, headers={"Destination": destination}).status_code == 201
    claire.put(f"{upload}/1", data=b"hello")
    bad = claire.request(
        "MOVE",
        f"{upload}/.file",
        headers={"Destination": destination, "OC-Checksum": "SHA1:" + "0" * 40},
    )
    assert bad.status_code == 400
    short = claire.request(
        "MOVE", f"{upload}/.file", headers={"Destination": destination, "OC-Total-Length": "6"}
    )
    assert short.status_code == 400
    assert claire.get(destination).status_code == 404


def test_nobody_uses_someone_elses_upload_folder(live, nc_server, claire):
    upload = f"{live.url}/remote.php/dav/uploads/claire/{uuid.uuid4().hex}"
    assert claire.request("MKCOL", upload).status_code == 201
    ahmed = requests.Session()
    ahmed.auth = ("ahmed", nc_server[1]["ahmed"])
    assert ahmed.put(f"{upload}/1", data=b"x").status_code == 403
    anonymous = requests.put(f"{upload}/1", data=b"x", timeout=10)
    assert anonymous.status_code == 401
    theirs = f"{live.url}/remote.php/dav/uploads/ahmed/{uuid.uuid4().hex}"
    assert ahmed.request("MKCOL", theirs).status_code == 201
    moved = ahmed.request(
        "MOVE",
        f"{theirs}/.file",
        headers={"Destination": f"{live.url}/remote.php/dav/files/claire/pris.txt"},
    )
    assert moved.status_code == 403


def test_unfinished_transfers_together_hold_no_more_than_the_free_space(db, teacher, settings):
    """Each transfer was bounded by the free space alone: many transfers held many times the
    quota on the server's disk, outside any count. Now the parts of all a person's unfinished
    transfers (and tus uploads) count against it."""

    settings.DRIVE_QUOTA = 100
    dav = DavClient.of(teacher)
    uploads = f"/remote.php/dav/uploads/{teacher.username}"
    assert dav.request("MKCOL", f"{uploads}/t1").status == 201
    assert dav.request("MKCOL", f"{uploads}/t2").status == 201
    assert dav.put(f"{uploads}/t1/1", b"x" * 60).status == 201
    assert dav.put(f"{uploads}/t2/1", b"y" * 60).status == 507
    assert dav.put(f"{uploads}/t2/1", b"y" * 40).status == 201
    # A chunk sent again replaces itself: it does not count twice.
    assert dav.put(f"{uploads}/t1/1", b"z" * 60).status == 204
    assert UploadPart.objects.count() == 2
