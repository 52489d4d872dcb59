"""PROPFIND and PROPPATCH: live properties (Nextcloud's too) and dead ones."""

from lxml import etree

NS = {"d": "DAV:", "oc": "http://owncloud.org/ns", "nc": "http://nextcloud.org/ns"}
NEXTCLOUD_PROPS = """<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
<d:prop><d:getetag/><d:resourcetype/><d:getcontentlength/><oc:fileid/><oc:id/><oc:permissions/>
<oc:size/><oc:checksums/><oc:favorite/><oc:owner-id/><oc:owner-display-name/><oc:share-types/>
<nc:has-preview/><nc:mount-type/><d:quota-available-bytes/><d:quota-used-bytes/><x:nothing xmlns:x="urn:x"/>
</d:prop></d:propfind>"""


def responses(text):
    root = etree.fromstring(text.encode())
    return {r.findtext("d:href", namespaces=NS): r for r in root.findall("d:response", NS)}


def test_depth_one_lists_children_with_nextcloud_properties(teacher_dav, folder):
    teacher_dav.put(f"{folder}/a.txt", b"abc")
    teacher_dav.mkcol(f"{folder}/sub")
    answer = teacher_dav.propfind(folder, NEXTCLOUD_PROPS)
    assert answer.status_code == 207
    found = responses(answer.text)
    base = f"/remote.php/dav/files/claire/{folder}/"
    assert set(found) == {base, base + "a.txt", base + "sub/"}
    file = found[base + "a.txt"]
    assert file.findtext(".//oc:permissions", namespaces=NS) == "RGDNVW"
    assert file.findtext(".//oc:size", namespaces=NS) == "3"
    assert file.findtext(".//oc:checksum", namespaces=NS).startswith("SHA1:a9993e36")
    assert file.findtext(".//oc:owner-id", namespaces=NS) == "claire"
    fileid = file.findtext(".//oc:fileid", namespaces=NS)
    assert file.findtext(".//oc:id", namespaces=NS).startswith(fileid.zfill(8))
    sub = found[base + "sub/"]
    assert sub.find(".//d:resourcetype/d:collection", NS) is not None
    assert sub.findtext(".//oc:permissions", namespaces=NS) == "RGDNVCK"
    assert found[base].findtext(".//d:quota-used-bytes", namespaces=NS) == "3"
    missing = [
        p for p in file.findall("d:propstat", NS) if "404" in p.findtext("d:status", namespaces=NS)
    ]
    assert missing and missing[0].find(".//{urn:x}nothing") is not None


def test_folder_etag_changes_when_something_inside_changes(teacher_dav, folder):
    teacher_dav.mkcol(f"{folder}/sub")
    before = teacher_dav.propfind(folder, depth="0").text
    teacher_dav.put(f"{folder}/sub/new.txt", b"n")
    after = teacher_dav.propfind(folder, depth="0").text
    etag = lambda text: next(iter(responses(text).values())).findtext(".//d:getetag", namespaces=NS)  # noqa: E731
    assert etag(before) != etag(after)


def test_depth_infinity_is_refused(teacher_dav, folder):
    answer = teacher_dav.propfind(folder, depth="infinity")
    assert answer.status_code == 403
    assert "propfind-finite-depth" in answer.text


def test_root_shows_the_class_folder_as_a_mount(teacher_dav, student_dav):
    teacher_root = responses(teacher_dav.propfind("", NEXTCLOUD_PROPS).text)
    mount = teacher_root["/remote.php/dav/files/claire/4e%20B/"]
    assert mount.findtext(".//nc:mount-type", namespaces=NS) == "group"
    assert "M" in mount.findtext(".//oc:permissions", namespaces=NS)
    student_root = responses(student_dav.propfind("", NEXTCLOUD_PROPS).text)
    seen = student_root["/remote.php/dav/files/lea.4eb/4e%20B/"]
    assert "C" not in seen.findtext(".//oc:permissions", namespaces=NS)


def test_dead_properties_are_kept_copied_and_removed(teacher_dav, folder):
    teacher_dav.put(f"{folder}/p.txt", b"p")
    patch = """<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:z">
    <d:set><d:prop><z:colour>vert</z:colour></d:prop></d:set></d:propertyupdate>"""
    assert (
        teacher_dav.request("PROPPATCH", f"{folder}/p.txt", data=patch.encode()).status_code == 207
    )
    copy = teacher_dav.request(
        "COPY", f"{folder}/p.txt", headers={"Destination": teacher_dav.url(f"{folder}/q.txt")}
    )
    assert copy.status_code == 201
    asked = '<d:propfind xmlns:d="DAV:"><d:prop><z:colour xmlns:z="urn:z"/></d:prop></d:propfind>'
    listing = responses(teacher_dav.propfind(folder, asked).text)
    assert (
        listing[f"/remote.php/dav/files/claire/{folder}/q.txt"].findtext(".//{urn:z}colour")
        == "vert"
    )
    remove = patch.replace("d:set", "d:remove")
    teacher_dav.request("PROPPATCH", f"{folder}/p.txt", data=remove.encode())
    listing = responses(teacher_dav.propfind(folder, asked).text)
    p = listing[f"/remote.php/dav/files/claire/{folder}/p.txt"]
    assert "404" in p.findtext("d:propstat/d:status", namespaces=NS)


def test_live_properties_cannot_be_set(teacher_dav, folder):
    patch = """<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getetag>x</d:getetag>
    </d:prop></d:set></d:propertyupdate>"""
    answer = teacher_dav.request("PROPPATCH", folder, data=patch.encode())
    assert answer.status_code == 207
    assert "403" in answer.text


def test_student_cannot_set_properties_on_the_class_folder(student_dav):
    patch = """<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><z:a xmlns:z="urn:z">1</z:a>
    </d:prop></d:set></d:propertyupdate>"""
    assert student_dav.request("PROPPATCH", "4e B", data=patch.encode()).status_code == 403
