"""Every Drive parser, fed crafted and random inputs: it answers or refuses cleanly, in bounds.

Refusing cleanly is raising the parser's own error (``BadXML``, ``BadIfHeader``,
``InvalidName``, ``ExtractError``, ``NoThumbnail``) or, end to end, giving no text or no
preview; anything else (a crash, MemoryError, a hang) is a failure. See
``cartable.testing.hostile`` for the budgets.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from cartable.drive import errors, previews, textparse, thumbnails, tus
from cartable.drive.extract import extract_text
from cartable.drive.webdav import davxml, ifheader
from cartable.testing.blobs import make_blob
from cartable.testing.hostile import (
    HOSTILE,
    Hostile,
    HostileBytes,
    bytes_times,
    hostile_bytes,
    hostile_text,
    times,
    within_budget,
    zip_bomb,
    zip_bytes,
)

ODT = "application/vnd.oasis.opendocument.text"
XML_NESTING = [("<a>", "</a>"), ("<d:prop>", "</d:prop>"), ('<x xmlns:y="u">', "</x>")]
PROPFIND = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:">{}</d:propfind>'
ENTITIES = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><d:propfind xmlns:d="DAV:"><d:prop><i>&i;</i></d:prop></d:propfind>'
)


# --- WebDAV bodies and headers --------------------------------------------------------------


@HOSTILE
@given(
    hostile_bytes()
    | hostile_text(pairs=XML_NESTING).map(lambda t: PROPFIND.format(t).encode())
    | st.sampled_from(
        [
            HostileBytes.of(ENTITIES.encode(), "billion laughs"),
            HostileBytes.of(PROPFIND.format("<a>" * 10_000).encode(), "propfind + '<a>' * 10000"),
            bytes_times(b"<d:prop xmlns:d='DAV:'>", 40_000),
        ]
    )
)
@example(HostileBytes.of(b"<?xml version='1.0'?>" + b" " * 1_000_000, "declaration + spaces"))
def test_webdav_bodies(body):
    try:
        root = within_budget(davxml.parse, body)
    except davxml.BadXML:
        return
    if root is None:
        return
    for read in (davxml.parse_propfind, davxml.parse_proppatch, davxml.parse_lockinfo):
        with contextlib.suppress(davxml.BadXML):
            within_budget(read, root)


def test_entities_are_not_expanded():
    """The parser refuses the billion laughs outright (libxml2's amplification limit)."""
    with pytest.raises(davxml.BadXML):
        davxml.parse(ENTITIES.encode())
    root = davxml.parse(
        b'<!DOCTYPE d [<!ENTITY a "aaaa">]><d:propfind xmlns:d="DAV:"><d:prop><i>&a;</i>'
        b"</d:prop></d:propfind>"
    )
    assert root is not None
    assert "aaaa" not in "".join(root.itertext())


@HOSTILE
@given(
    hostile_text(
        fragments=["(", ")", "<", ">", "[", "]", "Not ", "<urn:x>", '["e"]', " ", "<http://h/>"],
        pairs=[("(", ")"), ("(<", ">)"), ("<x> (", ")")],
    )
)
@example(times("(<urn:x>) ", 20_000))
@example(times("<http://h/a> (<urn:x>) ", 10_000))
@example(Hostile.of("(") + times("Not <urn:x> ", 10_000) + ")")
@example(times("(", 50_000))
def test_webdav_if_headers(value):
    try:
        header = within_budget(ifheader.parse_if, value)
    except ifheader.BadIfHeader:
        return
    assert len(header.clauses) <= ifheader.MAX_LISTS
    assert all(len(c.conditions) <= ifheader.MAX_CONDITIONS for c in header.clauses)


@HOSTILE
@given(hostile_text(fragments=["a ", "YQ==", ",", " ", "=", "filename ", "/w==", "x"]))
@example(times("filename YQ==,", 50_000))
@example(Hostile.of("filename ") + times("A", 300_000))
def test_tus_metadata(header):
    try:
        metadata = within_budget(tus.parse_metadata, header)
    except errors.InvalidName:
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())


# --- Text for search ------------------------------------------------------------------------


def _extracted(tmp_path_factory, data: bytes, mime_type: str, limit: int = 10_000) -> None:
    path = tmp_path_factory.mktemp("extract") / "source"
    path.write_bytes(data)
    try:
        text = within_budget(textparse.extract_file, str(path), mime_type, limit, 16 * 1024 * 1024)
    except textparse.ExtractError:
        return
    assert isinstance(text, str) and len(text) <= limit


@HOSTILE
@given(hostile_bytes(), st.sampled_from(["text/plain", "text/html"]))
@example(bytes_times(b" ", 300_000) + b"x\n", "text/plain")
@example(bytes_times(b" \t", 150_000) + b"\n", "text/plain")
@example(bytes_times(b"<div>", 60_000), "text/html")
def test_text_and_html_for_search(tmp_path_factory, data, mime_type):
    _extracted(tmp_path_factory, data, mime_type)


def _odt(inner: str) -> bytes:
    return zip_bytes(
        {
            "content.xml": '<office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:'
            f'xmlns:text:1.0"><office:body><office:text><text:p>{inner}</text:p>'
            "</office:text></office:body></office:document-content>"
        }
    )


ODF_FRAGMENTS = [
    '<text:s text:c="999999999999"/>',
    '<text:s text:c="-1"/>',
    '<text:s text:c="x"/>',
    '<text:s text:c="²"/>',
    "<text:tab/>",
    "<text:span>",
    "</text:span>",
    "<text:note>n</text:note>",
    "a",
    "&amp;",
]


@HOSTILE
@given(
    st.lists(
        st.builds(lambda f, n: f * n, st.sampled_from(ODF_FRAGMENTS), st.integers(1, 5_000)),
        max_size=4,
    ).map("".join)
)
def test_opendocument_paragraphs_for_search(tmp_path_factory, inner):
    _extracted(tmp_path_factory, _odt(inner), ODT)


@HOSTILE
@given(
    st.sampled_from(
        sorted(textparse.OPENDOCUMENT | {textparse.DOCX, textparse.PPTX, textparse.XLSX})
    ),
    st.dictionaries(
        st.sampled_from(
            [
                "content.xml",
                "word/document.xml",
                "xl/sharedStrings.xml",
                "ppt/slides/slide1.xml",
                "ppt/slides/slide99999999999.xml",
            ]
        ),
        hostile_bytes(),
        max_size=3,
    ),
)
def test_office_zips_for_search(tmp_path_factory, mime_type, parts):
    _extracted(tmp_path_factory, zip_bytes(parts), mime_type)


@pytest.mark.parametrize(
    ("name", "mime_type"),
    [
        ("content.xml", ODT),
        ("word/document.xml", textparse.DOCX),
        ("ppt/slides/slide1.xml", textparse.PPTX),
    ],
)
def test_a_zip_bomb_stops_at_the_bound(tmp_path_factory, name, mime_type):
    bomb = zip_bomb(name, "<a>", inflated=64 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    _extracted(tmp_path_factory, bomb, mime_type)


def test_a_zip_of_many_entries_is_refused(tmp_path):
    path = tmp_path / "many.zip"
    path.write_bytes(zip_bytes({f"f{i}": "" for i in range(textparse.MAX_ZIP_ENTRIES + 1)}))
    with pytest.raises(textparse.ExtractError):
        textparse.extract_file(str(path), textparse.DOCX, 1000, 1024)


@pytest.mark.django_db
def test_a_bomb_through_the_child_gives_no_text_and_leaves_the_server_alone():
    bomb = zip_bomb("content.xml", "<a>", inflated=300 * 1024 * 1024)
    assert extract_text(make_blob(bomb), ODT) == ""


# --- Previews -------------------------------------------------------------------------------


def _png(width: int, height: int, data: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack("!I", len(body)) + kind + body + struct.pack("!I", zlib.crc32(kind + body))
        )

    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(data, 9))
        + chunk(b"IEND", b"")
    )


def _gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, "GIF")
    return out.getvalue()


@HOSTILE
@given(
    hostile_bytes()
    | st.builds(
        lambda prefix, noise: HostileBytes.of(prefix + noise, f"{prefix[:8]!r} + noise"),
        st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"RIFF", b"BM"]),
        st.binary(max_size=2000),
    )
    | st.builds(
        lambda w, h: HostileBytes.of(_png(w, h, b"\x00" * 1000), f"png {w}×{h}"),
        st.integers(1, 2**31 - 1),
        st.integers(1, 2**31 - 1),
    )
)
@example(HostileBytes.of(_gif_bytes()[:-5], "cut gif"))
def test_images_for_thumbnails(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("thumb") / "source"
    path.write_bytes(data)
    try:
        made = within_budget(thumbnails.thumbnails, str(path), "image", [64], 10_000_000)
    except thumbnails.NoThumbnail:
        return
    assert set(made) == {"64"}


@HOSTILE
@given(hostile_bytes())
def test_text_files_for_thumbnails(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("thumb") / "source"
    path.write_bytes(data)
    made = within_budget(thumbnails.thumbnails, str(path), "text", [64], 10_000_000)
    assert set(made) == {"64"}


@pytest.mark.django_db
def test_a_pixel_bomb_through_the_child_is_marked_failed_with_nothing_stored():
    """A PNG of 30 000 × 30 000 pixels in 1 MB: refused, and no partial preview is kept."""
    blob = make_blob(_png(30_000, 30_000, b"\x00" * (30_000 * 3 + 1) * 100))
    assert previews.make_preview(blob, "image/png") is None
    assert previews.has_failed(blob)
    assert not any(
        default_storage.exists(previews.storage_name(blob.pk, s)) for s in previews.SIZES
    )
