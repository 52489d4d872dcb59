from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cartable.tube.actions.publishing import create_channel


def make_clip(
    path: Path,
    *,
    size: str = "640x360",
    seconds: float = 6,
    audio: bool = True,
    video: bool = True,
) -> Path:
    """A short clip made by ffmpeg from its test sources (a test pattern and a tone)."""
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is not installed (run `make setup-system`)")
    command = ["ffmpeg", "-v", "error", "-y"]
    if video:
        command += ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=25"]
    if audio:
        command += ["-f", "lavfi", "-i", "sine=frequency=440"]
    command += ["-t", str(seconds)]
    if video:
        command += ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
    if audio:
        command += ["-c:a", "aac"]
    subprocess.run([*command, str(path)], check=True)  # noqa: S603 - our command
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "landscape": make_clip(folder / "landscape.mp4"),
        "portrait": make_clip(folder / "portrait.mp4", size="360x640", seconds=3, audio=False),
        "audio": make_clip(folder / "audio.m4a", video=False, seconds=3),
    }


def chunks(path: Path) -> list[bytes]:
    return [path.read_bytes()]


@pytest.fixture
def class_channel(teacher, klass):
    return create_channel("4e B — Histoire", by=teacher, group_id=klass.pk)
