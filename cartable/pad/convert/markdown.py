"""Markdown (CommonMark with GFM tables, strikethrough and task lists) ↔ ProseMirror JSON.

Import goes through HTML: markdown-it-py renders the Markdown, ``html_to_pm`` reads the HTML,
so raw HTML inside Markdown is sanitised like any other. Export is written here, node by
node, in the forms markdown-it-py reads back to the same document. What Markdown cannot say
is written as the inline HTML CommonMark allows (``<u>``, ``<mark>``, ``<br>`` in cells), or
lost (empty paragraphs, cell spans, authorship).
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

from cartable.pad.convert.html_in import ImageSrc, html_to_pm
from cartable.pad.convert.schema import ConvertError, PMNode, as_int, safe_href, safe_src

_LIST_TYPES = ("bulletList", "orderedList", "taskList")
_ESCAPE = re.compile(r"([\\`*_\[\]<~])")
_ENTITY = re.compile(r"&(#?[0-9A-Za-z]+;)")
_LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|[>=+\-]|\d{1,9}(?=[.)](\s|$)))")
_WHITESPACE_MARKS = {"link"}
# As large as a pad import may be; nesting is bounded by markdown-it itself (maxNesting).
MAX_MARKDOWN_CHARS = 20 * 1024 * 1024


def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(tasklists_plugin)
    )


def markdown_to_html(md: str) -> str:
    if len(md) > MAX_MARKDOWN_CHARS:
        raise ConvertError(f"more than {MAX_MARKDOWN_CHARS} characters of Markdown")
    return _parser().render(md)


def markdown_to_pm(md: str, *, image_src: ImageSrc | None = None) -> PMNode:
    return html_to_pm(markdown_to_html(md), image_src=image_src)


# --- ProseMirror → Markdown -----------------------------------------------------------


def _escape(text: str, line_start: bool) -> str:
    text = _ENTITY.sub(r"\\&\1", _ESCAPE.sub(r"\\\1", text))
    if line_start:
        match = _LINE_START.match(text)
        if match:
            end = match.end()
            # "1. a" would start a list: its dot is escaped ("1\. a"); "# a": its "#".
            digits = text[:end].isdigit()
            text = text[:end] + "\\" + text[end:] if digits else "\\" + text
    return text


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def _destination(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _alt(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text.replace("\n", " "))


def _image(attrs: dict[str, Any]) -> str:
    src = safe_src(attrs.get("src"), data=True)
    if src is None:
        return _escape(str(attrs.get("alt") or ""), False)
    title = attrs.get("title")
    title_part = ' "' + str(title).replace('"', '\\"') + '"' if title else ""
    return f"![{_alt(str(attrs.get('alt') or ''))}]({_destination(src)}{title_part})"


class _Segment:
    __slots__ = ("kind", "text", "marks", "code")

    def __init__(self, kind: str, text: str, marks: list[tuple[str, str, str]], code: bool):
        self.kind, self.text, self.marks, self.code = kind, text, marks, code


def _marks(node: PMNode) -> tuple[list[tuple[str, str, str]], bool]:
    """(key, opening, closing) of the Markdown marks of a text node, outermost first."""
    by_type = {m.get("type"): m.get("attrs") or {} for m in node.get("marks") or []}
    out = []
    if "link" in by_type:
        href = safe_href(by_type["link"].get("href"))
        if href:
            out.append((f"link:{href}", "[", f"]({_destination(href)})"))
    for name, opening, closing in (
        ("bold", "**", "**"),
        ("italic", "*", "*"),
        ("strike", "~~", "~~"),
        ("underline", "<u>", "</u>"),
        ("highlight", "<mark>", "</mark>"),
    ):
        if name in by_type:
            out.append((name, opening, closing))
    return out, "code" in by_type


def _segments(nodes: list[PMNode]) -> list[_Segment]:
    segments: list[_Segment] = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            marks, code = _marks(node)
            text = node.get("text", "").replace("\n", " ")
            if code:
                segments.append(_Segment("text", text, marks, True))
                continue
            # Emphasis cannot open before or close after a space: spaces go outside it.
            core = text.strip(" ")
            lead = text[: len(text) - len(text.lstrip(" "))]
            trail = text[len(lead) + len(core) :]
            bare = [m for m in marks if m[0].split(":")[0] in _WHITESPACE_MARKS]
            if lead:
                segments.append(_Segment("text", lead, bare, False))
            if core:
                segments.append(_Segment("text", core, marks, False))
            if trail:
                segments.append(_Segment("text", trail, bare, False))
        elif kind == "hardBreak":
            segments.append(_Segment("break", "", [], False))
        elif kind == "image":
            segments.append(_Segment("image", _image(node.get("attrs") or {}), [], False))
    merged: list[_Segment] = []
    for seg in segments:
        last = merged[-1] if merged else None
        if (
            last is not None
            and seg.kind == last.kind == "text"
            and seg.marks == last.marks
            and seg.code == last.code
        ):
            last.text += seg.text
        else:
            merged.append(seg)
    return merged


def _inline(nodes: list[PMNode], *, line_break: str = "\\\n") -> str:
    out: list[str] = []
    open_marks: list[tuple[str, str]] = []
    line_start = True
    segments = _segments(nodes)
    # Spaces at the start of a line would be dropped, or would start a code block.
    while segments and segments[0].kind == "text" and not segments[0].code:
        segments[0].text = segments[0].text.lstrip(" ")
        if segments[0].text:
            break
        segments.pop(0)
    for seg in segments:
        marks = seg.marks if seg.kind == "text" else []
        keep = 0
        while keep < min(len(open_marks), len(marks)) and open_marks[keep][0] == marks[keep][0]:
            keep += 1
        for _key, closing in reversed(open_marks[keep:]):
            out.append(closing)
        del open_marks[keep:]
        for key, opening, closing in marks[keep:]:
            out.append(opening)
            open_marks.append((key, closing))
        if seg.kind == "break":
            while out and out[-1].endswith(" "):
                out[-1] = out[-1].rstrip(" ")
            out.append(line_break)
            line_start = line_break.endswith("\n")
            continue
        if seg.kind == "image":
            out.append(seg.text)
        elif seg.code:
            out.append(_code_span(seg.text))
        else:
            text = seg.text.lstrip(" ") if line_start else seg.text
            out.append(_escape(text, line_start and not open_marks))
        line_start = False
    for _key, closing in reversed(open_marks):
        out.append(closing)
    return "".join(out).rstrip(" ")


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join(
        [first + lines[0]] + [(rest + line) if line else "" for line in lines[1:]]
    ).rstrip(" ")


def _is_tight(items: list[PMNode]) -> bool:
    for item in items:
        content = [c for c in item.get("content") or [] if c.get("type") not in _LIST_TYPES]
        if len(content) > 1 or any(c.get("type") != "paragraph" for c in content):
            return False
    return True


def _list(node: PMNode, alternate: bool) -> str:
    kind = node.get("type")
    items = [i for i in node.get("content") or [] if isinstance(i, dict)]
    tight = _is_tight(items)
    start = as_int((node.get("attrs") or {}).get("start"), 1, low=0, high=10**9)
    rendered = []
    for n, item in enumerate(items):
        if kind == "orderedList":
            marker = f"{start + n}{')' if alternate else '.'} "
        else:
            marker = "* " if alternate else "- "
        if kind == "taskList":
            checked = bool((item.get("attrs") or {}).get("checked"))
            marker += "[x] " if checked else "[ ] "
        body = _blocks(item.get("content") or [], tight=tight, keep_empty_first=True)
        width = len(marker) if kind != "taskList" else 2
        rendered.append(_indent(body, marker, " " * width))
    return ("\n" if tight else "\n\n").join(rendered)


def _table(node: PMNode) -> str:
    rows: list[list[str]] = []
    for row in node.get("content") or []:
        cells: list[str] = []
        for cell in row.get("content") or []:
            parts = []
            for block in cell.get("content") or []:
                text = _block(block, alternate=False, in_cell=True)
                if text:
                    parts.append(text)
            cells.append("<br>".join(parts).replace("|", "\\|"))
            span = as_int((cell.get("attrs") or {}).get("colspan"), 1, high=1000)
            cells.extend([""] * (span - 1))
        rows.append(cells)
    width = max((len(r) for r in rows), default=0)
    if not width:
        return ""
    lines = []
    for i, row in enumerate(rows):
        row = row + [""] * (width - len(row))
        lines.append("| " + " | ".join(row) + " |")
        if i == 0:
            lines.append("|" + "|".join([" --- "] * width) + "|")
    return "\n".join(lines)


def _block(node: PMNode, *, alternate: bool, in_cell: bool = False) -> str:
    kind = node.get("type")
    content = node.get("content") or []
    attrs = node.get("attrs") or {}
    if in_cell:
        if kind in ("paragraph", "heading"):
            return _inline(content, line_break="<br>")
        if kind == "image":
            return _image(attrs)
        if kind == "codeBlock":
            text = "".join(c.get("text", "") for c in content)
            return _code_span(text.replace("\n", " ")) if text else ""
        return "<br>".join(
            t for t in (_block(c, alternate=False, in_cell=True) for c in content) if t
        )
    if kind == "paragraph":
        return _inline(content)
    if kind == "heading":
        level = as_int(attrs.get("level"), 1, high=6)
        text = _inline(content, line_break=" ")
        return f"{'#' * level} {text}" if text else ""
    if kind in _LIST_TYPES:
        return _list(node, alternate)
    if kind == "blockquote":
        body = _blocks(content)
        return "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))
    if kind == "codeBlock":
        text = "".join(c.get("text", "") for c in content)
        longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
        fence = "`" * (longest + 1)
        language = re.sub(r"[^\w+#\-.]", "", str(attrs.get("language") or ""))
        return f"{fence}{language}\n{text}\n{fence}" if text else f"{fence}{language}\n{fence}"
    if kind == "horizontalRule":
        return "---"
    if kind == "image":
        return _image(attrs)
    if kind == "table":
        return _table(node)
    if kind in ("text", "hardBreak"):
        return _inline([node])
    return _blocks(content) if content else ""


def _blocks(nodes: list[PMNode], *, tight: bool = False, keep_empty_first: bool = False) -> str:
    parts: list[str] = []
    previous: str | None = None
    alternated = False
    for i, node in enumerate(nodes):
        kind = node.get("type")
        family = {"bulletList": "bullet", "taskList": "bullet", "orderedList": "ordered"}.get(
            str(kind)
        )
        # Two lists of one family in a row would be read as one: the second gets other markers.
        alternate = family is not None and previous == family and not alternated
        text = _block(node, alternate=alternate)
        if text or (keep_empty_first and i == 0):
            parts.append(text)
            previous, alternated = family, alternate
    return ("\n" if tight else "\n\n").join(parts)


def pm_to_markdown(pm: PMNode) -> str:
    content = (pm.get("content") or []) if pm.get("type") == "doc" else [pm]
    text = _blocks(content)
    return text + "\n" if text else ""
