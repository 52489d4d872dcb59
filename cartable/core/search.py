"""One search over every registered provider, filtered by permission.

Providers backed by the shared full-text index subclass :class:`IndexedProvider`: they
``index()`` their things as they change and decide in ``visible_keys()`` which hits a user
may see. The index is FTS5 on SQLite and a tsvector expression index on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cartable.core.models import SearchDocument
from cartable.core.registry import SearchResult, registry

_WORD = re.compile(r"\w+", re.UNICODE)


def terms(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:12]


def _candidate_ids(provider: str, query: str, limit: int) -> list[tuple[int, float]]:
    words = terms(query)
    if not words:
        return []
    if connection.vendor == "sqlite":
        # Prefix search on each word; quoted so that FTS5 operators in the query are inert.
        match = " ".join(f'"{w}"*' for w in words)
        sql = (
            "SELECT d.id, bm25(core_searchdocument_fts) AS rank FROM core_searchdocument_fts "
            "JOIN core_searchdocument d ON d.id = core_searchdocument_fts.rowid "
            "WHERE core_searchdocument_fts MATCH %s AND d.provider = %s ORDER BY rank LIMIT %s"
        )
        params: list[Any] = [match, provider, limit]
    elif connection.vendor == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        sql = (
            "SELECT id, ts_rank(to_tsvector('simple', title || ' ' || body), q) AS rank "
            "FROM core_searchdocument, to_tsquery('simple', %s) q "
            "WHERE provider = %s AND to_tsvector('simple', title || ' ' || body) @@ q "
            "ORDER BY rank DESC LIMIT %s"
        )
        params = [tsquery, provider, limit]
    else:
        ids = SearchDocument.objects.filter(
            provider=provider, title__icontains=words[0]
        ).values_list("id", flat=True)[:limit]
        return [(i, 0.0) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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
    return mark_safe(("…" if start else "") + html + ("…" if start + width < len(text) else ""))  # noqa: S308


class IndexedProvider:
    key: str = ""
    label: Any = ""
    kind: Any = ""

    def visible_keys(self, user: Any, keys: list[str]) -> set[str]:
        raise NotImplementedError

    def search(self, user: Any, query: str, limit: int) -> list[SearchResult]:
        # Over-fetch: permission filtering happens after the index lookup.
        hits = _candidate_ids(self.key, query, limit * 5)
        if not hits:
            return []
        docs = SearchDocument.objects.in_bulk([h[0] for h in hits])
        keys = [docs[i].key for i, _rank in hits if i in docs]
        allowed = self.visible_keys(user, keys)
        results = []
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
                break
        return results

    def index(
        self, key: Any, *, title: str, body: str = "", url: str, owner_id: int | None = None
    ) -> None:
        SearchDocument.objects.update_or_create(
            provider=self.key,
            key=str(key),
            defaults={"title": title[:500], "body": body, "url": url, "owner_id": owner_id},
        )

    def unindex(self, keys: Iterable[Any]) -> None:
        SearchDocument.objects.filter(provider=self.key, key__in=[str(k) for k in keys]).delete()


def search(
    user: Any, query: str, *, providers: list[str] | None = None, limit: int = 20
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
