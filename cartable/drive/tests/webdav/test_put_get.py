"""PUT, GET, HEAD, MKCOL, DELETE: contents in and out, conditions, names of every kind."""

import hashlib
import socket
import time
from base64 import b64encode

import pytest


def test_put_then_get_returns_the_same_bytes_and_nextcloud_headers(teacher_dav, folder):
    body = bytes(range(256)) * 1000
    put = teacher_dav.put(f"{folder}/data.bin", body)
    assert put.status_code == 201
    assert put.headers["ETag"] == put.headers["OC-ETag"]
    assert put.headers["OC-FileId"]
    got = teacher_dav.get(f"{folder}/data.bin")
    assert got.status_code == 200
    assert got.content == body
    assert got.headers["ETag"] == put.headers["ETag"]
    again = teacher_dav.put(f"{folder}/data.bin", b"new")
    assert again.status_code == 204
    assert again.headers["ETag"] != put.headers["ETag"]


def test_range_head_and_conditional_get(teacher_dav, folder):
    teacher_dav.put(f"{folder}/r.txt", b"0123456789")
    part = teacher_dav.get(f"{folder}/r.txt", headers={"Range": "bytes=2-4"})
    assert part.status_code == 206
    assert part.content == b"234"
    assert part.headers["Content-Range"] == "bytes 2-4/10"
    assert teacher_dav.get(f"{folder}/r.txt", headers={"Range": "bytes=20-"}).status_code == 416
    head = teacher_dav.request("HEAD", f"{folder}/r.txt")
    assert head.headers["Content-Length"] == "10"
    assert head.content == b""
    etag = head.headers["ETag"]
    assert teacher_dav.get(f"{folder}/r.txt", headers={"If-None-Match": etag}).status_code == 304
    assert teacher_dav.get(f"{folder}/r.txt", headers={"If-Match": '"x"'}).status_code == 412


def test_put_conditions_prevent_lost_updates(teacher_dav, folder):
    first = teacher_dav.put(f"{folder}/c.txt", b"one")
    etag = first.headers["ETag"]
    assert (
        teacher_dav.put(f"{folder}/c.txt", b"x", headers={"If-None-Match": "*"}).status_code == 412
    )
    assert teacher_dav.put(f"{folder}/c.txt", b"two", headers={"If-Match": etag}).status_code == 204
    assert (
        teacher_dav.put(f"{folder}/c.txt", b"three", headers={"If-Match": etag}).status_code == 412
    )
    assert teacher_dav.get(f"{folder}/c.txt").content == b"two"


def test_put_keeps_the_clients_mtime(teacher_dav, folder):
    put = teacher_dav.put(f"{folder}/m.txt", b"m", headers={"X-OC-MTime": "1500000000"})
    assert put.headers["X-OC-MTime"] == "accepted"
    head = teacher_dav.request("HEAD", f"{folder}/m.txt")
    assert head.headers["Last-Modified"] == "Fri, 14 Jul 2017 02:40:00 GMT"


def test_put_with_a_wrong_checksum_is_refused_and_leaves_nothing(teacher_dav, folder):
    good = "SHA1:" + hashlib.sha1(b"abc", usedforsecurity=False).hexdigest()
    assert (
        teacher_dav.put(f"{folder}/ok.txt", b"abc", headers={"OC-Checksum": good}).status_code
        == 201
    )
    bad = teacher_dav.put(f"{folder}/bad.txt", b"abc", headers={"OC-Checksum": "SHA1:" + "0" * 40})
    assert bad.status_code == 400
    assert teacher_dav.get(f"{folder}/bad.txt").status_code == 404


def test_interrupted_put_leaves_nothing_visible_and_no_partial_blob(
    live, teacher_dav, folder, server_info
):
    password = server_info["passwords"]["claire"]
    credentials = b64encode(f"claire:{password}".encode()).decode()
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(
            f"PUT /remote.php/dav/files/claire/{folder}/cut.bin HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{live.port}\r\nAuthorization: Basic {credentials}\r\n"
            f"Content-Length: 10000000\r\n\r\n".encode()
            + b"x" * 3_000_000
        )
    # Bounds, not timing assertions (a loaded machine): the server may not even have begun
    # the upload when the client is gone; wait for its part file to come, then to go.
    start = time.monotonic()
    blobs = server_info["data_dir"] / "files" / "drive" / "blobs"
    seen = False
    while time.monotonic() < start + 30:
        if any(p.name.endswith(".part") for p in blobs.rglob("*")):
            seen = True
        elif seen or time.monotonic() > start + 10:
            break
        time.sleep(0.02)
    assert not any(p.name.endswith(".part") for p in blobs.rglob("*"))
    assert teacher_dav.get(f"{folder}/cut.bin").status_code == 404
    listing = teacher_dav.propfind(folder).text
    assert "cut.bin" not in listing


def test_put_into_a_missing_folder_is_a_conflict(teacher_dav, folder):
    assert teacher_dav.put(f"{folder}/nope/a.txt", b"a").status_code == 409
    assert teacher_dav.mkcol(f"{folder}/nope/b").status_code == 409


def test_mkcol_and_delete(teacher_dav, folder):
    assert teacher_dav.mkcol(f"{folder}/sub").status_code == 201
    assert teacher_dav.mkcol(f"{folder}/sub").status_code == 405
    teacher_dav.put(f"{folder}/sub/f.txt", b"f")
    assert teacher_dav.request("DELETE", f"{folder}/sub").status_code == 204
    assert teacher_dav.get(f"{folder}/sub/f.txt").status_code == 404
    assert teacher_dav.request("DELETE", f"{folder}/sub").status_code == 404


@pytest.mark.parametrize(
    "name", ["Été à l'école.txt", "with space & plus+.txt", "emoji 😀🎒.txt", "100% done?.txt"]
)
def test_names_with_accents_spaces_and_emoji(teacher_dav, folder, name):
    assert teacher_dav.put(f"{folder}/{name}", name.encode()).status_code == 201
    assert teacher_dav.get(f"{folder}/{name}").content == name.encode()
    assert teacher_dav.propfind(folder).status_code == 207


def test_very_long_paths(teacher_dav, folder):
    path = folder
    for level in range(20):
        path += "/" + f"{level:02d}-" + "é" * 196
        assert teacher_dav.mkcol(path).status_code == 201, level
    assert teacher_dav.put(f"{path}/deep.txt", b"deep").status_code == 201
    assert teacher_dav.get(f"{path}/deep.txt").content == b"deep"
    too_long = "x" * 256
    assert teacher_dav.mkcol(f"{folder}/{too_long}").status_code == 400
