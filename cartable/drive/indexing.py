"""The text of documents, for search: extracted by a job after each upload, where cheap.

Names are searched straight from the tree (always current); the text of text, PDF, Office
and OpenDocument files goes into the platform's full-text index, keyed by node. Results are
filtered by what the person may see, like every search result.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from cartable.core.search import IndexedProvider


class DriveText(IndexedProvider):
    key = "drive"
    kind = _("File")

    def visible_keys(self, user: Any, keys: list[str]) -> set[str]:
        from cartable.drive.access import visible_among
        from cartable.drive.models import Node
        from cartable.drive.mounts import scope

        if not getattr(user, "is_authenticated", False):
            return set()
        pks = [int(k) for k in keys if k.isdigit()]
        nodes = list(
            Node.objects.filter(scope(user), pk__in=pks, trashed=False).select_related("space")
        )
        return {str(n.pk) for n in visible_among(user, nodes)}


drive_text = DriveText()


def index_later(node: Any) -> None:
    """After commit, index the text of ``node`` if its type gives text cheaply."""
    from cartable.drive.extract import extractable

    if not extractable(node.mime_type or ""):
        return
    pk = node.pk
    transaction.on_commit(lambda: index_file_text.enqueue(pk))


@task()
def index_file_text(node_id: int) -> None:
    from cartable.drive.extract import extract_text
    from cartable.drive.models import Node
    from cartable.drive.platform import node_url

    node = Node.objects.filter(pk=node_id, trashed=False).select_related("blob").first()
    if node is None or node.blob is None:
        drive_text.unindex([node_id])
        return
    text = extract_text(node.blob, node.mime_type)
    if not text:
        drive_text.unindex([node_id])
        return
    drive_text.index(node.pk, title=node.name, body=text, url=node_url(node))
