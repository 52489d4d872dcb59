"""Pad authors: one per platform user, one per named guest, or made through the API."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from cartable.accounts.models import User
from cartable.pad import document, store
from cartable.pad.models import AUTHOR_COLOURS, Pad, PadAuthor, PadRevision


def colour_for(seed: str) -> str:
    digest = hashlib.sha1(seed.encode(), usedforsecurity=False).digest()
    return AUTHOR_COLOURS[digest[0] % len(AUTHOR_COLOURS)]


def author_for_user(user: User) -> PadAuthor:
    author = PadAuthor.objects.filter(user=user).first()
    if author is not None:
        name = user.get_display_name()
        if author.name != name:
            author.name = name
            author.save(update_fields=["name", "updated_at"])
        return author
    try:
        with transaction.atomic():
            author = PadAuthor(user=user, name=user.get_display_name())
            author.colour = colour_for(author.author_id)
            author.save()
            return author
    except IntegrityError:
        return PadAuthor.objects.get(user=user)


def guest_author(session: Any, name: str | None = None) -> PadAuthor | None:
    """The author of an anonymous visitor, kept in their session; created once they give a name."""
    author_id = session.get("pad_author_id") if session is not None else None
    author = (
        PadAuthor.objects.filter(author_id=author_id, user__isnull=True).first()
        if author_id
        else None
    )
    if name is not None:
        name = name.strip()[:100]
        if author is None:
            author = PadAuthor(name=name)
            author.colour = colour_for(author.author_id)
            author.save()
            session["pad_author_id"] = author.author_id
        elif author.name != name:
            author.name = name
            author.save(update_fields=["name", "updated_at"])
    return author


def author_ids_in_text(pm: dict[str, Any]) -> set[str]:
    """The ids of the ``author`` marks of a ProseMirror document."""
    found: set[str] = set()
    stack = [pm]
    while stack:
        node = stack.pop()
        for mark in node.get("marks") or ():
            if mark.get("type") == "author":
                author_id = (mark.get("attrs") or {}).get("id")
                if isinstance(author_id, str):
                    found.add(author_id)
        stack.extend(node.get("content") or ())
    return found


def authors_of_pad(pad: Pad) -> list[PadAuthor]:
    """Everyone who sent a change to the pad, and everyone its text names as an author."""
    doc, _head = store.load_document(pad.pk)
    in_text = author_ids_in_text(document.to_prosemirror(doc))
    wrote = PadRevision.objects.filter(pad=pad, author__isnull=False).values("author_id")
    return list(
        PadAuthor.objects.filter(Q(pk__in=wrote) | Q(author_id__in=in_text)).order_by("name")
    )
