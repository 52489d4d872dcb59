"""Drive in the platform's search: names straight from the tree (always current), and the text
of documents from the full-text index (filled by ``actions.indexing``). Every result is one
the person may see, by the listing's own rule (``access.visible_among``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import User
from cartable.core.registry import SearchResult
from cartable.core.search import IndexedProvider, excerpt
from cartable.drive.access import visible_among
from cartable.drive.models import Node
from cartable.drive.mounts import scope

if TYPE_CHECKING:
    from cartable.core.types import Visitor


class DriveText(IndexedProvider):
    key = "drive"
    kind = _("File")

    def visible_keys(self, user: Visitor, keys: list[str]) -> set[str]:
        if not isinstance(user, User):
            return set()
        pks = [int(k) for k in keys if k.isdigit()]
        nodes = list(
            Node.objects.filter(scope(user), pk__in=pks, trashed=False).select_related("space")
        )
        return {str(n.pk) for n in visible_among(user, nodes)}


drive_text = DriveText()


class DriveSearch:
    """Names of files and folders (straight from the tree, always current)."""

    key = "drive"
    label = _("Drive")
    kind = _("File")

    def search(self, user: Visitor, query: str, limit: int) -> list[SearchResult]:
        if not isinstance(user, User):
            return []
        words = [w for w in query.split() if w]
        if not words:
            return []
        name_q = Q()
        for word in words:
            name_q &= Q(name__icontains=word)
        found = list(
            Node.objects.filter(scope(user), name_q, trashed=False, parent__isnull=False)
            .select_related("space")
            .order_by("-mtime")[: limit * 3]
        )
        results = []
        # File drop folders show each pupil only their own files.
        for node in visible_among(user, found):
            results.append(
                SearchResult(
                    provider=self.key,
                    title=node.name,
                    url=node.get_absolute_url(),
                    excerpt=excerpt(node.path.lstrip("/"), query),
                    kind=_("Folder") if node.is_folder else self.kind,
                )
            )
            if len(results) >= limit:
                return results
        seen = {r.url for r in results}
        for hit in drive_text.search(user, query, limit - len(results)):
            if hit.url not in seen:
                results.append(hit)
        return results
