"""The text of documents, for search: extracted by a job after each upload, where cheap.

The text of text, PDF, Office and OpenDocument files goes into the platform's full-text index
(``search.drive_text``), keyed by node.
"""

from __future__ import annotations

from cartable.core import jobs
from cartable.drive.extract import extract_text, extractable
from cartable.drive.models import Node
from cartable.drive.search import drive_text


def index_later(node: Node) -> None:
    """After commit, index the text of ``node`` in a job, if its type gives text cheaply."""
    if extractable(node.mime_type or ""):
        jobs.later("drive.index_text", node.pk)


def index_file_text(node_id: int) -> None:
    """Put the file's text in the index (or take it out): the job ``drive.index_text``."""
    node = Node.objects.filter(pk=node_id, trashed=False).select_related("blob").first()
    if node is None or node.blob is None:
        drive_text.unindex([node_id])
        return
    text = extract_text(node.blob, node.mime_type)
    if not text:
        drive_text.unindex([node_id])
        return
    drive_text.index(node.pk, title=node.name, body=text, url=node.get_absolute_url())
