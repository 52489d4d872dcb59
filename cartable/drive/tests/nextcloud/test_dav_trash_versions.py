"""The trash bin and versions DAV endpoints against a live server."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import requests


def files(live, path: str) -> str:
    return f"{live.url}/remote.php/dav/files/claire/{quote(path)}"


def test_deleted_file_is_listed_restored_and_purged(live, claire):
    name = f"corbeille {uuid.uuid4().hex[:6]}.txt"
    claire.put(files(live, name), data=b"keep me")
    assert claire.delete(files(live, name)).status_code == 204
    trash = f"{live.url}/remote.php/dav/trashbin/claire/trash"
    listing = claire.request("PROPFIND", trash, headers={"Depth": "1"})
    assert listing.status_code == 207
    assert f"<nc:trashbin-filename>{name}</nc:trashbin-filename>" in listing.text
    assert f"<nc:trashbin-original-location>{name}</nc:trashbin-original-location>" in listing.text
    assert "<nc:trashbin-deletion-time>" in listing.text
    href = re.search(r"<d:href>([^<]*" + re.escape(quote(name)) + r"[^<]*)</d:href>", listing.text)
    assert href, listing.text
    item = live.url + href.group(1)
    restored = claire.request(
        "MOVE",
        item,
        headers={"Destination": f"{live.url}/remote.php/dav/trashbin/claire/restore/{quote(name)}"},
    )
    assert restored.status_code == 201, restored.text
    assert claire.get(files(live, name)).content == b"keep me"
    claire.delete(files(live, name))
    listing = claire.request("PROPFIND", trash, headers={"Depth": "1"})
    item = live.url + re.search(
        r"<d:href>([^<]*" + re.escape(quote(name)) + r"[^<]*)</d:href>", listing.text
    ).group(1)
    assert claire.delete(item).status_code == 204
    assert name not in claire.request("PROPFIND", trash, headers={"Depth": "1"}).text


def test_versions_are_listed_read_and_restored(live, claire):
    name = f"versions {uuid.uuid4().hex[:6]}.txt"
    claire.put(files(live, name), data=b"one")
    put = claire.put(files(live, name), data=b"two, longer")
    file_id = int(put.headers["OC-FileId"][:8])
    base = f"{live.url}/remote.php/dav/versions/claire/versions/{file_id}"
    listing = claire.request("PROPFIND", base, headers={"Depth": "1"})
    assert listing.status_code == 207
    hrefs = re.findall(r"<d:href>([^<]*/versions/\d+/\d+)</d:href>", listing.text)
    assert len(hrefs) == 1
    assert claire.get(live.url + hrefs[0]).content == b"one"
    restored = claire.request(
        "COPY",
        live.url + hrefs[0],
        headers={"Destination": f"{live.url}/remote.php/dav/versions/claire/restore/target"},
    )
    assert restored.status_code == 204
    assert claire.get(files(live, name)).content == b"one"


def test_nobody_reads_someone_elses_trash_or_versions(live, nc_server, claire):
    name = f"privé {uuid.uuid4().hex[:6]}.txt"
    claire.put(files(live, name), data=b"1")
    put = claire.put(files(live, name), data=b"2")
    file_id = int(put.headers["OC-FileId"][:8])
    ahmed = requests.Session()
    ahmed.auth = ("ahmed", nc_server[1]["ahmed"])
    assert (
        ahmed.request(
            "PROPFIND", f"{live.url}/remote.php/dav/trashbin/claire/trash", headers={"Depth": "1"}
        ).status_code
        == 403
    )
    theirs = f"{live.url}/remote.php/dav/versions/ahmed/versions/{file_id}"
    assert ahmed.request("PROPFIND", theirs, headers={"Depth": "1"}).status_code == 404
