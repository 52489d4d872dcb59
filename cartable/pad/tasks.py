"""Pad's jobs, run by ``cartable worker`` (or the embedded worker thread); enqueued by name
through :func:`cartable.core.jobs.later`."""

from __future__ import annotations

from django_tasks import task

from cartable.core.registry import registry
from cartable.pad import store


@task()
def compact_pad(pad_pk: int) -> int:
    """Moves the pad's snapshot to its head (``store.compact``: safe twice, anywhere)."""
    return store.compact(pad_pk)


def register() -> None:
    registry.add_task("pad.compact", compact_pad)
