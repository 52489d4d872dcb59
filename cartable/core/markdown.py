"""Markdown for text the platform shows as HTML: CommonMark with tables and strikethrough
(markdown-it-py, the one Markdown library of the project), sanitised by nh3 to the tags a page
allows. Raw HTML in the source is not rendered: it shows as text."""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt

# What prose may contain; a caller may allow less.
PROSE_TAGS = frozenset(
    {
        "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "s", "a", "blockquote",
        "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
    }
)  # fmt: skip


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render(text: str, *, tags: frozenset[str] = PROSE_TAGS) -> str:
    """``text`` as sanitised HTML: only ``tags``, links with safe schemes only."""
    return nh3.clean(_parser().render(text), tags=set(tags))
