"""The protocol's bodies and headers, without a server."""

import pytest

from cartable.drive.webdav import davxml
from cartable.drive.webdav.headers import (
    INFINITY,
    BadHeader,
    ForeignDestination,
    destination_path,
    parse_depth,
    parse_timeout,
    split_path,
)
from cartable.drive.webdav.ifheader import (
    BadIfHeader,
    ResourceState,
    evaluate,
    parse_if,
)


def test_if_header_with_tagged_lists_nots_and_etags():
    header = parse_if('<http://h/a> (<opaquelocktoken:x> ["e1"]) (Not <DAV:no-lock>) </b> (["e2"])')
    assert [c.resource for c in header.clauses] == ["http://h/a", "http://h/a", "/b"]
    assert header.tokens == {"opaquelocktoken:x", "DAV:no-lock"}
    assert header.clauses[1].conditions[0].negated


def test_if_header_is_true_when_one_list_holds():
    header = parse_if('(<opaquelocktoken:x>) (Not <DAV:no-lock> ["e1"])')
    assert evaluate(header, lambda tag: ResourceState('"e1"', frozenset()))
    assert not evaluate(header, lambda tag: ResourceState('"e2"', frozenset()))
    assert evaluate(header, lambda tag: ResourceState('"e2"', frozenset({"opaquelocktoken:x"})))


def test_if_header_about_a_missing_resource_is_false():
    assert not evaluate(parse_if('(["e1"])'), lambda tag: ResourceState(None, frozenset()))


@pytest.mark.parametrize("value", ["", "(", "(<a>", "x", "()", "(<a>) <b> (<c>)"])
def test_malformed_if_headers_are_refused(value):
    with pytest.raises(BadIfHeader):
        parse_if(value)


def test_depth_timeout_and_destination():
    assert parse_depth(None) == INFINITY
    assert parse_depth("1") == 1
    with pytest.raises(BadHeader):
        parse_depth("2")
    assert parse_timeout("Second-20") == 20
    assert parse_timeout("Infinite, Second-4") > 3600
    assert destination_path("http://h:1/x/%C3%A9", "h:1") == "/x/%C3%A9"
    with pytest.raises(ForeignDestination):
        destination_path("http://elsewhere/x", "h:1")


@pytest.mark.parametrize("path", ["/a/../b", "/a/%2e%2e/b", "/a%2Fb", "/a/%00", "/%ff"])
def test_paths_that_would_escape_or_hide_are_refused(path):
    with pytest.raises(BadHeader):
        split_path(path)


def test_path_segments_are_decoded_after_splitting():
    assert split_path("/été/%F0%9F%98%80%20x/") == ["été", "😀 x"]


def test_propfind_bodies():
    assert davxml.parse_propfind(None).kind == "allprop"
    body = b'<d:propfind xmlns:d="DAV:" xmlns:o="http://owncloud.org/ns"><d:prop><d:getetag/><o:fileid/></d:prop></d:propfind>'
    query = davxml.parse_propfind(davxml.parse(body))
    assert query.names == [("DAV:", "getetag"), ("http://owncloud.org/ns", "fileid")]
    with pytest.raises(davxml.BadXML):
        davxml.parse(b"<d:propfind xmlns:d='DAV:'><d:prop>")
    with pytest.raises(davxml.BadXML):
        davxml.parse(b'<d:propfind xmlns:d="DAV:" xmlns:x=""><d:allprop/></d:propfind>')


def test_entities_are_not_expanded():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x xmlns="urn:x">&e;</x>'
        b"</d:prop></d:set></d:propertyupdate>"
    )
    changes = davxml.parse_proppatch(davxml.parse(body))
    assert "root:" not in changes[0].xml


def test_dead_property_keeps_its_namespaces():
    body = (
        b'<d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:z"><d:set><d:prop>'
        b"<z:p><foo xmlns='bar'/>text</z:p><q xmlns=''>v</q></d:prop></d:set></d:propertyupdate>"
    )
    first, second = davxml.parse_proppatch(davxml.parse(body))
    assert first.name == ("urn:z", "p")
    assert 'xmlns:z="urn:z"' in first.xml and 'xmlns="bar"' in first.xml
    assert second.name == ("", "q")
    multistatus = davxml.multistatus([davxml.response("/x", {200: [first.xml, second.xml]})])
    root = davxml.parse(multistatus)
    assert root is not None
    names = [davxml.qname(e) for e in root.iter() if isinstance(e.tag, str)]
    assert ("urn:z", "p") in names and ("", "q") in names
