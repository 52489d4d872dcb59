"""Groups, authors and sessions: how an integrating site maps its users and groups."""

from __future__ import annotations

import re
import time
from typing import Any

from django.db.models import QuerySet

from cartable.pad import ids
from cartable.pad.actions import api as api_actions
from cartable.pad.etherpad.common import (
    ApiError,
    Params,
    api_pads,
    create_api_pad,
    get_author,
    get_group,
    sanitize_pad_id,
)
from cartable.pad.models import Pad, PadGroup, PadRevision, PadSession

# --- Groups -----------------------------------------------------------------------------


def create_group(p: Params) -> dict[str, Any]:
    return {"groupID": api_actions.create_group().group_id}


def create_group_if_not_exists_for(p: Params) -> dict[str, Any]:
    return {"groupID": api_actions.group_for_mapper(p.text("groupMapper")).group_id}


def delete_group(p: Params) -> None:
    api_actions.delete_group(get_group(p.get("groupID")))


def list_pads(p: Params) -> dict[str, Any]:
    group = get_group(p.get("groupID"))
    return {"padIDs": list(group.pads.order_by("pad_id").values_list("pad_id", flat=True))}


def list_all_groups(p: Params) -> dict[str, Any]:
    return {"groupIDs": list(PadGroup.objects.order_by("pk").values_list("group_id", flat=True))}


def create_group_pad(p: Params) -> dict[str, Any]:
    group = get_group(p.get("groupID"))
    name = sanitize_pad_id(p.get("padName"))
    if not isinstance(name, str) or not name:
        raise ApiError("padName is not a string")
    pad_id = ids.group_pad_id(group.group_id, name)
    if not ids.is_valid_pad_id(pad_id):
        raise ApiError(f"{pad_id} is not a valid padId")
    if Pad.objects.filter(pad_id=pad_id).exists():
        raise ApiError("padName does already exist")
    create_api_pad(pad_id, p, pad_group=group)
    return {"padID": pad_id}


# --- Authors ----------------------------------------------------------------------------


def create_author(p: Params) -> dict[str, Any]:
    name = p.get("name")
    return {
        "authorID": api_actions.create_author(name if isinstance(name, str) else None).author_id
    }


def create_author_if_not_exists_for(p: Params) -> dict[str, Any]:
    name = p.get("name")
    author = api_actions.author_for_mapper(
        p.text("authorMapper"), name if isinstance(name, str) else None
    )
    return {"authorID": author.author_id}


def get_author_name(p: Params) -> str | None:
    # Etherpad's data is the name itself, not an object.
    return get_author(p.get("authorID")).name or None


def list_pads_of_author(p: Params) -> dict[str, Any]:
    author = get_author(p.get("authorID"))
    pad_pks = PadRevision.objects.filter(author=author).values("pad_id").distinct()
    pads = api_pads().filter(pk__in=pad_pks).order_by("pad_id")
    return {"padIDs": list(pads.values_list("pad_id", flat=True))}


# --- Sessions ---------------------------------------------------------------------------


def _valid_until(value: object) -> int:
    if isinstance(value, str):
        match = re.match(r"\s*([+-]?\d+)", value)
        number: float | None = int(match.group(1)) if match else None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    else:
        number = None
    if number is None:
        raise ApiError("validUntil is not a number")
    if number < 0:
        raise ApiError("validUntil is a negative number")
    if number != int(number):
        raise ApiError("validUntil is a float value")
    if number < int(time.time()):
        raise ApiError("validUntil is in the past")
    return int(number)


def _session_info(session: PadSession) -> dict[str, Any]:
    return {
        "groupID": session.pad_group.group_id,
        "authorID": session.author.author_id,
        "validUntil": session.valid_until,
    }


def create_session(p: Params) -> dict[str, Any]:
    group = get_group(p.get("groupID"))
    author = get_author(p.get("authorID"))
    session = api_actions.create_session(group, author, _valid_until(p.get("validUntil")))
    return {"sessionID": session.session_id}


def _session(session_id: object) -> PadSession:
    session = (
        PadSession.objects.select_related("pad_group", "author")
        .filter(session_id=session_id)
        .first()
        if session_id
        else None
    )
    if session is None:
        raise ApiError("sessionID does not exist")
    return session


def delete_session(p: Params) -> None:
    api_actions.delete_session(_session(p.get("sessionID")))


def get_session_info(p: Params) -> dict[str, Any]:
    return _session_info(_session(p.get("sessionID")))


def _sessions(sessions: QuerySet[PadSession]) -> dict[str, Any] | None:
    # Etherpad answers null, not an empty object, when there is none.
    found = {
        s.session_id: _session_info(s)
        for s in sessions.select_related("pad_group", "author").order_by("pk")
    }
    return found or None


def list_sessions_of_group(p: Params) -> dict[str, Any] | None:
    return _sessions(PadSession.objects.filter(pad_group=get_group(p.get("groupID"))))


def list_sessions_of_author(p: Params) -> dict[str, Any] | None:
    return _sessions(PadSession.objects.filter(author=get_author(p.get("authorID"))))
