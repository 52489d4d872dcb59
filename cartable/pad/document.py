"""The pad document: a Yjs ``XmlFragment`` holding a ProseMirror document, as y-prosemirror
lays it out (the editor is Tiptap with its Collaboration extension).

- an element node is an ``XmlElement`` named after the node type, its attributes the node's
  attributes;
- a run of text nodes is one ``XmlText`` whose formatting attributes are the marks
  (``{"bold": {}}``, ``{"link": {"href": ...}}``, ``{"author": {"id": "a.xxx"}}``).

Everything else (text, HTML, Markdown, office formats) is converted from and to the
ProseMirror JSON form, ``{"type": "doc", "content": [...]}``.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

FIELD = "default"
# Block nodes whose text ends with a line break in plain text.
_BLOCKS = {
    "paragraph",
    "heading",
    "codeBlock",
    "listItem",
    "taskItem",
    "blockquote",
    "tableRow",
    "horizontalRule",
    "image",
}


def fragment(doc: Doc) -> XmlFragment:
    return doc.get(FIELD, type=XmlFragment)


def load(state: bytes, updates: list[bytes] = ()) -> Doc:  # type: ignore[assignment]
    doc: Doc = Doc()
    if state:
        doc.apply_update(state)
    for update in updates:
        doc.apply_update(update)
    fragment(doc)
    return doc


# --- Yjs → ProseMirror JSON -------------------------------------------------------------


def _text_nodes(text: XmlText) -> list[dict[str, Any]]:
    nodes = []
    for chunk, attrs in text.diff():
        if not isinstance(chunk, str) or not chunk:
            continue
        node: dict[str, Any] = {"type": "text", "text": chunk}
        if attrs:
            node["marks"] = [
                {
                    "type": name,
                    **({"attrs": dict(value)} if isinstance(value, dict) and value else {}),
                }
                for name, value in attrs.items()
                if value is not None
            ]
        nodes.append(node)
    return nodes


def _element(element: XmlElement) -> dict[str, Any]:
    node: dict[str, Any] = {"type": element.tag}
    attrs = {k: _plain(v) for k, v in element.attributes}  # type: ignore[attr-defined]
    if attrs:
        node["attrs"] = attrs
    content = _children(element.children)
    if content:
        node["content"] = content
    return node


def _children(children: Any) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    for child in children:
        if isinstance(child, XmlText):
            content.extend(_text_nodes(child))
        elif isinstance(child, XmlElement):
            content.append(_element(child))
    return content


def to_prosemirror(doc: Doc) -> dict[str, Any]:
    return {"type": "doc", "content": _children(fragment(doc).children)}


# --- ProseMirror JSON → Yjs -------------------------------------------------------------


def _marks_attrs(marks: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if not marks:
        return None
    return {m["type"]: dict(m.get("attrs") or {}) for m in marks}


def _fill(parent: Any, content: list[dict[str, Any]]) -> None:
    """Append ProseMirror ``content`` to an integrated Y element or fragment."""
    text: XmlText | None = None
    for node in content:
        if node.get("type") == "text":
            if text is None:
                text = XmlText()
                parent.children.append(text)
                text = parent.children[len(parent.children) - 1]
            attrs = _marks_attrs(node.get("marks"))
            # pycrdt counts in UTF-8 bytes, as len(text) does; len() of the Python string
            # would put the next run inside the previous one after any accented letter.
            position = len(text)
            if attrs:
                text.insert(position, node.get("text", ""), attrs)
            else:
                text.insert(position, node.get("text", ""))
            continue
        text = None
        attrs = {k: v for k, v in (node.get("attrs") or {}).items() if v is not None}
        element = XmlElement(node["type"], {k: _attr(v) for k, v in attrs.items()})
        parent.children.append(element)
        integrated = parent.children[len(parent.children) - 1]
        _fill(integrated, node.get("content") or [])


def _attr(value: Any) -> Any:
    # y-prosemirror stores attribute values as they are; numbers stay numbers.
    return value


def _plain(value: Any) -> Any:
    # Yjs numbers come back as floats: a heading level is 2, not 2.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def replace_content(doc: Doc, pm_doc: dict[str, Any]) -> None:
    """Replace the whole document by ``pm_doc``, as one change (history is kept elsewhere)."""
    root = fragment(doc)
    with doc.transaction():
        while len(root.children):
            del root.children[len(root.children) - 1]
        _fill(root, pm_doc.get("content") or [])


def append_content(doc: Doc, pm_doc: dict[str, Any]) -> None:
    with doc.transaction():
        _fill(fragment(doc), pm_doc.get("content") or [])


_TEXTBLOCKS = {"paragraph", "heading"}


def extend_text(doc: Doc, text: str) -> None:
    """Etherpad's appendText: ``text`` continues the last line, its other lines follow it."""
    if not text:
        return
    root = fragment(doc)
    lines = text.split("\n")
    with doc.transaction():
        last = root.children[len(root.children) - 1] if len(root.children) else None
        if isinstance(last, XmlElement) and last.tag in _TEXTBLOCKS:
            first = lines.pop(0)
            if first:
                children = last.children
                tail = children[len(children) - 1] if len(children) else None
                if not isinstance(tail, XmlText):
                    children.append(XmlText())
                    tail = children[len(children) - 1]
                assert isinstance(tail, XmlText)  # noqa: S101 - narrows the type
                tail.insert(len(tail), first)  # UTF-8 bytes, as pycrdt counts
        for line in lines:
            _fill(root, [{"type": "paragraph", **_line_content(line)}])


def _line_content(line: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": line}]} if line else {}


# --- Plain text -------------------------------------------------------------------------


def pm_to_text(node: dict[str, Any]) -> str:
    """Plain text, one line per block, as Etherpad's getText gives it.

    A table row is one line, its cells separated by tabs; a list item or a quote whose
    content already ended its line adds no blank line of its own.
    """
    out: list[str] = []

    def walk(n: dict[str, Any]) -> None:
        kind = n.get("type")
        if kind == "text":
            out.append(n.get("text", ""))
            return
        if kind == "hardBreak":
            out.append("\n")
            return
        if kind == "tableCell" or kind == "tableHeader":
            cell = pm_to_text({"type": "doc", "content": n.get("content") or []})
            out.append(cell.strip("\n").replace("\n", " ") + "\t")
            return
        for child in n.get("content") or []:
            walk(child)
        if kind in _BLOCKS and not (
            kind in ("listItem", "taskItem", "blockquote") and out and out[-1].endswith("\n")
        ):
            out.append("\n")

    walk(node)
    text = "".join(out).replace("\t\n", "\n")
    return text if text.endswith("\n") else text + "\n"


def text_to_pm(text: str) -> dict[str, Any]:
    """Each line becomes a paragraph (Etherpad's setText)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return {
        "type": "doc",
        "content": [
            {"type": "paragraph", **({"content": [{"type": "text", "text": line}]} if line else {})}
            for line in lines
        ]
        or [{"type": "paragraph"}],
    }


def to_text(doc: Doc) -> str:
    return pm_to_text(to_prosemirror(doc))
