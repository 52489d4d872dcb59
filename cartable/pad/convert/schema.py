"""What every converter shares: the ProseMirror schema's names and the URL rules.

A pad's document is ProseMirror JSON (``{"type": "doc", "content": [...]}``) in Tiptap's
names. Converters never emit anything else, which is what makes an import safe: whatever the
source, the result is these node types, these marks and these attributes, with links and
image sources that passed the checks below.
"""

from __future__ import annotations

import re
from typing import Any

PMNode = dict[str, Any]


class ConvertError(ValueError):
    """A document that cannot be converted: too large, too complex, not what it claims."""


# The order in which marks nest when written out: the outermost first. A link usually spans
# several authors and styles; code is innermost because its text is written raw. Readers
# never produce "highlight" (the editor has no such mark, and would drop text carrying a mark
# it does not know); writers still render it, should a document hold one.
MARK_ORDER = ["link", "author", "bold", "italic", "underline", "strike", "highlight", "code"]
MARKS = frozenset(MARK_ORDER)

_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9.,%\s]{5,40}\))$")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")


def _scheme(url: str) -> str | None:
    # Browsers ignore tabs, newlines and leading spaces inside a scheme ("java\tscript:"),
    # so they are ignored here too before the scheme is read.
    match = _SCHEME.match(_CONTROL.sub("", url))
    return match.group(1).lower() if match else None


def safe_href(href: str | None) -> str | None:
    """``href`` if it is a web, mail or relative link; None for anything else (javascript:)."""
    if not href:
        return None
    href = href.strip()
    scheme = _scheme(href)
    if scheme is None:
        # A relative link, unless it only pretends to be (a colon before any slash).
        return href if href and ":" not in href.split("/", 1)[0] else None
    return href if scheme in ("http", "https", "mailto") else None


def safe_src(src: str | None, *, data: bool = False) -> str | None:
    """An image source: web or relative, and ``data:image/…`` only when ``data`` is allowed."""
    if not src:
        return None
    src = src.strip()
    scheme = _scheme(src)
    if scheme is None:
        return src if ":" not in src.split("/", 1)[0] else None
    if scheme in ("http", "https"):
        return src
    if scheme == "data" and data and _DATA_IMAGE.match(src):
        return src
    return None


def safe_colour(value: Any) -> str | None:
    if isinstance(value, str) and _COLOUR.match(value.strip()):
        return value.strip()
    return None


def author_class(author_id: str) -> str:
    """Etherpad's class name for an author: ``a.x1`` → ``author-a-x1``."""
    out = []
    for ch in author_id:
        if ch == ".":
            out.append("-")
        elif ("a" <= ch <= "y") or ch.isdigit():
            out.append(ch)
        else:
            out.append(f"z{ord(ch)}z")
    return "author-" + "".join(out)


def as_int(value: Any, default: int, *, low: int = 1, high: int = 10_000) -> int:
    try:
        number = int(str(value).strip().rstrip("px"))
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def paragraph(content: list[PMNode] | None = None) -> PMNode:
    return {"type": "paragraph", **({"content": content} if content else {})}


def empty_doc() -> PMNode:
    return {"type": "doc", "content": [paragraph()]}
