"""Tube's jobs, run by ``cartable worker`` (or the embedded worker thread); enqueued by name
through :func:`cartable.core.jobs.later`."""

from __future__ import annotations

from django_tasks import task

from cartable.core.registry import registry
from cartable.tube.actions import processing


@task()
def process_video(video_pk: int) -> str:
    """Probes and transcodes a sent video into its HLS renditions (safe twice: a video
    already published, or being processed by another worker, is left alone)."""
    return processing.process(video_pk)


def register() -> None:
    registry.add_task("tube.process", process_video)
