"""Pads: create, read and write, copy and move, revisions, HTML."""

from __future__ import annotations

import difflib
import html
import json
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from cartable.pad import actions, convert, document, ids, store
from cartable.pad.actions import api as api_actions
from cartable.pad.actions.conversion import ImportRefused, parse_untrusted
from cartable.pad.convert.parsing import resolve_images
from cartable.pad.convert.schema import safe_src
from cartable.pad.etherpad.common import (
    ApiError,
    ApiUnsupported,
    Params,
    api_pads,
    author_pk,
    clean_text,
    create_api_pad,
    free_pad_id,
    get_pad,
    ms,
    parse_rev,
    rev_at_most_head,
    sanitize_pad_id,
    text_at,
)
from cartable.pad.models import Pad, PadAuthor, PadGroup, PadRevision

# --- Pads -------------------------------------------------------------------------------


def create_pad(p: Params) -> None:
    pad_id = sanitize_pad_id(p.get("padID"))
    if isinstance(pad_id, str):
        if "$" in pad_id:
            raise ApiError("createPad can't create group pads")
        if re.search(r"[/?&#]", pad_id):
            raise ApiError("malformed padID: Remove special characters")
    create_api_pad(free_pad_id(pad_id), p)


def delete_pad(p: Params) -> None:
    actions.delete_pad(get_pad(sanitize_pad_id(p.get("padID"))))


def get_text(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    rev = rev_at_most_head(p.get("rev"), pad) if p.get("rev") is not None else None
    return {"text": text_at(pad, rev)}


def set_text(p: Params) -> None:
    text = p.text("text")
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    actions.set_text(pad, clean_text(text), author_pk=author_pk(p))


def append_text(p: Params) -> None:
    text = p.text("text")
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    actions.extend_text(pad, clean_text(text), author_pk=author_pk(p))


def get_revisions_count(p: Params) -> dict[str, Any]:
    return {"revisions": get_pad(sanitize_pad_id(p.get("padID"))).head}


def get_last_edited(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    return {"lastEdited": ms(pad.last_edited_at or pad.created_at)}


def get_read_only_id(p: Params) -> dict[str, Any]:
    return {"readOnlyID": get_pad(sanitize_pad_id(p.get("padID"))).readonly_id}


def get_pad_id(p: Params) -> dict[str, Any]:
    ro_id = p.get("roID")
    pad = api_pads().filter(readonly_id=ro_id).first() if isinstance(ro_id, str) else None
    if pad is None:
        raise ApiError("padID does not exist")
    return {"padID": pad.pad_id}


def _group_pad_only(pad_id: object, field: str) -> None:
    if isinstance(pad_id, str) and "$" not in pad_id:
        raise ApiError(f"You can only get/set the {field} of pads that belong to a group")


def set_public_status(p: Params) -> None:
    pad_id = sanitize_pad_id(p.get("padID"))
    _group_pad_only(pad_id, "publicStatus")
    actions.set_public_status(get_pad(pad_id), p.flag("publicStatus"))


def get_public_status(p: Params) -> dict[str, Any]:
    pad_id = sanitize_pad_id(p.get("padID"))
    _group_pad_only(pad_id, "publicStatus")
    return {"publicStatus": get_pad(pad_id).public_status}


def list_authors_of_pad(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    return {"authorIDs": _authors_of(PadRevision.objects.filter(pad=pad))}


def _authors_of(revisions: QuerySet[PadRevision]) -> list[str]:
    author_pks = revisions.exclude(author__isnull=True).values("author_id").distinct()
    return list(
        PadAuthor.objects.filter(pk__in=author_pks)
        .order_by("pk")
        .values_list("author_id", flat=True)
    )


def _destination(p: Params) -> tuple[Pad, str, PadGroup | None]:
    """copyPad and movePad's checks, in Etherpad's order; a forced destination is deleted."""
    source = get_pad(p.get("sourceID"))
    destination = p.get("destinationID")
    if not isinstance(destination, str) or not ids.is_valid_pad_id(destination):
        raise ApiError("destinationID did not match requirements")
    pad_group = None
    if "$" in destination:
        pad_group = PadGroup.objects.filter(group_id=destination.split("$", 1)[0]).first()
        if pad_group is None:
            raise ApiError("groupID does not exist for destinationID")
    existing = Pad.objects.filter(pad_id=destination).first()
    if existing is not None:
        # Forcing overwrites only what the API may touch, never a person's own pad.
        if not p.flag("force") or not api_pads().filter(pk=existing.pk).exists():
            raise ApiError("destinationID already exists")
        if existing.pk == source.pk:
            raise ApiError("destinationID already exists")
        actions.delete_pad(existing)
    return source, destination, pad_group


def copy_pad(p: Params) -> dict[str, Any]:
    source, destination, pad_group = _destination(p)
    actions.copy_pad(source, destination, pad_group=pad_group)
    return {"padID": destination}


def copy_pad_without_history(p: Params) -> dict[str, Any]:
    source, destination, pad_group = _destination(p)
    actions.copy_pad(
        source, destination, pad_group=pad_group, history=False, author_pk=author_pk(p)
    )
    return {"padID": destination}


def move_pad(p: Params) -> dict[str, Any]:
    source, destination, pad_group = _destination(p)
    actions.move_pad(source, destination, pad_group=pad_group)
    return {"padID": destination}


# --- Revisions --------------------------------------------------------------------------


def get_saved_revisions_count(p: Params) -> dict[str, Any]:
    return {"savedRevisions": get_pad(sanitize_pad_id(p.get("padID"))).saved_revisions.count()}


def list_saved_revisions(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    return {
        "savedRevisions": list(pad.saved_revisions.order_by("rev").values_list("rev", flat=True))
    }


def save_revision(p: Params) -> None:
    rev_value = p.get("rev")
    rev = parse_rev(rev_value) if rev_value not in (None, "") else None
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    if rev is not None and rev > pad.head:
        raise ApiError("rev is higher than the head revision of the pad")
    api_actions.save_revision(pad, pad.head if rev is None else rev, label="Saved through API call")


def restore_revision(p: Params) -> None:
    if p.get("rev") is None:
        raise ApiError("rev is not defined")
    rev = parse_rev(p.get("rev"))
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    if rev > pad.head:
        raise ApiError("rev is higher than the head revision of the pad")
    actions.restore_revision(pad, rev, author_pk=author_pk(p))


def get_revision_changeset(p: Params) -> None:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    if p.get("rev") is not None:
        rev_at_most_head(p.get("rev"), pad)
    raise ApiUnsupported(
        "getRevisionChangeset is not available: Cartable stores Yjs updates, "
        "not Etherpad changesets (use getText or getHTML with rev)"
    )


def get_attribute_pool(p: Params) -> dict[str, Any]:
    """The attributes used in the pad, numbered as in Etherpad's pool: authors and marks."""
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    doc, _head = store.load_document(pad.pk)
    found: dict[tuple[str, str], None] = {}

    def walk(node: Mapping[str, Any]) -> None:
        for mark in node.get("marks") or []:
            attrs = mark.get("attrs") or {}
            if mark["type"] == "author":
                value = str(attrs.get("id", ""))
            else:
                value = json.dumps(attrs, sort_keys=True) if attrs else "true"
            found.setdefault((mark["type"], value), None)
        for child in node.get("content") or []:
            walk(child)

    walk(document.to_prosemirror(doc))
    pairs = list(found)
    return {
        "pool": {
            "numToAttrib": {str(i): [k, v] for i, (k, v) in enumerate(pairs)},
            "attribToNum": {f"{k},{v}": i for i, (k, v) in enumerate(pairs)},
            "nextNum": len(pairs),
        }
    }


def create_diff_html(p: Params) -> dict[str, Any]:
    """What changed between two revisions, as HTML with ``<ins>`` and ``<del>``."""
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    bounds = []
    for name in ("startRev", "endRev"):
        if p.get(name) in (None, ""):
            raise ApiError(f"{name} is not a number")
        bounds.append(min(parse_rev(p.get(name), name), pad.head))
    start, end = bounds
    if start > end:
        raise ApiError("startRev is higher than endRev")
    return {
        "html": diff_html(text_at(pad, start), text_at(pad, end)),
        "authors": _authors_of(PadRevision.objects.filter(pad=pad, rev__gt=start, rev__lte=end)),
    }


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# Token comparisons the diff may cost (a product of the changed parts' lengths).
MAX_DIFF_WORK = 1_000_000


def diff_html(before: str, after: str) -> str:
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    out: list[str] = []

    def text(tokens: list[str]) -> str:
        return html.escape("".join(tokens)).replace("\n", "<br>")

    # What both share at the start and the end is found in linear time; SequenceMatcher, whose
    # worst case is quadratic or worse (a text of one word repeated), only sees the middle,
    # and past MAX_DIFF_WORK the middle is shown as removed and added whole.
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old_middle, new_middle = old[start : len(old) - end], new[start : len(new) - end]
    opcodes: list[tuple[str, int, int, int, int]]
    if len(old_middle) * len(new_middle) > MAX_DIFF_WORK:
        opcodes = [("replace", 0, len(old_middle), 0, len(new_middle))]
    else:
        matcher = difflib.SequenceMatcher(a=old_middle, b=new_middle, autojunk=False)
        opcodes = [(str(op), a1, a2, b1, b2) for op, a1, a2, b1, b2 in matcher.get_opcodes()]
    out.append(text(old[:start]))
    for op, a1, a2, b1, b2 in opcodes:
        if op == "equal":
            out.append(text(old_middle[a1:a2]))
            continue
        if a2 > a1:
            out.append(f"<del>{text(old_middle[a1:a2])}</del>")
        if b2 > b1:
            out.append(f"<ins>{text(new_middle[b1:b2])}</ins>")
    out.append(text(old[len(old) - end :]))
    return "".join(out)


# --- HTML -------------------------------------------------------------------------------


def get_html(p: Params) -> dict[str, Any]:
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    rev = rev_at_most_head(p.get("rev"), pad) if p.get("rev") is not None else None
    if rev is None or rev == pad.head:
        doc, _head = store.load_document(pad.pk)
    else:
        doc, _head = store.load_document(pad.pk, upto=rev)
    body = convert.pm_to_html(document.to_prosemirror(doc))
    return {"html": f"<!DOCTYPE HTML><html><body>{body}</body></html>"}


def set_html(p: Params) -> None:
    markup = p.text("html")
    pad = get_pad(sanitize_pad_id(p.get("padID")))
    # Parsed in a child process, as an uploaded file is (cartable.pad.convert.parsing).
    with tempfile.TemporaryDirectory(prefix="cartable-sethtml-") as tmp:
        try:
            pm = parse_untrusted("read_html", Path(tmp), markup=clean_text(markup))
        except ImportRefused:
            raise ApiError("HTML is malformed, or too large or too complex") from None
    actions.set_content(pad, resolve_images(pm, safe_src), author_pk=author_pk(p))
