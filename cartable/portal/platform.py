"""How the portal plugs into the platform registries."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import get_language, gettext_lazy

from cartable.core.registry import SearchResult, registry
from cartable.core.search import excerpt, terms
from cartable.portal import content

if TYPE_CHECKING:
    from cartable.accounts.models import User

# Letters that Unicode does not decompose but that French readers type as two.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, without accents or ligatures, so that "donnees" finds "Données"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_LIGATURES)


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the index of the original one."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        positions.extend([index] * len(piece))
    return "".join(folded), positions


@dataclass(frozen=True)
class _Entry:
    page: content.Page
    plain: str
    folded_title: str
    folded_plain: str
    positions: tuple[int, ...]


def _entries(language: str) -> tuple[_Entry, ...]:
    return _entries_with(language, content.installed_tools())


@functools.cache
def _entries_with(language: str, tools: frozenset[str]) -> tuple[_Entry, ...]:
    # Pages are read once per process (content.pages is cached), so is their plain text.
    entries = []
    for page in content.pages("guide", language):
        body = html.unescape(strip_tags(page.html))
        plain = _SPACES.sub(" ", f"{page.summary} {body}").strip()
        folded, positions = _fold_with_positions(plain)
        entries.append(
            _Entry(
                page=page,
                plain=plain,
                folded_title=fold(page.title),
                folded_plain=folded,
                positions=tuple(positions),
            )
        )
    return tuple(entries)


def _current_language() -> str:
    language = (get_language() or "fr").split("-")[0].lower()
    return language if content.pages("guide", language) else "fr"


class GuideSearch:
    """Searches the guide pages of the current language, in memory: they are few and public."""

    key = "guide"
    label = gettext_lazy("Guide of good practices")
    kind = gettext_lazy("Guide")

    def search(self, user: User, query: str, limit: int) -> list[SearchResult]:
        words = [fold(w) for w in terms(query)]
        if not words:
            return []
        found: list[tuple[int, int, SearchResult]] = []
        for entry in _entries(_current_language()):
            haystack = f"{entry.folded_title} {entry.folded_plain}"
            if not all(w in haystack for w in words):
                continue
            score = sum(
                5 * entry.folded_title.count(w) + entry.folded_plain.count(w) for w in words
            )
            found.append(
                (
                    -score,
                    entry.page.order,
                    SearchResult(
                        provider=self.key,
                        title=entry.page.title,
                        url=reverse("portal:guide_page", args=[entry.page.slug]),
                        excerpt=excerpt(entry.plain, _original_words(entry, words)),
                        kind=self.kind,
                        rank=float(score),
                    ),
                )
            )
        found.sort(key=lambda item: (item[0], item[1]))
        return [result for _score, _order, result in found[:limit]]


def _original_words(entry: _Entry, words: list[str]) -> str:
    """The words as the page writes them (with their accents), for ``excerpt`` to mark."""
    originals = []
    for word in words:
        at = entry.folded_plain.find(word)
        if at < 0:
            continue
        start = entry.positions[at]
        end = entry.positions[at + len(word) - 1] + 1
        originals.append(entry.plain[start:end])
    return " ".join(originals)


def register() -> None:
    registry.add_search(GuideSearch())
