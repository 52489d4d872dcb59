"""Drive's background jobs. Thin and idempotent: they take ids and call the modules that work."""

from __future__ import annotations

from django_tasks import task


@task()
def make_previews(blob_id: int, mime_type: str) -> None:
    """Every size of a blob's preview (nothing to do when they are there already)."""
    from cartable.drive import previews
    from cartable.drive.models import Blob

    blob = Blob.objects.filter(pk=blob_id).first()
    if blob is not None:
        previews.generate_previews(blob, mime_type)
