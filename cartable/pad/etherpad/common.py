"""What every function of the Etherpad API shares: parameters, errors, Etherpad's checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from cartable.core.roles import Reach
from cartable.pad import actions, document, ids, store
from cartable.pad.models import Pad, PadAuthor, PadGroup


class ApiError(Exception):
    """Wrong parameters: Etherpad's code 1, with its message."""


class ApiUnsupported(Exception):
    """A function Cartable cannot answer as Etherpad does: code 2, with a message."""


@dataclass(frozen=True)
class Params:
    values: Mapping[str, Any]

    @classmethod
    def from_fields(
        cls,
        fields: Mapping[str, Any],
        declared: Iterable[str],
        aliases: Mapping[str, tuple[str, ...]],
    ) -> Params:
        """Only the parameters the function has in this version, as Etherpad passes them."""
        values = {}
        for name in declared:
            value = fields.get(name)
            for alias in aliases.get(name, ()):
                if value is None:
                    value = fields.get(alias)
            # No text field of the database holds a NUL (PostgreSQL refuses it).
            if isinstance(value, str) and "\x00" in value:
                raise ApiError(f"{name} cannot contain a NUL character")
            values[name] = value
        return cls(values)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def given(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if not isinstance(value, str):
            raise ApiError(f"{name} is not a string")
        return value

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)


# --- Helpers ----------------------------------------------------------------------------

MAX_NEW_PAD_TEXT = 100_000


def api_pads() -> QuerySet[Pad]:
    """The pads the API may touch: made through it (nobody's) or in an API group."""
    return Pad.objects.filter(
        Q(owner__isnull=True, owner_group__isnull=True) | Q(pad_group__isnull=False)
    )


def sanitize_pad_id(pad_id: object) -> object:
    """Etherpad's legacy renames: spaces, then colons, become ``_`` unless the name exists."""
    if not isinstance(pad_id, str) or not pad_id:
        return pad_id
    spaced = re.sub(r"\s+", "_", pad_id)
    candidates = [pad_id, spaced, re.sub(r":+", "_", spaced)]
    existing = set(Pad.objects.filter(pad_id__in=candidates).values_list("pad_id", flat=True))
    return next((c for c in candidates if c in existing), candidates[-1])


def get_pad(pad_id: object) -> Pad:
    """Etherpad's getPadSafe for a pad that must exist."""
    if not isinstance(pad_id, str):
        raise ApiError("padID is not a string")
    if not ids.is_valid_pad_id(pad_id):
        raise ApiError("padID did not match requirements")
    pad = api_pads().filter(pad_id=pad_id).first()
    if pad is None:
        raise ApiError("padID does not exist")
    return pad


def free_pad_id(pad_id: object) -> str:
    """Etherpad's getPadSafe for a pad about to be created."""
    if not isinstance(pad_id, str):
        raise ApiError("padID is not a string")
    if not ids.is_valid_pad_id(pad_id):
        raise ApiError("padID did not match requirements")
    if Pad.objects.filter(pad_id=pad_id).exists():
        raise ApiError("padID does already exist")
    return pad_id


def get_group(group_id: object) -> PadGroup:
    group = PadGroup.objects.filter(group_id=group_id).first() if group_id else None
    if group is None:
        raise ApiError("groupID does not exist")
    return group


def get_author(author_id: object) -> PadAuthor:
    author = PadAuthor.objects.filter(author_id=author_id).first() if author_id else None
    if author is None:
        raise ApiError("authorID does not exist")
    return author


def author_pk(p: Params, name: str = "authorId") -> int | None:
    """The author a change is made by: optional, and unknown ids are refused."""
    if not p.given(name):
        return None
    return get_author(p.get(name)).pk


def parse_rev(value: object, name: str = "rev") -> int:
    """Etherpad's checkValidRev, with its messages."""
    if isinstance(value, bool):
        raise ApiError(f"{name} is not a number")
    if isinstance(value, str):
        # Leading zeros aside, a revision number has few digits: more is no revision (and
        # int() refuses past 4300 digits).
        match = re.match(r"\s*([+-]?)0*(\d{1,18})(?!\d)", value)
        if match is None:
            raise ApiError(f"{name} is not a number")
        number: float = int(match.group(1) + match.group(2))
    elif isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
            raise ApiError(f"{name} is not a number")
        number = value
    else:
        raise ApiError(f"{name} is not a number")
    if number < 0:
        raise ApiError(f"{name} is not a negative number")
    if number != int(number):
        raise ApiError(f"{name} is a float value")
    return int(number)


def rev_at_most_head(value: object, pad: Pad) -> int:
    rev = parse_rev(value)
    if rev > pad.head:
        raise ApiError("rev is higher than the head revision of the pad")
    return rev


def clean_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_at(pad: Pad, rev: int | None = None) -> str:
    if rev is None or rev == pad.head:
        doc, _head = store.load_document(pad.pk)
    else:
        doc, _head = store.load_document(pad.pk, upto=rev)
    return document.to_text(doc)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def create_api_pad(pad_id: str, p: Params, *, pad_group: PadGroup | None = None) -> Pad:
    text = p.get("text")
    if text is not None and not isinstance(text, str):
        raise ApiError("text is not a string")
    if text is not None and len(text) > MAX_NEW_PAD_TEXT:
        raise ApiError("text must be less than 100k chars")
    return actions.create_pad(
        pad_id=pad_id,
        text=clean_text(text) if text else None,
        reach=Reach.RESTRICTED if pad_group is not None else Reach.LINK,
        pad_group=pad_group,
        author_pk=author_pk(p),
    )
