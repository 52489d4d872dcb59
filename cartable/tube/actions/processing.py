"""Processing a sent video: its HLS renditions made by one ffmpeg run (sandboxed, limited),
then stored beside each other under ``tube/<id>/hls/`` and recorded. Run by the job
``tube.process``; several workers may take jobs from one queue: a video is claimed by one
of them (a conditional update), the others leave it. A run that fails is tried again, up to
``TUBE_ATTEMPTS`` times, and then the video is marked failed, with the reason."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path, PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import jobs
from cartable.core.processes import ProcessTimeout, run_isolated
from cartable.tube import media
from cartable.tube.actions.removal import delete_folder
from cartable.tube.actions.workdir import with_original
from cartable.tube.errors import TubeError
from cartable.tube.models import Rendition, Video

log = logging.getLogger(__name__)

# How long one ffmpeg run may take, at most, per second of video (and never less than this).
TIMEOUT_PER_SECOND = 20
MIN_TIMEOUT = 300
# How much longer than its longest run a video may stay processing before it is recovered.
STALL_MARGIN = 3600
_BANDWIDTH = re.compile(r"BANDWIDTH=(\d{1,10})")


class Failed(Exception):
    """One processing run did not work (the reason is for the uploader)."""


def process(video_pk: int) -> str:
    """Processes the video if it waits for it: ``"published"``, ``"retry"``, ``"failed"``, or
    ``"skipped"`` when there was nothing to do (done, gone, or taken by another worker)."""
    claimed = Video.objects.filter(pk=video_pk, state=Video.State.WAITING).update(
        state=Video.State.PROCESSING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    video = Video.objects.get(pk=video_pk)
    try:
        renditions = _transcode(video)
    except (Failed, TubeError) as exc:
        return _failed(video, str(exc))
    except Exception:
        log.exception("processing video %s failed", video.pk)
        return _failed(video, _("An unexpected error stopped the processing."))
    with transaction.atomic():
        Rendition.objects.filter(video=video).delete()
        Rendition.objects.bulk_create(renditions)
        Video.objects.filter(pk=video.pk).update(
            state=Video.State.PUBLISHED, failure="", published_at=timezone.now()
        )
    return "published"


def _failed(video: Video, reason: str) -> str:
    delete_folder(f"{video.folder}/hls")
    if video.attempts < settings.TUBE_ATTEMPTS:
        with transaction.atomic():
            Video.objects.filter(pk=video.pk).update(state=Video.State.WAITING, failure=reason)
            jobs.later("tube.process", video.pk)
        return "retry"
    Video.objects.filter(pk=video.pk).update(state=Video.State.FAILED, failure=reason)
    return "failed"


def _transcode(video: Video) -> list[Rendition]:
    found = media.Probe(video.duration, video.width, video.height, video.has_video, video.has_audio)
    rungs = media.ladder(found)
    suffix = PurePath(video.original).suffix
    with with_original(video.original, suffix) as source:
        (source.parent / "hls").mkdir()
        command = media.hls_command(source, found, rungs)
        timeout = max(MIN_TIMEOUT, video.duration * TIMEOUT_PER_SECOND)
        try:
            done = run_isolated(
                command,
                workdir=source.parent,
                timeout=timeout,
                limits=media.transcode_limits(found),
            )
        except ProcessTimeout:
            raise Failed(_("Processing took too long.")) from None
        if done.returncode != 0:
            log.warning("ffmpeg failed on video %s: %s", video.pk, done.stderr[-2000:])
            raise Failed(_("ffmpeg could not convert this file."))
        return _store(video, source.parent / "hls", rungs)


def _store(video: Video, made: Path, rungs: list[media.Rung]) -> list[Rendition]:
    """The files ffmpeg made, into storage (replacing what an earlier try left), and the
    renditions they are."""
    if not (made / "master.m3u8").is_file():
        raise Failed(_("ffmpeg could not convert this file."))
    target = f"{video.folder}/hls"
    delete_folder(target)
    for path in sorted(made.rglob("*")):
        if path.is_file():
            name = f"{target}/{path.relative_to(made).as_posix()}"
            with open(path, "rb") as fh:
                stored = default_storage.save(name, File(fh, name=path.name))
            if stored != name:
                raise Failed(_("The processed files could not be stored."))
    master = (made / "master.m3u8").read_text()
    bandwidths = [int(b) for b in _BANDWIDTH.findall(master)]
    renditions = []
    for i, rung in enumerate(rungs):
        folder = made / f"{rung.height}p"
        renditions.append(
            Rendition(
                video=video,
                kind=Rendition.Kind.VIDEO,
                height=rung.height,
                width=rung.width,
                bandwidth=bandwidths[i] if i < len(bandwidths) else rung.kbps * 1000,
                playlist=f"{target}/{rung.height}p/index.m3u8",
                size=sum(p.stat().st_size for p in folder.glob("*.ts")),
            )
        )
    if (made / "audio").is_dir():
        renditions.append(
            Rendition(
                video=video,
                kind=Rendition.Kind.AUDIO,
                bandwidth=media.AUDIO_KBPS * 1000,
                playlist=f"{target}/audio/index.m3u8",
                size=sum(p.stat().st_size for p in (made / "audio").glob("*.ts")),
            )
        )
    return renditions


def recover_stalled(now: datetime | None = None) -> int:
    """Videos left *processing* by a worker that died (longer than a run may last, plus a
    margin): waiting again, with their run counted, or failed once their runs are used up.
    The daily retention job runs it; returns how many it found."""
    now = now or timezone.now()
    count = 0
    for video in Video.objects.filter(state=Video.State.PROCESSING):
        longest = max(MIN_TIMEOUT, video.duration * TIMEOUT_PER_SECOND) + STALL_MARGIN
        if video.updated_at > now - timedelta(seconds=longest):
            continue
        reason = _("The processing was interrupted.")
        if video.attempts < settings.TUBE_ATTEMPTS:
            with transaction.atomic():
                moved = Video.objects.filter(pk=video.pk, state=Video.State.PROCESSING).update(
                    state=Video.State.WAITING, failure=reason
                )
                if moved:
                    jobs.later("tube.process", video.pk)
        else:
            moved = Video.objects.filter(pk=video.pk, state=Video.State.PROCESSING).update(
                state=Video.State.FAILED, failure=reason
            )
        count += moved
    return count
