"""Pages shipped in the repository as Markdown: the guide of good practices and the legal pages.

Each file starts with ``key: value`` lines (title, summary, order), a line ``---``, then Markdown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

from cartable.core import markdown

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


def _parse(path: Path, section: str, language: str) -> Page:
    raw = path.read_text(encoding="utf-8")
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


@functools.cache
def pages(section: str, language: str) -> tuple[Page, ...]:
    folder = CONTENT_DIR / language / section
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(
            (_parse(p, section, language) for p in folder.glob("*.md")),
            key=lambda p: (p.order, p.slug),
        )
    )


def page(section: str, slug: str, language: str) -> Page | None:
    for lang in (language, "fr", "en"):
        for candidate in pages(section, lang):
            if candidate.slug == slug:
                return candidate
    return None
