"""A person's pads in "download my data" and in the erasure of their account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cartable.accounts.models import User
from cartable.pad.access import resolve
from cartable.pad.actions.conversion import export_html
from cartable.pad.actions.pads import delete_pad
from cartable.pad.models import Pad, PadAuthor, PadRevision


def export_pads(user: User, add: Callable[[str, Any], None]) -> None:
    """Every pad the user wrote in and may still open, as text and as HTML with its authors.

    A pad closed to them since (its reach narrowed, a class left) is not given: its text now
    holds what others wrote after, which they may not read any other way."""

    author = getattr(user, "pad_author", None)
    if author is None:
        return
    pad_ids = PadRevision.objects.filter(author=author).values_list("pad_id", flat=True).distinct()
    for pad in Pad.objects.filter(pk__in=pad_ids):
        opened = resolve(user, pad.pad_id)
        if opened is None or "view" not in opened.abilities:
            continue
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in pad.pad_id)
        add(f"{safe}.txt", pad.text)
        add(f"{safe}.html", export_html(pad))


def erase_author(user: User) -> None:
    """Authorship is anonymised; the text of shared pads stays."""

    PadAuthor.objects.filter(user=user).update(user=None, name="", mapper=None)
    # Pads the user alone owned and nobody else wrote in go with the account.
    for pad in Pad.objects.filter(owner=user, owner_group__isnull=True):
        others = (
            pad.revisions.exclude(author__isnull=True)
            .exclude(author__user__isnull=True)
            .exclude(author__user=user)
            .exists()
        )
        if not others and pad.reach in ("restricted",):
            delete_pad(pad)
