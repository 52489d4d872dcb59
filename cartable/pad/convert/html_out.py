"""ProseMirror JSON → clean, semantic HTML."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from cartable.pad.convert.schema import (
    MARK_ORDER,
    PMNode,
    as_int,
    author_class,
    safe_colour,
    safe_href,
    safe_src,
)

AuthorInfo = Mapping[str, Any]

_BASE_STYLE = """\
body { font-family: sans-serif; line-height: 1.5; max-width: 50em; margin: 2em auto; padding: 0 1em; }
ul[data-type="taskList"] { list-style: none; padding-left: 0.5em; }
ul[data-type="taskList"] > li > input { margin-right: 0.5em; }
ul[data-type="taskList"] > li > p:first-of-type { display: inline; }
table { border-collapse: collapse; }
th, td { border: 1px solid #888; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #eee; }
pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; }
img { max-width: 100%; }
"""

_CHECKED = "\u2611"  # ☑
_UNCHECKED = "\u2610"  # ☐


def _attr(name: str, value: Any) -> str:
    return f' {name}="{escape(str(value), quote=True)}"'


class _Writer:
    def __init__(self, authors: Mapping[str, AuthorInfo] | None, *, office: bool) -> None:
        self.authors = authors
        # Office mode: what LibreOffice turns into a good document (tick glyphs rather than
        # form controls, bordered full-width tables, images given as data: URIs).
        self.office = office
        self.out: list[str] = []
        self.used_authors: dict[str, AuthorInfo | None] = {}

    def write(self, s: str) -> None:
        self.out.append(s)

    # --- blocks ---------------------------------------------------------------------

    def blocks(self, nodes: list[PMNode]) -> None:
        for node in nodes:
            self.block(node)

    def block(self, node: PMNode) -> None:
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        content = node.get("content") or []
        if kind == "paragraph":
            self.write("<p>")
            self.inline(content)
            self.write("</p>\n")
        elif kind == "heading":
            level = as_int(attrs.get("level"), 1, high=6)
            self.write(f"<h{level}>")
            self.inline(content)
            self.write(f"</h{level}>\n")
        elif kind == "bulletList":
            self.write("<ul>\n")
            self.blocks(content)
            self.write("</ul>\n")
        elif kind == "orderedList":
            start = as_int(attrs.get("start"), 1, low=0, high=10**9)
            self.write("<ol" + (_attr("start", start) if start != 1 else "") + ">\n")
            self.blocks(content)
            self.write("</ol>\n")
        elif kind == "listItem":
            self.write("<li>")
            self.blocks(content)
            self.write("</li>\n")
        elif kind == "taskList":
            self.write('<ul data-type="taskList">\n')
            self.blocks(content)
            self.write("</ul>\n")
        elif kind == "taskItem":
            self.task_item(node)
        elif kind == "blockquote":
            self.write("<blockquote>\n")
            self.blocks(content)
            self.write("</blockquote>\n")
        elif kind == "codeBlock":
            language = str(attrs.get("language") or "")
            cls = (
                _attr(
                    "class",
                    "language-" + "".join(c for c in language if c.isalnum() or c in "-_+#"),
                )
                if language
                else ""
            )
            text = "".join(
                child.get("text", "") for child in content if child.get("type") == "text"
            )
            self.write(f"<pre><code{cls}>{escape(text, quote=False)}</code></pre>\n")
        elif kind == "horizontalRule":
            self.write("<hr>\n")
        elif kind == "image":
            self.image(node)
            self.write("\n")
        elif kind == "table":
            self.table(content)
        elif kind in ("text", "hardBreak"):
            # Inline content where a block was expected: keep it, in a paragraph.
            self.write("<p>")
            self.inline([node])
            self.write("</p>\n")
        elif content:
            # A node type this writer does not know: its content still counts.
            self.blocks(content)

    def task_item(self, node: PMNode) -> None:
        checked = bool((node.get("attrs") or {}).get("checked"))
        self.write(f'<li data-type="taskItem" data-checked="{"true" if checked else "false"}">')
        if self.office:
            glyph = f"{_CHECKED if checked else _UNCHECKED} "
            content = node.get("content") or []
            if content and content[0].get("type") == "paragraph":
                first = {
                    **content[0],
                    "content": [
                        {"type": "text", "text": glyph},
                        *(content[0].get("content") or []),
                    ],
                }
                self.blocks([first, *content[1:]])
            else:
                self.write(f"<p>{glyph}</p>")
                self.blocks(content)
        else:
            self.write(f'<input type="checkbox" disabled{" checked" if checked else ""}>')
            self.blocks(node.get("content") or [])
        self.write("</li>\n")

    def image(self, node: PMNode) -> None:
        attrs = node.get("attrs") or {}
        src = safe_src(attrs.get("src"), data=True)
        if src is None:
            alt = attrs.get("alt")
            if alt:
                self.write(f"<span>{escape(str(alt), quote=False)}</span>")
            return
        html = "<img" + _attr("src", src)
        html += _attr("alt", attrs.get("alt") or "")
        if attrs.get("title"):
            html += _attr("title", attrs["title"])
        self.write(html + ">")

    def table(self, rows: list[PMNode]) -> None:
        rows = [r for r in rows if r.get("type") == "tableRow"]
        if not rows:
            return
        head = 0
        while head < len(rows) and all(
            cell.get("type") == "tableHeader" for cell in rows[head].get("content") or []
        ):
            head += 1
        if head == len(rows):
            head = 0  # a table of header cells only: one body
        if self.office:
            self.write('<table width="100%" border="1" cellspacing="0" cellpadding="4">\n')
        else:
            self.write("<table>\n")
        if head:
            self.write("<thead>\n")
            for row in rows[:head]:
                self.row(row)
            self.write("</thead>\n")
        self.write("<tbody>\n")
        for row in rows[head:]:
            self.row(row)
        self.write("</tbody>\n</table>\n")

    def row(self, row: PMNode) -> None:
        self.write("<tr>")
        for cell in row.get("content") or []:
            tag = "th" if cell.get("type") == "tableHeader" else "td"
            attrs = cell.get("attrs") or {}
            html = f"<{tag}"
            colspan = as_int(attrs.get("colspan"), 1, high=1000)
            rowspan = as_int(attrs.get("rowspan"), 1, high=65534)
            if colspan != 1:
                html += _attr("colspan", colspan)
            if rowspan != 1:
                html += _attr("rowspan", rowspan)
            widths = attrs.get("colwidth")
            if (
                isinstance(widths, list)
                and widths
                and all(isinstance(w, int | float) for w in widths)
            ):
                html += _attr("data-colwidth", ",".join(str(int(w)) for w in widths))
            self.write(html + ">")
            self.blocks(cell.get("content") or [])
            self.write(f"</{tag}>")
        self.write("</tr>\n")

    # --- inline ---------------------------------------------------------------------

    def inline(self, nodes: list[PMNode]) -> None:
        """Text with marks, nesting tags the way ProseMirror's serialiser does.

        Marks are kept open across text nodes that share them, so that ``**a** *b*`` with one
        link around both gives one ``<a>``, not two.
        """
        open_marks: list[tuple[str, str]] = []  # (key, closing tag)
        for node in nodes:
            marks = self.marks(node) if node.get("type") == "text" else []
            keep = 0
            while (
                keep < len(open_marks)
                and keep < len(marks)
                and open_marks[keep][0] == marks[keep][0]
            ):
                keep += 1
            for _key, closing in reversed(open_marks[keep:]):
                self.write(closing)
            del open_marks[keep:]
            for key, opening, closing in marks[keep:]:
                self.write(opening)
                open_marks.append((key, closing))
            kind = node.get("type")
            if kind == "text":
                self.write(escape(node.get("text", ""), quote=False))
            elif kind == "hardBreak":
                self.write("<br>")
            elif kind == "image":
                self.image(node)
            elif node.get("content"):
                self.inline(node["content"])
        for _key, closing in reversed(open_marks):
            self.write(closing)

    def marks(self, node: PMNode) -> list[tuple[str, str, str]]:
        """(key, opening tag, closing tag) of the node's marks, outermost first."""
        by_type = {m.get("type"): m.get("attrs") or {} for m in node.get("marks") or []}
        out = []
        for name in MARK_ORDER:
            if name not in by_type:
                continue
            attrs = by_type[name]
            if name == "link":
                href = safe_href(attrs.get("href"))
                if href is None:
                    continue
                tag = "<a" + _attr("href", href)
                if attrs.get("target") == "_blank":
                    tag += ' target="_blank" rel="noopener noreferrer nofollow"'
                out.append((f"link:{href}:{attrs.get('target')}", tag + ">", "</a>"))
            elif name == "author":
                author_id = str(attrs.get("id") or "")
                if self.authors is None or not author_id:
                    continue
                info = self.authors.get(author_id)
                self.used_authors.setdefault(author_id, info)
                tag = "<span" + _attr("class", author_class(author_id))
                tag += _attr("data-author", author_id)
                if info and info.get("name"):
                    tag += _attr("title", info["name"])
                out.append((f"author:{author_id}", tag + ">", "</span>"))
            elif name == "highlight":
                colour = safe_colour(attrs.get("color"))
                style = _attr("style", f"background-color: {colour}") if colour else ""
                out.append((f"highlight:{colour}", f"<mark{style}>", "</mark>"))
            else:
                tag = {"bold": "strong", "italic": "em", "underline": "u", "strike": "s"}.get(
                    name, "code"
                )
                out.append((name, f"<{tag}>", f"</{tag}>"))
        return out

    def author_style(self) -> str:
        lines = []
        for author_id, info in sorted(self.used_authors.items()):
            colour = safe_colour((info or {}).get("colour"))
            if colour:
                lines.append(f".{author_class(author_id)} {{ background-color: {colour}; }}")
        return "\n".join(lines)


def pm_to_html(
    pm: PMNode,
    *,
    authors: Mapping[str, AuthorInfo] | None = None,
    standalone: bool = False,
    title: str = "",
    lang: str = "",
    office: bool = False,
) -> str:
    """HTML for a ProseMirror document.

    ``authors``: author id → ``{"name", "colour"}``; when given, authored text is wrapped in
    Etherpad's ``<span class="author-a-xxx">`` and a standalone document colours it.
    ``office``: the variant LibreOffice converts best (see ``_Writer``).
    """
    writer = _Writer(authors, office=office)
    writer.blocks((pm.get("content") or []) if pm.get("type") == "doc" else [pm])
    body = "".join(writer.out)
    if not standalone:
        return body
    style = _BASE_STYLE + writer.author_style()
    head = '<meta charset="utf-8">\n'
    head += '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    head += f"<title>{escape(title or '', quote=False)}</title>\n"
    head += f"<style>\n{style}\n</style>\n"
    lang_attr = _attr("lang", lang) if lang else ""
    return f"<!DOCTYPE html>\n<html{lang_attr}>\n<head>\n{head}</head>\n<body>\n{body}</body>\n</html>\n"
