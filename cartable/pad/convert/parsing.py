"""The parsing half of a pad import, run in a child process (``cartable.core.isolated``).

A file someone uploads (text, Markdown, HTML, or the HTML LibreOffice made of a docx or odt)
and the HTML of the API's setHTML become ProseMirror JSON here, in a child interpreter under
time and memory limits, so that a document made to be slow costs that child, not the server.
Images are kept as they come (web, relative and ``data:image/…`` sources that pass
``safe_src``): what is stored and what is dropped is decided afterwards by the parent, with
``resolve_images``, where the pad's storage is.

No Django here: this module runs in a child interpreter without settings.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any

import lxml.html

from cartable.pad.convert.html_in import ImageSrc, decode_html, html_to_pm, parse_html
from cartable.pad.convert.markdown import markdown_to_pm
from cartable.pad.convert.schema import PMNode, paragraph, safe_src
from cartable.pad.document import text_to_pm

# Images LibreOffice wrote beside its HTML that are embedded, at most (and their bytes).
MAX_SIBLING_IMAGES = 200
MAX_SIBLING_BYTES = 64 * 1024 * 1024
# Nodes that must hold at least one block: an image dropped from them leaves a paragraph.
_NEEDS_CONTENT = {"doc", "listItem", "taskItem", "blockquote", "tableCell", "tableHeader"}


def _keep(src: str) -> str | None:
    return safe_src(src, data=True)


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_file(path: str, kind: str) -> PMNode:
    """A text (``txt``), Markdown (``md``) or HTML (``html``) file as a document."""
    data = Path(path).read_bytes()
    if kind == "txt":
        return text_to_pm(decode_text(data).replace("\r\n", "\n").replace("\r", "\n"))
    if kind == "md":
        return markdown_to_pm(decode_text(data), image_src=_keep)
    if kind == "html":
        return html_to_pm(decode_html(data), image_src=_keep)
    raise ValueError(f"not a kind read here: {kind}")


def read_html(markup: str) -> PMNode:
    return html_to_pm(markup, image_src=_keep)


def read_office_html(path: str) -> PMNode:
    """LibreOffice's HTML of a docx or odt, with the images it wrote beside it embedded."""
    source = Path(path)
    html = decode_html(source.read_bytes())
    return html_to_pm(_embed_local_images(html, source.parent), image_src=_keep)


def _embed_local_images(html: str, folder: Path) -> str:
    """Images that LibreOffice wrote beside the HTML (older versions do), as data: URIs."""
    siblings = {
        p.name: p
        for p in sorted(folder.iterdir())[: MAX_SIBLING_IMAGES * 2]
        if p.is_file() and p.suffix in (".png", ".jpg", ".jpeg", ".gif", ".webp")
    }
    if not siblings:
        return html
    body = parse_html(html)
    if body is None:
        return html
    changed, budget = 0, MAX_SIBLING_BYTES
    for img in body.iter("img"):
        path = siblings.get((img.get("src") or "").split("/")[-1])
        if path is None or changed >= MAX_SIBLING_IMAGES or path.stat().st_size > budget:
            continue
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = path.read_bytes()
        budget -= len(data)
        img.set("src", f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}")
        changed += 1
    if not changed:
        return html
    root: Any = body.getroottree().getroot()
    return lxml.html.tostring(root, encoding="unicode")


def resolve_images(node: PMNode, image_src: ImageSrc) -> PMNode:
    """A copy of ``node`` whose images' sources went through ``image_src``; None drops one."""
    content = node.get("content")
    if not content:
        return node
    children = []
    for child in content:
        if child.get("type") == "image":
            attrs = child.get("attrs") or {}
            src = image_src(str(attrs.get("src") or ""))
            if src:
                children.append({**child, "attrs": {**attrs, "src": src}})
        else:
            children.append(resolve_images(child, image_src))
    if not children and node.get("type") in _NEEDS_CONTENT:
        children = [paragraph()]
    return {**node, "content": children}
