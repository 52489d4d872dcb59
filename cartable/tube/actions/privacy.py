"""A person's videos in "download my data" and in the erasure of their account.

- **Export**: every video they published, in the channels they still publish to: its
  original file as they sent it, and its details (title, description, channel, dates,
  state) in ``videos.json``.
- **Erasure**: their own channels go, with their videos and every file of them. A video they
  published in a class's channel stays with the class (the class's teachers answer for it),
  no longer linked to them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import Any

from django.core.files.storage import default_storage

from cartable.accounts.models import User
from cartable.tube.access import channel_abilities
from cartable.tube.actions.removal import delete_channel
from cartable.tube.models import Channel, Video

CHUNK = 1024 * 1024


def export_videos(user: User, add: Callable[[str, Any], None]) -> None:
    details = []
    for video in Video.objects.filter(uploaded_by=user).select_related("channel"):
        if "publish" not in channel_abilities(user, video.channel):
            continue  # a class left since: the video is the class's now
        name = f"{video.public_id}{PurePath(video.original).suffix}"
        add(f"originals/{name}", _read(video.original))
        details.append(
            {
                "id": str(video.public_id),
                "title": video.title,
                "description": video.description,
                "channel": video.channel.name,
                "file": f"originals/{name}",
                "original_name": video.original_name,
                "published_at": video.published_at.isoformat() if video.published_at else None,
                "created_at": video.created_at.isoformat(),
                "state": video.state,
            }
        )
    if details:
        add("videos.json", json.dumps(details, ensure_ascii=False, indent=2).encode())


def _read(name: str) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as fh:
        while piece := fh.read(CHUNK):
            yield piece


def erase_videos(user: User) -> None:
    for channel in Channel.objects.filter(owner=user, owner_group__isnull=True):
        delete_channel(channel)
    Video.objects.filter(uploaded_by=user).update(uploaded_by=None)
    Video.objects.filter(owner=user).update(owner=None)
