"""Tube's demo content: the class's channel with two short videos, made by ffmpeg from its
test sources (a test card with a tone, and a moving pattern), processed by the worker like
any video. Without ffmpeg, the channel alone."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cartable.core.processes import ProcessTimeout, SandboxUnavailable, run_isolated
from cartable.tube.actions.publishing import create_channel, publish
from cartable.tube.errors import TubeError
from cartable.tube.models import Channel

CLIPS = [
    ("Leçon 1 — La frise chronologique", "testsrc2=size=854x480:rate=25", "sine=frequency=330"),
    ("Expérience — Les couleurs", "smptehdbars=size=854x480:rate=25", "sine=frequency=523"),
]
SECONDS = 6


def create(people: dict[str, Any]) -> Iterator[str]:
    teacher, group = people["teacher"], people["group"]
    if Channel.objects.filter(owner_group=group).exists():
        return
    channel = create_channel(group.name, by=teacher, group_id=group.pk)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        yield "Tube: the class's channel, without videos (ffmpeg is not installed)"
        return
    made = 0
    with tempfile.TemporaryDirectory() as folder:
        for index, (title, picture, sound) in enumerate(CLIPS):
            clip = Path(folder) / f"demo-{index}.mp4"
            try:
                run_isolated(
                    [
                        ffmpeg,
                        "-v",
                        "error",
                        "-f",
                        "lavfi",
                        "-i",
                        picture,
                        "-f",
                        "lavfi",
                        "-i",
                        sound,
                        "-t",
                        str(SECONDS),
                        "-c:v",
                        "libx264",
                        "-pix_fmt",
                        "yuv420p",
                        "-c:a",
                        "aac",
                        clip.name,
                    ],
                    workdir=Path(folder),
                    timeout=120,
                )
                with open(clip, "rb") as fh:
                    publish(
                        channel,
                        iter(lambda: fh.read(1 << 20), b""),
                        filename=clip.name,
                        title=title,
                        by=teacher,
                    )
            except (OSError, ProcessTimeout, SandboxUnavailable, TubeError):
                continue
            made += 1
    yield f"Tube: the class's channel with {made} videos (the worker processes them)"
