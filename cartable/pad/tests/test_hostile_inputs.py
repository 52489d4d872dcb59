"""Every pad parser, fed crafted and random inputs: it answers or refuses cleanly, in bounds.

Refusing cleanly is raising the parser's own error (``ConvertError``, ``ProtocolError``,
``ApiError``, ``ImportRefused``); anything else (a RecursionError, a UnicodeDecodeError,
MemoryError, a hang) is a failure. See ``cartable.testing.hostile`` for the budgets.
"""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from cartable.pad import apikey, frames, protocol
from cartable.pad.actions import chat, conversion
from cartable.pad.actions.conversion import ImportRefused, read_import
from cartable.pad.convert import html_in, parsing
from cartable.pad.convert.html_in import decode_html, html_to_pm
from cartable.pad.convert.markdown import markdown_to_pm
from cartable.pad.convert.schema import ConvertError, as_int, safe_href, safe_src
from cartable.pad.etherpad.common import ApiError, parse_rev
from cartable.pad.etherpad.pads import diff_html
from cartable.testing.hostile import (
    HOSTILE,
    Hostile,
    HostileBytes,
    hostile_bytes,
    hostile_text,
    repeated,
    times,
    within_budget,
)

HTML_NESTING = [
    ("<div>", "</div>"),
    ("<ul><li>", "</li></ul>"),
    ("<ul><li>a</li><ul>", "</ul></ul>"),
    ("<ol><li><p>", "</p></li></ol>"),
    ("<pre><span>", "</span></pre>"),
    ("<span>", "</span>"),
    ("<b><i>", "</i></b>"),
    ("<table><tr><td>", "</td></tr></table>"),
    ("<blockquote>", "</blockquote>"),
    ('<p style="mso-list:l0 level1">', "</p>"),
    ("<li>", ""),
    ("<a href='x'>", "</a>"),
]
MARKDOWN_NESTING = [("> ", ""), ("- ", ""), ("[", "]"), ("*", "*"), ("`", "`"), ("1. ", "")]


def _is_doc(pm: object) -> bool:
    return isinstance(pm, dict) and pm.get("type") == "doc" and bool(pm.get("content"))


def _document_or_refusal(function, *args, **kwargs):
    try:
        pm = within_budget(function, *args, **kwargs)
    except ConvertError:
        return
    assert _is_doc(pm)
    # Whatever came in, what comes out is JSON (it is stored, and sent to editors).
    json.dumps(pm)


@HOSTILE
@given(hostile_text(pairs=HTML_NESTING))
@example(times(" ", 300_000) + "x")
@example(Hostile.of("<span style='") + times(" ", 300_000) + "'>x</span>")
@example(Hostile.of("<span style='") + times("a", 300_000) + "'>x</span>")
@example(Hostile.of('<p style="mso-list:') + times(" ", 300_000) + 'l0">x</p>')
@example(Hostile.of("<meta ") + times("charset", 500))
@example(times("<span>a</span>", 15_000))
@example(times("<ul><li>a", 3000))
@example(Hostile.of("<ul><li>a</li><ul>\x08"))
@example(Hostile.of("<pre>") + times("<span>", 5000) + "x")
@example(Hostile.of('<ol start="') + times("9", 5000) + '"><li>x</li></ol>')
@example(
    Hostile.of('<table><tr><td data-colwidth="') + times("1,", 100_000) + '">x</td></tr></table>'
)
def test_html_import(html):
    _document_or_refusal(html_to_pm, html)


@HOSTILE
@given(hostile_bytes())
@example(HostileBytes.of(b"<meta charset='" + b" " * 4000, "b\"<meta charset='\" + b' ' * 4000"))
@example(HostileBytes.of(b'<meta charset=" ' + b"\t" * 4000 + b"!", "b'<meta charset=\" ' + tabs"))
@example(HostileBytes.of(b"\xff\xfe" + b"\x00\xd8" * 1000, "BOM + lone surrogates * 1000"))
def test_html_bytes_and_their_encoding(data):
    assert isinstance(within_budget(decode_html, data), str)
    _document_or_refusal(html_to_pm, data)


def test_html_past_its_bounds_is_refused(monkeypatch):
    monkeypatch.setattr(html_in, "MAX_ELEMENTS", 1000)
    with pytest.raises(ConvertError):
        html_to_pm("<b>x</b>" * 2000)
    monkeypatch.setattr(html_in, "MAX_HTML_CHARS", 100)
    with pytest.raises(ConvertError):
        html_to_pm("x" * 200)


@HOSTILE
@given(hostile_text(pairs=MARKDOWN_NESTING, scale=0.05))
@example(times("[", 10_000))
@example(times("*a", 10_000))
@example(times("> ", 10_000) + "x")
@example(times("- ", 5_000) + "x")
@example(times("`", 10_000))
@example(times("<div>\n", 5_000))
def test_markdown_import(md):
    _document_or_refusal(markdown_to_pm, md)


@HOSTILE
@given(st.text(max_size=2000) | repeated())
def test_link_and_image_addresses(url):
    for check in (safe_href, safe_src):
        kept = within_budget(check, url)
        assert kept is None or isinstance(kept, str)
    assert isinstance(as_int(url, 1), int)


@HOSTILE
@given(hostile_bytes(), st.sampled_from(["txt", "md", "html"]))
def test_an_uploaded_file_read_as_the_child_reads_it(tmp_path_factory, data, kind):
    path = tmp_path_factory.mktemp("import") / "import"
    path.write_bytes(data)
    _document_or_refusal(parsing.read_file, str(path), kind)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.html", b"<span style='" + b" " * 2_000_000 + b"'>x</span>"),
        ("a.html", b"<b>x</b>" * 600_000),
        ("a.md", b"> " * 1_000_000),
        ("a.txt", b"\xff\xfe" + b"\x00" * 3_000_000),
    ],
    ids=["long style", "too many elements", "deep quotes", "utf-16 zeros"],
)
def test_a_hostile_import_is_parsed_away_from_the_server(name, data):
    """Through the child process: a document, or ImportRefused — never another error."""
    try:
        with translation.override("en"):
            pm = read_import(data, name)
    except ImportRefused as exc:
        assert "cannot be imported" in str(exc)
    else:
        assert _is_doc(pm)


def test_an_import_too_slow_to_parse_is_stopped_and_refused(monkeypatch):
    monkeypatch.setattr(conversion, "PARSE_TIMEOUT", 1)
    with translation.override("en"), pytest.raises(ImportRefused, match="too complex"):
        read_import(b"[" * 1_000_000, "a.md")


# --- The pad's websocket ------------------------------------------------------------------


def repeated_binary_messages():
    return st.builds(
        lambda head, body, n: head + body * n,
        st.sampled_from([b"\x01", b"\x00\x00", b"\x65", b"\x01\xff\xff\xff\x0f"]),
        st.sampled_from([b"\x80", b"\xff", b"\x01\x01\x01", b"\x01\x00\x05[[[[["]),
        st.integers(1, 50_000),
    )


@HOSTILE
@given(st.binary(max_size=5000) | repeated_binary_messages())
def test_yjs_messages(message):
    reader = protocol.Reader(message)
    try:
        kind = reader.var_uint()
        if kind == protocol.MESSAGE_AWARENESS:
            entries = protocol.parse_awareness(reader.var_bytes(), limit=100)
            assert len(entries) <= 100
        elif kind == protocol.MESSAGE_CHAT:
            assert isinstance(chat.parse(reader.var_string()), str)
        else:
            reader.var_uint()
            reader.var_bytes()
    except protocol.ProtocolError:
        pass


@pytest.mark.parametrize(
    "state",
    ["[" * 100_000, '{"a":' * 100_000, "\ud800", "1" * 100_000],
    ids=["deep list", "deep object", "surrogate", "huge number"],
)
def test_a_chat_message_that_json_cannot_read(state):
    assert chat.parse(state) == ""


def test_a_string_that_is_not_utf8_is_a_protocol_error():
    message = bytes([protocol.MESSAGE_CHAT]) + protocol.write_var_bytes(b"\xff\xfe")
    reader = protocol.Reader(message)
    reader.var_uint()
    with pytest.raises(protocol.ProtocolError):
        reader.var_string()


@HOSTILE
@given(
    st.lists(st.binary(max_size=300), max_size=50)
    | st.builds(lambda d, n: [d] * n, st.binary(min_size=1, max_size=16), st.integers(1, 5000))
)
def test_the_frame_reader_on_any_bytes(pieces):
    class Server:
        def __init__(self):
            self.passed = 0

        def data_received(self, data):
            self.passed += len(data)

    messages: list[bytes] = []
    reader = frames.FrameReader(Server(), messages.append, 1000)
    for piece in pieces:
        reader.data_received(piece)
    assert all(len(m) <= 1000 for m in messages)
    assert reader.buffered <= sum(len(p) for p in pieces)


# --- The Etherpad API's parameters ----------------------------------------------------------


@HOSTILE
@given(
    hostile_text()
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.none()
    | st.lists(st.integers(), max_size=3)
)
@example(times("9", 5000))
@example(times(" ", 100_000) + "x")
@example(Hostile.of("-") + times("0", 5000) + "1")
def test_revision_numbers(value):
    try:
        rev = within_budget(parse_rev, value)
    except ApiError:
        return
    assert isinstance(rev, int) and rev >= 0


@HOSTILE
@given(hostile_text(), hostile_text())
@example(times("a ", 20_000), times("b ", 20_000))
@example(times("a ", 20_000), times("a ", 10_000) + "b " * 10_000)
def test_revision_differences(before, after):
    html = within_budget(diff_html, before, after)
    assert isinstance(html, str)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"padID":' * 100_000, b"\xff\xfe{", b'{"rev": ' + b"9" * 10_000 + b"}"],
    ids=["deep list", "deep object", "not utf-8", "huge number"],
)
def test_an_api_body_that_json_cannot_read_is_refused_cleanly(client, body):
    response = client.post(
        f"/pad/api/1.3.0/getText?apikey={apikey.api_key()}",
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["code"] == 1
