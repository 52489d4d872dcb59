"""Etherpad's HTTP API at ``/pad/api/<version>/<function>``, for the clients that speak it.

Moodle's etherpadlite module, Nextcloud's ownpad and the Etherpad client libraries are given
``<Cartable>/pad`` as the Etherpad address and call ``<address>/api/<version>/<function>``.
What they get back is Etherpad's: ``{"code": 0, "message": "ok", "data": ...}``, with code
1 for wrong parameters (HTTP 200), 2 for an internal error (500), 3 for no such function (404)
and 4 for no or a wrong API key (401). Parameters come from the query string, a form body or a
JSON body (the body wins); the key as ``apikey`` (or ``api_key``) there, or in an ``apikey`` or
``Authorization`` header.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from cartable.core import limits
from cartable.pad import apikey
from cartable.pad.etherpad import FUNCTIONS, ApiError, ApiUnsupported, Params

logger = logging.getLogger(__name__)

# Each version's functions and their parameters, in Etherpad's order; each version has the
# functions of the one before it.
_V1: dict[str, tuple[str, ...]] = {
    "createGroup": (),
    "createGroupIfNotExistsFor": ("groupMapper",),
    "deleteGroup": ("groupID",),
    "listPads": ("groupID",),
    "createPad": ("padID", "text"),
    "createGroupPad": ("groupID", "padName", "text"),
    "createAuthor": ("name",),
    "createAuthorIfNotExistsFor": ("authorMapper", "name"),
    "listPadsOfAuthor": ("authorID",),
    "createSession": ("groupID", "authorID", "validUntil"),
    "deleteSession": ("sessionID",),
    "getSessionInfo": ("sessionID",),
    "listSessionsOfGroup": ("groupID",),
    "listSessionsOfAuthor": ("authorID",),
    "getText": ("padID", "rev"),
    "setText": ("padID", "text"),
    "getHTML": ("padID", "rev"),
    "setHTML": ("padID", "html"),
    "getRevisionsCount": ("padID",),
    "getLastEdited": ("padID",),
    "deletePad": ("padID",),
    "getReadOnlyID": ("padID",),
    "setPublicStatus": ("padID", "publicStatus"),
    "getPublicStatus": ("padID",),
    "listAuthorsOfPad": ("padID",),
    "padUsersCount": ("padID",),
}
_ADDED: list[tuple[str, dict[str, tuple[str, ...]]]] = [
    (
        "1.1",
        {
            "getAuthorName": ("authorID",),
            "padUsers": ("padID",),
            "sendClientsMessage": ("padID", "msg"),
            "listAllGroups": (),
        },
    ),
    ("1.2", {"checkToken": ()}),
    ("1.2.1", {"listAllPads": ()}),
    (
        "1.2.7",
        {
            "createDiffHTML": ("padID", "startRev", "endRev"),
            "getChatHistory": ("padID", "start", "end"),
            "getChatHead": ("padID",),
        },
    ),
    ("1.2.8", {"getAttributePool": ("padID",), "getRevisionChangeset": ("padID", "rev")}),
    (
        "1.2.9",
        {
            "copyPad": ("sourceID", "destinationID", "force"),
            "movePad": ("sourceID", "destinationID", "force"),
        },
    ),
    ("1.2.10", {"getPadID": ("roID",)}),
    (
        "1.2.11",
        {
            "getSavedRevisionsCount": ("padID",),
            "listSavedRevisions": ("padID",),
            "saveRevision": ("padID", "rev"),
            "restoreRevision": ("padID", "rev"),
        },
    ),
    ("1.2.12", {"appendChatMessage": ("padID", "text", "authorID", "time")}),
    ("1.2.13", {"appendText": ("padID", "text")}),
    ("1.2.14", {"getStats": ()}),
    ("1.2.15", {"copyPadWithoutHistory": ("sourceID", "destinationID", "force")}),
    (
        # 1.3.0 lets the caller name the author of a change.
        "1.3.0",
        {
            "appendText": ("padID", "text", "authorId"),
            "copyPadWithoutHistory": ("sourceID", "destinationID", "force", "authorId"),
            "createGroupPad": ("groupID", "padName", "text", "authorId"),
            "createPad": ("padID", "text", "authorId"),
            "restoreRevision": ("padID", "rev", "authorId"),
            "setHTML": ("padID", "html", "authorId"),
            "setText": ("padID", "text", "authorId"),
        },
    ),
]


def _versions() -> dict[str, dict[str, tuple[str, ...]]]:
    versions = {"1": dict(_V1)}
    previous = versions["1"]
    for name, added in _ADDED:
        previous = versions[name] = {**previous, **added}
    return versions


VERSIONS = _versions()
LATEST_VERSION = "1.3.0"

# Other spellings that clients send for a parameter (Python clients send ``authorID`` for
# 1.3.0's ``authorId``, and ``readOnlyID`` for getPadID's ``roID``).
ALIASES = {"authorId": ("authorID",), "roID": ("readOnlyID",)}


def _envelope(code: int, message: str, data: Any = None, *, status: int = 200) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "data": data},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _fields(request: HttpRequest) -> dict[str, Any]:
    """Query string, then the body over it, as Etherpad merges them."""
    fields: dict[str, Any] = dict(request.GET.items())
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except RecursionError:
                # Nested deeper than the decoder goes: as unreadable as a syntax error.
                raise ValueError("the JSON body is nested too deeply") from None
            if not isinstance(body, dict):
                raise ValueError("the JSON body is not an object")
            fields.update(body)
        else:
            fields.update(request.POST.items())
    return fields


def _given_key(request: HttpRequest, fields: Mapping[str, Any]) -> str | None:
    headers = request.headers
    for value in (
        fields.get("apikey"),
        headers.get("apikey"),
        fields.get("api_key"),
        headers.get("api-key"),
        headers.get("authorization"),
    ):
        if value:
            text = str(value)
            return text[7:] if text.lower().startswith("bearer ") else text
    return None


@csrf_exempt
def root(request: HttpRequest) -> JsonResponse:
    """``GET /pad/api``: the latest version, which clients check before anything else."""
    return JsonResponse({"currentVersion": LATEST_VERSION})


@csrf_exempt
def call(request: HttpRequest, version: str, function: str) -> JsonResponse:
    functions = VERSIONS.get(version)
    if functions is None:
        return _envelope(3, "no such api version", status=404)
    if request.method not in ("GET", "POST") or function not in functions:
        return _envelope(3, "no such function", status=404)
    try:
        fields = _fields(request)
    except RequestDataTooBig:
        return _envelope(1, "request body too large", status=413)
    except ValueError as exc:
        return _envelope(1, f"malformed request body: {exc}")
    try:
        attempt = limits.check_attempt("api_key", request=request)
    except limits.Limited as refusal:
        answer = _envelope(4, "too many wrong API keys: try again later", status=429)
        answer["Retry-After"] = str(refusal.retry_after)
        return answer
    if not apikey.check_key(_given_key(request, fields)):
        return _envelope(4, "no or wrong API Key", status=401)
    attempt.succeeded()
    try:
        params = Params.from_fields(fields, functions[function], ALIASES)
        with transaction.atomic():
            data = FUNCTIONS[function](params)
    except ApiError as exc:
        return _envelope(1, str(exc))
    except ApiUnsupported as exc:
        return _envelope(2, str(exc), status=500)
    except ValidationError as exc:
        # An action refused what the checks above let through (a name taken meanwhile).
        return _envelope(1, " ".join(exc.messages))
    except Exception:
        logger.exception("pad API %s/%s failed", version, function)
        return _envelope(2, "internal error", status=500)
    return _envelope(0, "ok", data)
