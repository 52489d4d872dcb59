"""One search over every registered provider, filtered by permission.

Providers backed by the shared full-text index subclass :class:`IndexedProvider`: they
``index()`` their things as they change and decide in ``visible_keys()`` which hits a user
may see. The index is FTS5 on SQLite and a tsvector expression index on PostgreSQL; both
fold accents and case, so "eleve" finds "Élève", and both match each word as a prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cartable.core.models import SearchDocument
from cartable.core.registry import SearchResult, registry

if TYPE_CHECKING:
    from cartable.accounts.models import User

# Letters and digits only: the underscore separates words, as in both indexes' tokenizers.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# The text search configuration made by migration 0003: "simple" with accents removed.
PG_CONFIG = "cartable_search"
# At most limit × (5 + 20 + 80 + 320) candidates are looked at for one provider.
SEARCH_ROUNDS = 4


def terms(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:12]


def candidate_sql(
    provider: str, words: list[str], limit: int, offset: int = 0
) -> tuple[str, list[Any]] | None:
    """The index query for ``words`` on this database, or None where there is no index."""
    if connection.vendor == "sqlite":
        # Prefix search on each word; quoted so that FTS5 operators in the query are inert.
        match = " ".join(f'"{w}"*' for w in words)
        return (
            "SELECT d.id, -bm25(core_searchdocument_fts) AS rank FROM core_searchdocument_fts "
            "JOIN core_searchdocument d ON d.id = core_searchdocument_fts.rowid "
            "WHERE core_searchdocument_fts MATCH %s AND d.provider = %s "
            "ORDER BY rank DESC, d.id LIMIT %s OFFSET %s",
            [match, provider, limit, offset],
        )
    if connection.vendor == "postgresql":
        # Each word quoted and prefix-matched; words hold no quote, so tsquery operators in the
        # query are inert. The tsvector expression is the one of the GIN index (migration
        # core 0003), word for word, or the index is not used.
        tsquery = " & ".join(f"'{w}':*" for w in words)
        vector = (
            f"to_tsvector('{PG_CONFIG}'::regconfig, translate(title || ' ' || body, '<>', '  '))"
        )
        return (
            f"SELECT id, ts_rank({vector}, q) AS rank "  # noqa: S608  # nosec B608  # our SQL, values as parameters
            f"FROM core_searchdocument, to_tsquery('{PG_CONFIG}'::regconfig, %s) q "
            f"WHERE provider = %s AND {vector} @@ q "
            "ORDER BY rank DESC, id LIMIT %s OFFSET %s",
            [tsquery, provider, limit, offset],
        )
    return None


def _candidate_ids(
    provider: str, query: str, limit: int, offset: int = 0
) -> list[tuple[int, float]]:
    """Document ids and ranks, best first (a higher rank is better on every database)."""
    words = terms(query)
    if not words:
        return []
    query_sql = candidate_sql(provider, words, limit, offset)
    if query_sql is None:
        ids = SearchDocument.objects.filter(provider=provider, title__icontains=words[0])
        return [(i, 0.0) for i in ids.order_by("id").values_list("id", flat=True)[offset:][:limit]]
    with connection.cursor() as cursor:
        cursor.execute(*query_sql)
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def excerpt(text: str, query: str, width: int = 180) -> str:
    """An escaped slice of ``text`` around the first hit, with the words in ``<mark>``."""
    words = terms(query)
    lower = text.lower()
    start = min((lower.find(w) for w in words if lower.find(w) >= 0), default=0)
    start = max(0, start - width // 3)
    snippet = text[start : start + width]
    html = str(escape(snippet))
    for word in words:
        html = re.sub(f"(?i)({re.escape(escape(word))})", r"<mark>\1</mark>", html)
    return mark_safe(("…" if start else "") + html + ("…" if start + width < len(text) else ""))  # noqa: S308  # nosec B308 B703  # escaped above


class IndexedProvider:
    key: str = ""
    label: Any = ""
    kind: Any = ""

    def visible_keys(self, user: User, keys: list[str]) -> set[str]:
        raise NotImplementedError

    def search(self, user: User, query: str, limit: int) -> list[SearchResult]:
        # The index finds candidates, visible_keys() filters them: fetch in growing batches
        # so that many hits the user may not see cannot hide the ones they may.
        results: list[SearchResult] = []
        offset, batch = 0, limit * 5
        for _round in range(SEARCH_ROUNDS):
            hits = _candidate_ids(self.key, query, batch, offset)
            docs = SearchDocument.objects.in_bulk([h[0] for h in hits])
            allowed = self.visible_keys(user, [d.key for d in docs.values()]) if docs else set()
            for doc_id, rank in hits:
                doc = docs.get(doc_id)
                if doc is None or doc.key not in allowed:
                    continue
                results.append(
                    SearchResult(
                        provider=self.key,
                        title=doc.title,
                        url=doc.url,
                        excerpt=excerpt(doc.body or doc.title, query),
                        kind=self.kind,
                        rank=rank,
                    )
                )
                if len(results) >= limit:
                    return results
            if len(hits) < batch:
                break
            offset += batch
            batch *= 4
        return results

    def index(
        self,
        key: int | str | UUID,
        *,
        title: str,
        body: str = "",
        url: str,
        owner_id: int | None = None,
    ) -> None:
        SearchDocument.objects.update_or_create(
            provider=self.key,
            key=str(key),
            defaults={"title": title[:500], "body": body, "url": url, "owner_id": owner_id},
        )

    def unindex(self, keys: Iterable[int | str | UUID]) -> None:
        SearchDocument.objects.filter(provider=self.key, key__in=[str(k) for k in keys]).delete()


def search(
    user: User, query: str, *, providers: list[str] | None = None, limit: int = 20
) -> dict[str, list[SearchResult]]:
    """Results per provider, best first, each already filtered for ``user``."""
    query = query.strip()[:200]
    if not terms(query):
        return {}
    results: dict[str, list[SearchResult]] = {}
    for key, provider in registry.search.items():
        if providers and key not in providers:
            continue
        found = provider.search(user, query, limit)
        if found:
            results[key] = found
    return results
