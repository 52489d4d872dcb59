"""What is in a media file (ffprobe), and the HLS ladder ffmpeg makes of it.

Both programs read bytes anyone may have crafted: they run through
:func:`cartable.core.processes.run_isolated` (sandboxed, limited, killed past their time), and
only on plain container formats (no playlists, no concat lists, no network protocols).
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from cartable.core.processes import Limits, ProcessTimeout, SandboxUnavailable, run_isolated
from cartable.tube.errors import NotMedia, OverLimit, Unavailable

# ffmpeg's demuxers for video and audio files people keep (mp4 and mov are "mov").
FORMATS = "mov,mp4,m4a,3gp,matroska,webm,avi,mpeg,mpegts,ogg,flv,asf,mp3,flac,wav,aac"
PROBE_TIMEOUT = 60  # seconds
SEGMENT_SECONDS = 4
# The renditions made of a video, from the top: (height, video kbit/s). Never above the source.
LADDER = [(1080, 5000), (720, 2800), (480, 1400), (360, 800), (240, 400)]
AUDIO_KBPS = 128


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Unavailable(
            _("Videos cannot be processed here: %(program)s is not installed.") % {"program": name}
        )
    return found


def input_args(path: Path) -> list[str]:
    return ["-protocol_whitelist", "file", "-format_whitelist", FORMATS, "-i", path.name]


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    has_video: bool
    has_audio: bool


def probe(path: Path) -> Probe:
    """What ``path`` holds; NotMedia when it is not a readable video or audio file, OverLimit
    when it is past a limit of the settings (the message says which)."""
    try:
        process = run_isolated(
            [
                binary("ffprobe"),
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_entries",
                "format=duration:stream=codec_type,width,height,duration,disposition",
                *input_args(path),
            ],
            workdir=path.parent,
            timeout=PROBE_TIMEOUT,
        )
    except SandboxUnavailable as exc:
        raise Unavailable(str(exc)) from None
    except ProcessTimeout:
        raise NotMedia() from None
    if process.returncode != 0:
        raise NotMedia()
    try:
        found = json.loads(process.stdout)
    except ValueError:
        raise NotMedia() from None
    streams = [s for s in found.get("streams", []) if isinstance(s, dict)]
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        # A cover picture in an audio file is a "video" stream ffmpeg calls an attached pic.
        and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    if not videos and not audios:
        raise NotMedia()
    duration = _number((found.get("format") or {}).get("duration"))
    if duration <= 0:
        duration = max((_number(s.get("duration")) for s in streams), default=0)
    if duration <= 0:
        raise NotMedia()
    width = int(_number(videos[0].get("width"))) if videos else 0
    height = int(_number(videos[0].get("height"))) if videos else 0
    if videos and (width <= 0 or height <= 0):
        raise NotMedia()
    result = Probe(duration, width, height, bool(videos), bool(audios))
    check_limits(result)
    return result


def check_limits(found: Probe) -> None:
    if found.duration > settings.TUBE_MAX_DURATION:
        raise OverLimit(
            _("This video lasts %(found)s; the longest accepted lasts %(limit)s.")
            % {"found": _hms(found.duration), "limit": _hms(settings.TUBE_MAX_DURATION)}
        )
    if found.has_video and min(found.width, found.height) > settings.TUBE_MAX_HEIGHT:
        raise OverLimit(
            _("This video is %(width)s×%(height)s pixels; the largest accepted is %(limit)sp.")
            % {"width": found.width, "height": found.height, "limit": settings.TUBE_MAX_HEIGHT}
        )


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _hms(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@dataclass(frozen=True)
class Rung:
    """One video rendition: its height, width (even) and bitrate."""

    height: int
    width: int
    kbps: int


def ladder(found: Probe) -> list[Rung]:
    """The renditions to make: every rung of :data:`LADDER` up to the source's height (the
    source's own height when it is below the lowest), widths keeping its shape."""
    if not found.has_video:
        return []
    source = min(found.width, found.height)  # a portrait phone video: its width is "the p"
    rungs = [(h, kbps) for h, kbps in LADDER if h <= source] or [(_even(source), LADDER[-1][1])]
    result = []
    for short, kbps in rungs:
        scale = short / source
        if found.width >= found.height:
            result.append(Rung(height=short, width=_even(found.width * scale), kbps=kbps))
        else:
            result.append(Rung(height=_even(found.height * scale), width=short, kbps=kbps))
    return result


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def hls_command(source: Path, found: Probe, rungs: list[Rung], *, threads: int = 0) -> list[str]:
    """One ffmpeg run making every rendition at once, from one decoding of the source: the
    video renditions with keyframes aligned every :data:`SEGMENT_SECONDS` (a player switches
    between them at any segment), an audio-only rendition, and the master playlist. Written
    under ``hls/`` beside ``source``."""
    command = [binary("ffmpeg"), "-v", "error", "-nostdin", "-y", *input_args(source)]
    if threads:
        command += ["-threads", str(threads)]
    streams: list[str] = []
    if rungs:
        split = f"[0:v:0]split={len(rungs)}" + "".join(f"[v{i}]" for i in range(len(rungs)))
        scales = [f"[v{i}]scale={r.width}:{r.height}[o{i}]" for i, r in enumerate(rungs)]
        command += ["-filter_complex", ";".join([split, *scales])]
        keyframes = f"expr:gte(t,n_forced*{SEGMENT_SECONDS})"
        for i, rung in enumerate(rungs):
            command += [
                "-map",
                f"[o{i}]",
                f"-c:v:{i}",
                "libx264",
                f"-b:v:{i}",
                f"{rung.kbps}k",
                f"-maxrate:v:{i}",
                f"{rung.kbps * 107 // 100}k",
                f"-bufsize:v:{i}",
                f"{rung.kbps * 2}k",
            ]
            group = ",agroup:audio" if found.has_audio else ""
            streams.append(f"v:{i}{group},name:{rung.height}p")
        command += [
            "-preset",
            "veryfast",
            "-profile:v",
            "main",
            "-pix_fmt",
            "yuv420p",
            "-sc_threshold",
            "0",
            "-force_key_frames",
            keyframes,
        ]
    if found.has_audio:
        command += ["-map", "0:a:0", "-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k", "-ac", "2"]
        streams.append("a:0,agroup:audio,default:yes,name:audio" if rungs else "a:0,name:audio")
    command += [
        "-f",
        "hls",
        "-hls_time",
        str(SEGMENT_SECONDS),
        "-hls_playlist_type",
        "vod",
        "-hls_flags",
        "independent_segments",
        "-hls_segment_filename",
        "hls/%v/%05d.ts",
        "-master_pl_name",
        "master.m3u8",
        "-var_stream_map",
        " ".join(streams),
        "hls/%v/index.m3u8",
    ]
    return command


def transcode_limits(found: Probe) -> Limits:
    """CPU seconds for a run: generous for the video's length (about 10 times its duration for
    the whole ladder on one core), never less than two minutes."""
    return Limits(cpu=max(120, int(found.duration * 10) + 60), file_size=8 * 1000**3)
