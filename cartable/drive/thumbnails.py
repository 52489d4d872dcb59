"""Thumbnails of a local image or text file: run in a child process (``cartable.core.isolated``).

Images are decoded by Pillow, restricted to common formats (no EPS, which runs Ghostscript),
JPEGs at reduced scale (``draft``), and refused past ``max_pixels``; a text file's first lines
are drawn on a page. Each size is written beside the source as WebP. Pillow's decoders are C
code reading hostile bytes: here a crash or a bomb costs a child process, not the server.

No Django here: this module runs in a child interpreter without settings.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from cartable.drive.textparse import decode

IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "ICO")
QUALITY = 80
TEXT_HEAD = 64 * 1024
MAX_TEXT_LINES = 200


class NoThumbnail(ValueError):
    """This file cannot be drawn (broken, not a picture format we open, too many pixels)."""


def thumbnails(path: str, kind: str, sizes: list[int], max_pixels: int) -> dict[str, str]:
    """Write ``preview-<size>.webp`` beside ``path`` for each size; {size: file name}."""
    source = Path(path)
    box = max(sizes)
    image = render_text(source, box) if kind == "text" else render_image(source, box, max_pixels)
    made = {}
    for size in sizes:
        thumb = image.copy()
        thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
        name = f"preview-{size}.webp"
        thumb.save(source.parent / name, "WEBP", quality=QUALITY, method=4)
        made[str(size)] = name
    return made


def render_image(path: Path, box: int, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns past 89 M pixels and refuses past twice that; our own limit below
            # applies after JPEG's reduced decoding, which makes huge photos cheap.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=IMAGE_FORMATS) as opened:
                opened.seek(0)  # an animation's first frame
                if opened.format == "JPEG":
                    opened.draft("RGB", (box, box))
                width, height = opened.size
                if width * height > max_pixels:
                    raise NoThumbnail(f"{width}×{height} pixels is too many to decode")
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
                image = _flatten_mode(image)
                image.thumbnail((box, box), Image.Resampling.LANCZOS)
                return image
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        # SyntaxError: what some of Pillow's plugins raise for a malformed file.
        raise NoThumbnail(str(exc)) from exc


def _flatten_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA"):
        return image
    if image.mode in ("LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float grey (scans, scientific images): scaled to 8 bits first.
        image = image.convert("I")
        extrema = image.getextrema()
        lo, hi = (0, 65535)
        if isinstance(extrema[0], int | float) and isinstance(extrema[1], int | float):
            lo, hi = int(extrema[0]), int(extrema[1])
        scale = 255 / max(1, hi - lo)
        image = image.point(lambda v: v * scale - lo * scale).convert("L")
    return image.convert("RGB")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    ):
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def render_text(path: Path, box: int) -> Image.Image:
    """The first lines of a text file on a page."""
    with path.open("rb") as stream:
        text = decode(stream.read(TEXT_HEAD)).replace("\r\n", "\n").replace("\t", "    ")
    width, height = box * 3 // 4, box
    margin, size = box // 24, max(8, box // 48)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = _font(size)
    columns = max(1, (width - 2 * margin) * 10 // (size * 6))
    y = margin
    for line in text.split("\n", MAX_TEXT_LINES)[:MAX_TEXT_LINES]:
        if y + size > height - margin:
            break
        # Control characters are not shown (the text layout engine fails on some of them).
        shown = "".join(ch if ch.isprintable() else " " for ch in line[:columns])
        # A line the layout engine cannot draw is left out: the page shows the others.
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            draw.text((margin, y), shown, fill=(40, 40, 40), font=font)
        y += size * 5 // 4
    return image
