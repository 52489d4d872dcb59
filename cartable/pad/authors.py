"""Pad authors: one per platform user, one per named guest, or made through the API."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction

from cartable.pad.models import AUTHOR_COLOURS, PadAuthor


def colour_for(seed: str) -> str:
    digest = hashlib.sha1(seed.encode(), usedforsecurity=False).digest()
    return AUTHOR_COLOURS[digest[0] % len(AUTHOR_COLOURS)]


def author_for_user(user: Any) -> PadAuthor:
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
