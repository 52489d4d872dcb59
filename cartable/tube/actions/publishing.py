"""Publishing a file as a video of a channel: stored, probed at once (a file that is not media
or is over a limit is refused there, saying why, and nothing of it stays), then processed by
a job (``tube.process``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cartable.accounts.models import User
from cartable.core import jobs
from cartable.core.models import Grant
from cartable.core.roles import Role
from cartable.core.storage import TooLarge, save_stream
from cartable.tube import media
from cartable.tube.access import check_channel
from cartable.tube.actions.workdir import with_original
from cartable.tube.errors import OverLimit
from cartable.tube.models import Channel, Video


def create_channel(
    name: str, *, by: User, group_id: int | None = None, description: str = ""
) -> Channel:
    """A person's own channel, or (``group_id``) a class's: its teachers publish to it, its
    members watch it, and it stays with the class whoever leaves."""
    with transaction.atomic():
        channel = Channel.objects.create(
            name=name.strip()[:120] or _("Channel"),
            description=description,
            owner=None if group_id else by,
            owner_group_id=group_id,
            structure=by.structure,
        )
        if group_id:
            Grant.objects.create(target=channel, group_id=group_id, role=Role.VIEWER, granted_by=by)
    return channel


def publish(
    channel: Channel,
    chunks: Iterable[bytes],
    *,
    filename: str,
    title: str,
    by: User,
    description: str = "",
) -> Video:
    """A new video of ``channel`` from the bytes of ``chunks``: Forbidden unless ``by`` may
    publish there, NotMedia or OverLimit (with what was over) for a file that cannot be one.
    The video waits for its processing, enqueued once this commits. Its own reach stays
    restricted: who watches it follows its channel (``access.video_abilities``), and only once
    it is published."""
    check_channel(by, channel, "publish")
    suffix = PurePath(filename).suffix.lower()[:10]
    try:
        stored = save_stream(
            f"tube/originals/{channel.public_id}/original{suffix}",
            chunks,
            max_size=settings.TUBE_MAX_SIZE,
        )
    except TooLarge:
        raise OverLimit(
            _("This file is larger than %(limit)s, the largest accepted.")
            % {"limit": filesizeformat(settings.TUBE_MAX_SIZE or 0)}
        ) from None
    try:
        with with_original(stored.name, suffix) as source:
            found = media.probe(source)
        with transaction.atomic():
            video = Video.objects.create(
                channel=channel,
                uploaded_by=by,
                title=title.strip()[:200] or PurePath(filename).stem[:200] or _("Video"),
                description=description,
                original=stored.name,
                original_name=PurePath(filename).name[:255],
                original_size=stored.size,
                duration=found.duration,
                width=found.width,
                height=found.height,
                has_video=found.has_video,
                has_audio=found.has_audio,
                owner=by,
                structure=channel.structure,
            )
            jobs.later("tube.process", video.pk)
    except BaseException:
        default_storage.delete(stored.name)
        raise
    return video
