"""Drive's jobs, run by ``cartable worker`` (or the embedded worker thread). Thin and
idempotent: they take ids and call actions; actions enqueue them by name
(:func:`cartable.core.jobs.later`), as registered here."""

from __future__ import annotations

from django_tasks import task

from cartable.core.registry import registry
from cartable.drive import previews
from cartable.drive.actions import indexing
from cartable.drive.models import Blob


@task()
def make_previews(blob_id: int, mime_type: str) -> None:
    """Every size of a blob's preview (nothing to do when they are there already)."""
    blob = Blob.objects.filter(pk=blob_id).first()
    if blob is not None:
        previews.generate_previews(blob, mime_type)


@task()
def index_file_text(node_id: int) -> None:
    indexing.index_file_text(node_id)


def register() -> None:
    registry.add_task("drive.previews", make_previews)
    registry.add_task("drive.index_text", index_file_text)
