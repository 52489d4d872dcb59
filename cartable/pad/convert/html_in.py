"""HTML → ProseMirror JSON, for the pad's schema only.

Whatever comes in (a web page, LibreOffice's or Word's HTML, Etherpad's ``getHTML``) comes
out as the schema's nodes, marks and attributes: unknown elements are unwrapped to their text,
scripts, styles and form controls are dropped, links and images pass the URL checks of
``schema``. Formatting written as CSS (``<span style="font-weight: bold">``, as office suites
do) becomes marks; Word's paragraph-lists (``mso-list``) become real lists.

Bounded: a document past ``MAX_HTML_CHARS`` characters or ``MAX_ELEMENTS`` elements is
refused (``ConvertError``), nesting past ``_MAX_DEPTH`` is read as text, attributes are read
up to a length, and every step is linear in the input (no backtracking regular expression,
no string grown by repeated concatenation). Imports run this in a child process
(``cartable.pad.convert.parsing``), away from the server.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any

import lxml.html
from lxml import etree

from cartable.pad.convert.schema import (
    MARK_ORDER,
    ConvertError,
    PMNode,
    as_int,
    empty_doc,
    paragraph,
    safe_href,
    safe_src,
)

ImageSrc = Callable[[str], str | None]
Marks = dict[str, dict[str, Any]]

# Dropped with everything inside them. (<object>, <video> and the like are unwrapped instead:
# what they hold is their fallback text, and the parser nests what follows an <embed> in it.)
_DROP = {
    "head", "title", "meta", "link", "base", "script", "style", "noscript", "template",
    "iframe", "frame", "frameset", "param", "source", "track", "svg", "math", "area",
    "button", "select", "option",
    "optgroup", "textarea", "input", "datalist", "output", "progress", "meter", "dialog",
    "xml", "colgroup", "col", "rp", "rt",
}  # fmt: skip
# Containers of blocks: their content is read as blocks, in place.
_CONTAINERS = {
    "html", "body", "div", "section", "article", "main", "header", "footer", "aside", "nav",
    "center", "address", "figure", "figcaption", "dl", "dt", "dd", "details", "summary",
    "form", "fieldset", "legend", "li", "hgroup", "search",
}  # fmt: skip
# The editor offers three levels of heading (and would show a deeper one as a level 1).
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}
_LISTS = {"ul", "ol", "menu", "dir"}
_TAG_MARKS = {
    "strong": "bold",
    "b": "bold",
    "em": "italic",
    "i": "italic",
    "cite": "italic",
    "dfn": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}
_FORMATTING = {"bold", "italic", "underline", "strike"}
_SPACES = re.compile(r"[ \t\n\r\f]+")
_ORDERED_MARKER = re.compile(r"^\(?[0-9a-zA-Z]{1,6}[.)]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Each match ends at the tag's ">": the search never goes back over a tag it has read.
_META_TAG = re.compile(rb"<meta\b([^>]*)", re.IGNORECASE)
_CHARSET = re.compile(rb"""charset\s*=\s*(?:["']\s*)?([a-zA-Z0-9_\-]{1,40})""", re.IGNORECASE)
_TICKS = {"\u2610": False, "\u2611": True, "\u2612": True, "\u2713": True, "\u2714": True}
_MAX_DEPTH = 100
# Control characters XML cannot hold: lxml's parser keeps them in the tree, but refuses them
# when the reader moves text around (a list's stray text); no page shows them anyway.
_CONTROL_CHARACTERS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
MAX_HTML_CHARS = 64 * 1024 * 1024
MAX_ELEMENTS = 500_000
# Attributes longer than these are ignored: no link, style or image address is that long
# (images as data: URIs are bounded by their own size limit where they are stored).
_MAX_STYLE = 4096
_MAX_HREF = 8192
_MAX_DATA_SRC = 32 * 1024 * 1024


def decode_html(data: bytes) -> str:
    """The text of an HTML file: its BOM, else its ``<meta charset>``, else UTF-8, else cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    charset = _meta_charset(data[:4096])
    if charset:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _meta_charset(head: bytes) -> str | None:
    for tag in _META_TAG.finditer(head):
        found = _CHARSET.search(tag.group(1))
        if found:
            return found.group(1).decode("ascii").lower()
    return None


def _style(el: Any) -> dict[str, str]:
    """A ``style`` attribute's declarations, names and values lowercased; split, not matched."""
    raw = el.get("style")
    if not raw or len(raw) > _MAX_STYLE:
        return {}
    out = {}
    for declaration in raw.split(";"):
        name, colon, value = declaration.partition(":")
        name = name.strip()
        if colon and name.isascii() and name.replace("-", "").isalpha():
            out[name.lower()] = value.strip().lower()
    return out


def _tag(el: Any) -> str | None:
    # Comments and processing instructions have a function as their tag.
    return el.tag.lower() if isinstance(el.tag, str) else None


def _is_whitespace(text: str | None) -> bool:
    return not text or not text.strip(" \t\n\r\f")


class _Sink:
    """Collects blocks, and the inline content of the paragraph being written."""

    def __init__(self) -> None:
        self.blocks: list[PMNode] = []
        self.inline: list[PMNode] = []
        self.heading: int | None = None
        # Inside an explicit <p> or heading a <br> is a line break; elsewhere (a <div>, the
        # body, a cell, Etherpad's lines) it ends a paragraph, as a line of a pad.
        self.explicit = False
        self.after_block = False

    def text(self, text: str, marks: Marks) -> None:
        text = _SPACES.sub(" ", text)
        if not text:
            return
        if text.strip(" "):
            self.after_block = False
        self.inline.append(_text_node(text, marks))

    def atom(self, node: PMNode) -> None:
        self.inline.append(node)
        self.after_block = False

    def line_break(self) -> None:
        if self.explicit:
            self.atom({"type": "hardBreak"})
        elif self.after_block and not _tidy(list(self.inline)):
            self.after_block = False
            self.inline = []
        else:
            self.flush(keep_empty=True)

    def add_block(self, node: PMNode | None) -> None:
        self.flush()
        if node is not None:
            self.blocks.append(node)
            self.after_block = True

    def flush(self, *, keep_empty: bool = False) -> None:
        content = _tidy(self.inline)
        self.inline = []
        if not content and not keep_empty:
            return
        if self.heading:
            block: PMNode = {"type": "heading", "attrs": {"level": self.heading}}
            if content:
                block["content"] = content
        else:
            block = paragraph(content)
        self.blocks.append(block)
        self.after_block = False


def _text_node(text: str, marks: Marks) -> PMNode:
    node: PMNode = {"type": "text", "text": text}
    if "code" in marks:
        # The editor's code mark excludes the formatting marks (not links, not authors).
        marks = {name: attrs for name, attrs in marks.items() if name not in _FORMATTING}
    elif "link" in marks and "underline" in marks:
        # Office suites underline links through a character style; a link is shown
        # underlined anyway, and a separate underline would outlive the link if removed.
        marks = {name: attrs for name, attrs in marks.items() if name != "underline"}
    if marks:
        node["marks"] = [
            {"type": name, **({"attrs": dict(marks[name])} if marks[name] else {})}
            for name in MARK_ORDER
            if name in marks
        ]
    return node


def _tidy(inline: list[PMNode]) -> list[PMNode]:
    """Collapse spaces as a browser would, drop a trailing <br>, merge same-marked text."""
    out: list[PMNode] = []
    space_before = True  # at the start of a block, leading spaces go
    for node in inline:
        if node["type"] == "text":
            text = node["text"]
            if space_before:
                text = text.lstrip(" ")
            if not text:
                continue
            space_before = text.endswith(" ")
            node = {**node, "text": text}
        else:
            space_before = node["type"] == "hardBreak"
            # A space before a line break is not shown.
            if out and out[-1]["type"] == "text" and node["type"] == "hardBreak":
                out[-1]["text"] = out[-1]["text"].rstrip(" ")
                if not out[-1]["text"]:
                    out.pop()
        out.append(node)
    if out and out[-1]["type"] == "text":
        out[-1]["text"] = out[-1]["text"].rstrip(" ")
        if not out[-1]["text"]:
            out.pop()
    while out and out[-1]["type"] == "hardBreak":
        out.pop()
    # Runs of same-marked text are joined once each: adding to the run's text node by node
    # would copy it again at every node (quadratic in a paragraph of many spans).
    groups: list[tuple[PMNode, list[str]]] = []
    for node in out:
        if (
            groups
            and node["type"] == "text"
            and groups[-1][0]["type"] == "text"
            and groups[-1][0].get("marks") == node.get("marks")
        ):
            groups[-1][1].append(node["text"])
        else:
            groups.append((node, [node["text"]] if node["type"] == "text" else []))
    merged = [
        {**node, "text": "".join(texts)} if node["type"] == "text" else node
        for node, texts in groups
    ]
    # A paragraph of spaces alone (Word's "<o:p>&nbsp;</o:p>") is an empty line.
    if all(n["type"] == "text" and not n["text"].strip() for n in merged):
        return []
    return merged


class _Reader:
    def __init__(self, image_src: ImageSrc) -> None:
        self.image_src = image_src
        self.depth = 0

    # --- walking --------------------------------------------------------------------

    def blocks(self, el: Any, marks: Marks) -> list[PMNode]:
        sink = _Sink()
        self.children(el, marks, sink)
        sink.flush()
        return sink.blocks

    def children(self, el: Any, marks: Marks, sink: _Sink) -> None:
        if el.text:
            sink.text(el.text, marks)
        children = list(el)
        i = 0
        while i < len(children):
            child = children[i]
            if _mso_list_level(child) is not None:
                run = [child]
                while (
                    i + 1 < len(children)
                    and _is_whitespace(children[i].tail)
                    and _mso_list_level(children[i + 1]) is not None
                ):
                    i += 1
                    run.append(children[i])
                for node in self.mso_lists(run, marks):
                    sink.add_block(node)
            else:
                self.node(child, marks, sink)
            if child.tail:
                sink.text(child.tail, marks)
            i += 1

    def node(self, el: Any, marks: Marks, sink: _Sink) -> None:
        tag = _tag(el)
        if tag is None or tag in _DROP:
            return
        inner = self.marks(el, tag, marks)
        if inner is None:
            return
        if self.depth > _MAX_DEPTH:
            sink.text(el.text_content(), inner)
            return
        self.depth += 1
        try:
            self.element(el, tag, inner, sink)
        finally:
            self.depth -= 1

    def element(self, el: Any, tag: str, marks: Marks, sink: _Sink) -> None:
        if tag == "p" or tag in _HEADINGS:
            sink.flush()
            saved = (sink.heading, sink.explicit)
            sink.heading, sink.explicit = _HEADINGS.get(tag), True
            before = len(sink.blocks)
            self.children(el, marks, sink)
            # An empty <p> is an empty line; a <p> that only held an image is the image.
            sink.flush(keep_empty=len(sink.blocks) == before and el.find(".//img") is None)
            sink.heading, sink.explicit = saved
        elif tag in _CONTAINERS:
            sink.flush()
            saved_explicit = sink.explicit
            sink.explicit = False
            self.children(el, marks, sink)
            sink.flush()
            sink.explicit = saved_explicit
        elif tag in _LISTS:
            sink.add_block(self.list_block(el, marks))
        elif tag == "blockquote":
            sink.add_block(
                {"type": "blockquote", "content": self.blocks(el, marks) or [paragraph()]}
            )
        elif tag in ("pre", "listing", "xmp", "plaintext"):
            sink.add_block(self.code_block(el))
        elif tag == "hr":
            sink.add_block({"type": "horizontalRule"})
        elif tag == "br":
            sink.line_break()
        elif tag == "img":
            image = self.image(el)
            if image is not None:
                sink.add_block(image)
        elif tag == "table":
            sink.flush()
            for block in self.table(el, marks):
                sink.add_block(block)
        else:
            # Inline and unknown elements alike: their content, with their marks.
            self.children(el, marks, sink)

    def marks(self, el: Any, tag: str, marks: Marks) -> Marks | None:
        """The marks inside ``el``; None if the element is not to be shown at all."""
        style = _style(el)
        if style.get("display") == "none" or style.get("mso-list") == "ignore":
            return None
        out = dict(marks)
        name = _TAG_MARKS.get(tag)
        if name:
            out[name] = {}
        if tag == "a":
            href = safe_href(_attribute(el, "href", _MAX_HREF))
            if href is not None:
                link: dict[str, Any] = {"href": href}
                if el.get("target") == "_blank":
                    link["target"] = "_blank"
                out["link"] = link
        weight = style.get("font-weight")
        if weight:
            if weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600):
                out["bold"] = {}
            elif weight in ("normal", "lighter") or weight.isdigit():
                out.pop("bold", None)
        font_style = style.get("font-style")
        if font_style in ("italic", "oblique"):
            out["italic"] = {}
        elif font_style == "normal":
            out.pop("italic", None)
        decoration = style.get("text-decoration-line") or style.get("text-decoration")
        if decoration:
            if "underline" in decoration:
                out["underline"] = {}
            if "line-through" in decoration:
                out["strike"] = {}
            if decoration.startswith("none"):
                out.pop("underline", None)
                out.pop("strike", None)
        return out

    # --- blocks ---------------------------------------------------------------------

    def image(self, el: Any) -> PMNode | None:
        src = self.image_src(_attribute(el, "src", _MAX_DATA_SRC) or "")
        if not src:
            return None
        attrs: dict[str, Any] = {"src": src}
        if el.get("alt"):
            attrs["alt"] = el.get("alt")[:500]
        if el.get("title"):
            attrs["title"] = el.get("title")[:500]
        return {"type": "image", "attrs": attrs}

    def code_block(self, el: Any) -> PMNode:
        language = _language(el)
        for child in el:
            if _tag(child) == "code":
                language = language or _language(child)
        text = _pre_text(el)
        text = text.removeprefix("\n").removesuffix("\n")
        node: PMNode = {"type": "codeBlock", "attrs": {"language": language}}
        if text:
            node["content"] = [{"type": "text", "text": text}]
        return node

    def list_block(self, el: Any, marks: Marks) -> PMNode | None:
        items: list[tuple[list[PMNode], bool | None]] = []
        stray: list[Any] = []  # text and elements directly inside the list, not in an <li>

        def close_stray() -> None:
            if not stray:
                return
            wrapper = lxml.html.Element("li")
            for part in stray:
                if isinstance(part, str):
                    if len(wrapper):
                        wrapper[-1].tail = (wrapper[-1].tail or "") + part
                    else:
                        wrapper.text = (wrapper.text or "") + part
                else:
                    wrapper.append(part)
            stray.clear()
            if _is_whitespace(wrapper.text_content()) and not len(wrapper):
                return
            items.append(self.list_item(wrapper, marks))

        if not _is_whitespace(el.text):
            stray.append(el.text)
        for child in list(el):
            tag = _tag(child)
            tail = child.tail
            if tag == "li":
                close_stray()
                items.append(self.list_item(child, marks))
            elif tag in _LISTS and items and self.depth <= _MAX_DEPTH:
                close_stray()
                self.depth += 1
                try:
                    nested = self.list_block(child, marks)
                finally:
                    self.depth -= 1
                if nested is not None:
                    items[-1][0].append(nested)
            elif tag is not None and tag not in _DROP:
                child.tail = None
                stray.append(child)
            if not _is_whitespace(tail):
                stray.append(tail)
        close_stray()
        if not items:
            return None
        task = (el.get("data-type") == "taskList") or any(c is not None for _b, c in items)
        if task:
            return {
                "type": "taskList",
                "content": [
                    {"type": "taskItem", "attrs": {"checked": bool(checked)}, "content": blocks}
                    for blocks, checked in items
                ],
            }
        node: PMNode = {
            "type": "bulletList" if _tag(el) != "ol" else "orderedList",
            "content": [{"type": "listItem", "content": blocks} for blocks, _c in items],
        }
        if node["type"] == "orderedList":
            node["attrs"] = {"start": as_int(el.get("start"), 1, low=0, high=10**9)}
        return node

    def list_item(self, li: Any, marks: Marks) -> tuple[list[PMNode], bool | None]:
        checked = _task_state(li)
        blocks = self.blocks(li, marks)
        if checked is not None:
            _strip_tick(blocks)
        if not blocks:
            blocks = [paragraph()]
        elif blocks[0]["type"] == "heading":
            blocks[0] = paragraph(blocks[0].get("content"))
        elif blocks[0]["type"] != "paragraph":
            blocks.insert(0, paragraph())
        return blocks, checked

    def mso_lists(self, paragraphs: list[Any], marks: Marks) -> list[PMNode]:
        """Word's lists: paragraphs with ``mso-list: l0 level2`` and a marker to skip."""
        roots: list[PMNode] = []
        stack: list[tuple[int, PMNode]] = []  # (level, list node)
        for para in paragraphs:
            level = _mso_list_level(para) or 1
            ordered = _mso_marker_is_ordered(para)
            kind = "orderedList" if ordered else "bulletList"
            content = self.blocks(para, marks) or [paragraph()]
            if content[0]["type"] != "paragraph":
                content.insert(0, paragraph())
            item: PMNode = {"type": "listItem", "content": content}
            while stack and (
                stack[-1][0] > level or (stack[-1][0] == level and stack[-1][1]["type"] != kind)
            ):
                stack.pop()
            if stack and stack[-1][0] == level:
                stack[-1][1]["content"].append(item)
                continue
            new: PMNode = {"type": kind, "content": [item]}
            if ordered:
                new["attrs"] = {"start": 1}
            if stack:
                stack[-1][1]["content"][-1]["content"].append(new)
            else:
                roots.append(new)
            stack.append((level, new))
        return roots

    def table(self, el: Any, marks: Marks) -> list[PMNode]:
        before: list[PMNode] = []
        rows: list[PMNode] = []

        def add_row(tr: Any, header: bool) -> None:
            cells = []
            for cell in tr:
                tag = _tag(cell)
                if tag not in ("td", "th"):
                    continue
                attrs: dict[str, Any] = {
                    "colspan": as_int(cell.get("colspan"), 1, high=1000),
                    "rowspan": as_int(cell.get("rowspan"), 1, high=65534),
                }
                raw_widths = _attribute(cell, "data-colwidth", 8 * attrs["colspan"]) or ""
                widths = [as_int(w, 0, low=1) for w in raw_widths.split(",")]
                if widths and all(widths) and len(widths) == attrs["colspan"]:
                    attrs["colwidth"] = widths
                cells.append(
                    {
                        "type": "tableHeader" if tag == "th" or header else "tableCell",
                        "attrs": attrs,
                        "content": self.blocks(cell, marks) or [paragraph()],
                    }
                )
            if cells:
                rows.append({"type": "tableRow", "content": cells})

        for part in el:
            tag = _tag(part)
            if tag == "tr":
                add_row(part, False)
            elif tag in ("thead", "tbody", "tfoot"):
                for tr in part:
                    if _tag(tr) == "tr":
                        add_row(tr, tag == "thead")
            elif tag == "caption":
                before.extend(self.blocks(part, marks))
        if not rows:
            return before
        return [*before, {"type": "table", "content": rows}]


# --- helpers ------------------------------------------------------------------------


def _language(el: Any) -> str | None:
    for cls in (el.get("class") or "").split():
        for prefix in ("language-", "lang-"):
            if cls.startswith(prefix) and len(cls) > len(prefix):
                return cls[len(prefix) :][:40]
    return el.get("data-language") or None


def _attribute(el: Any, name: str, limit: int) -> str | None:
    value = el.get(name)
    return value if value is not None and len(value) <= limit else None


def _pre_text(el: Any, depth: int = 0) -> str:
    if depth > _MAX_DEPTH:
        return str(el.text_content())
    parts = [el.text or ""]
    for child in el:
        tag = _tag(child)
        if tag == "br":
            parts.append("\n")
        elif tag is not None and tag not in _DROP:
            parts.append(_pre_text(child, depth + 1))
        parts.append(child.tail or "")
    return "".join(parts)


def _leading_checkbox(li: Any) -> Any:
    node = li
    for _ in range(5):
        if not _is_whitespace(node.text):
            return None
        children = [c for c in node if _tag(c) is not None]
        if not children:
            return None
        first = children[0]
        if _tag(first) == "input" and (first.get("type") or "").lower() == "checkbox":
            return first
        if _tag(first) not in ("p", "label", "span", "div"):
            return None
        node = first
    return None


def _task_state(li: Any) -> bool | None:
    """Whether a list item is a task, and then whether it is done; None: not a task."""
    flag = li.get("data-checked")
    if flag is not None:
        return flag.lower() in ("true", "checked", "1", "")
    box = _leading_checkbox(li)
    if box is not None:
        return box.get("checked") is not None
    # The first character shown, without copying the item's text (its nested lists' too).
    for chunk in li.itertext():
        text = chunk.lstrip()
        if text:
            return _TICKS.get(text[0])
    return None


def _strip_tick(blocks: list[PMNode]) -> None:
    if not blocks or blocks[0]["type"] != "paragraph":
        return
    content = blocks[0].get("content") or []
    if content and content[0]["type"] == "text" and content[0]["text"][:1] in _TICKS:
        rest = content[0]["text"][1:].lstrip(" \xa0")
        if rest:
            content[0] = {**content[0], "text": rest}
        else:
            content.pop(0)
        if content:
            blocks[0] = {**blocks[0], "content": content}
        else:
            blocks[0] = paragraph()


def _mso_list_level(el: Any) -> int | None:
    """The level of Word's ``mso-list: l0 level2 lfo1``; None for any other paragraph."""
    if _tag(el) not in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
        return None
    words = _style(el).get("mso-list", "").split()
    if len(words) < 2 or not words[0].startswith("l") or not words[1].startswith("level"):
        return None
    number, level = words[0][1:], words[1][len("level") :]
    if not (number.isdigit() and level.isascii() and level.isdigit() and len(level) <= 3):
        return None
    return int(level)


def _mso_marker_is_ordered(para: Any) -> bool:
    for span in para.iter("span"):
        if "mso-list:ignore" in (span.get("style") or "").replace(" ", "").lower():
            marker = span.text_content().strip().replace("\xa0", "")
            return bool(_ORDERED_MARKER.match(marker))
    return False


def _default_image_src(src: str) -> str | None:
    return safe_src(src)


def parse_html(html: str | bytes) -> Any:
    """The ``<body>`` (or root) element of ``html``, or None for an empty document."""
    if isinstance(html, bytes):
        html = decode_html(html)
    html = _XML_DECLARATION.sub("", html, count=1).translate(_CONTROL_CHARACTERS)
    if not html.strip():
        return None
    # huge_tree: no depth limit in the parser (the reader has its own), so that a deeply nested
    # document is read rather than cut off.
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    body = root.find("body")
    return body if body is not None else root


def html_to_pm(html: str | bytes, *, image_src: ImageSrc | None = None) -> PMNode:
    """ProseMirror JSON for ``html`` (text or bytes, whose charset is then detected).

    ``image_src``: given an ``<img>``'s ``src``, the source to keep, or None to drop the
    image. By default web and relative sources are kept and ``data:`` URIs dropped: they
    would put whole files in the document's history. ConvertError past the bounds.
    """
    if len(html) > MAX_HTML_CHARS:
        raise ConvertError(f"more than {MAX_HTML_CHARS} characters of HTML")
    body = parse_html(html)
    if body is None:
        return empty_doc()
    for count, _element in enumerate(body.iter(), 1):
        if count > MAX_ELEMENTS:
            raise ConvertError(f"more than {MAX_ELEMENTS} HTML elements")
    blocks = _Reader(image_src or _default_image_src).blocks(body, {})
    return {"type": "doc", "content": blocks or [paragraph()]}
