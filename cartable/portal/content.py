"""Pages shipped in the repository as Markdown: the guide of good practices and the legal pages.

Each file starts with ``key: value`` lines (title, summary, order), a line ``---``, then Markdown.

A line that speaks of a tool ends with a marker naming it: ``{tool: visio}``; it is shown only
when that tool is installed (it registered its :class:`~cartable.core.registry.Tool`), so
that the pages never promise a tool that does not exist and grow as tools land.
``{tool: tube, visio}`` needs both, ``{tool: blog | forum}`` either.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

from cartable.core import markdown
from cartable.core.registry import registry

CONTENT_DIR = Path(__file__).resolve().parent / "content"
ALLOWED_TAGS = frozenset(
    {
        "h2",
        "h3",
        "h4",
        "p",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "a",
        "blockquote",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "abbr",
        "dl",
        "dt",
        "dd",
    }
)


@dataclass(frozen=True)
class Page:
    section: str
    slug: str
    language: str
    title: str
    summary: str
    order: int
    html: SafeString
    text: str


# Searched in a line stripped of its trailing blanks: no two tries overlap (linear time).
_TOOL_MARKER = re.compile(r"\{tools?:([^{}]*)\}$")


def installed_tools() -> frozenset[str]:
    return frozenset(registry.tools)


def only_installed(text: str, tools: frozenset[str]) -> str:
    """``text`` without the lines whose marker names a tool that is not installed."""
    kept = []
    for line in text.splitlines():
        marker = _TOOL_MARKER.search(line.rstrip(" \t"))
        if marker is not None:
            alternatives = [
                {name.strip() for name in alternative.split(",") if name.strip()}
                for alternative in marker.group(1).split("|")
            ]
            if not any(needed <= tools for needed in alternatives):
                continue
            line = line[: marker.start()].rstrip(" \t")
        kept.append(line)
    return "\n".join(kept) + "\n"


def _parse(path: Path, section: str, language: str, tools: frozenset[str]) -> Page:
    raw = only_installed(path.read_text(encoding="utf-8"), tools)
    meta: dict[str, str] = {}
    header, sep, body = raw.partition("\n---\n")
    if not sep:
        header, body = "", raw
    for line in header.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip()
    html = markdown.render(body, tags=ALLOWED_TAGS)
    return Page(
        section=section,
        slug=path.stem,
        language=language,
        title=meta.get("title", path.stem),
        summary=meta.get("summary", ""),
        order=int(meta.get("order", "100")),
        html=mark_safe(html),  # noqa: S308  # nosec B308 B703  # cleaned by nh3 above
        text=body,
    )


def pages(section: str, language: str) -> tuple[Page, ...]:
    return _pages(section, language, installed_tools())


@functools.cache
def _pages(section: str, language: str, tools: frozenset[str]) -> tuple[Page, ...]:
    folder = CONTENT_DIR / language / section
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(
            (_parse(p, section, language, tools) for p in folder.glob("*.md")),
            key=lambda p: (p.order, p.slug),
        )
    )


def page(section: str, slug: str, language: str) -> Page | None:
    for lang in (language, "fr", "en"):
        for candidate in pages(section, lang):
            if candidate.slug == slug:
                return candidate
    return None
