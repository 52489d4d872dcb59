"""Pad's part of the access matrix (``cartable.testing.access_matrix``): every persona tries
every action on every pad through the web pages, the Etherpad HTTP API (with its key) and
search; the websocket is tried in ``test_access_matrix_socket.py``.

The world is built once for the module, in a transaction rolled back at its end; each probe
runs in a savepoint of its own (see ``cartable.testing.access_matrix``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from cartable.core import search
from cartable.pad import document, store
from cartable.pad.models import Pad
from cartable.pad.tests.matrix_world import API_KEY, PadWorld, build
from cartable.testing.access_matrix import (
    PAD_PERSONAS,
    Case,
    Probe,
    cases,
    check,
    world_transaction,
)

# A browser: signed in, anonymous, or with an Etherpad API session's cookie.
BROWSER = frozenset({"account", "anonymous", "session"})
ACCOUNT = frozenset({"account"})
KEY = frozenset({"key"})


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[PadWorld]:
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with world_transaction(django_db_blocker, PAD_API_KEY=API_KEY, PASSWORD_HASHERS=hashers):
        with TestCase.captureOnCommitCallbacks(execute=True):
            built = build(PAD_PERSONAS)
        yield built


@pytest.fixture(autouse=True)
def _world_settings(world: PadWorld, settings: Any, db: Any) -> None:
    settings.PAD_API_KEY = API_KEY


Run = Callable[[PadWorld, str, Any], bool]
PROBES: dict[str, list[tuple[Probe, Run]]] = {}


def probe(action: str, name: str, via: frozenset[str]) -> Any:
    # The Etherpad API reaches its own pads only: the table's ``in_tree``.
    in_tree = via == KEY

    def register(run: Run) -> Run:
        PROBES.setdefault(action, []).append((Probe(name, action, via, in_tree), run))
        return run

    return register


def _fresh(pad: Any) -> Any:
    return Pad.objects.filter(pk=pad.pk).first()


def _text(pad: Any) -> str:
    return document.to_text(store.load_document(pad.pk)[0])


def _api_ok(w: PadWorld, persona: str, function: str, **params: Any) -> bool:
    """The API called as ``persona``: with the key for the integration, without otherwise."""

    if persona == "api_client":
        answer = w.api(function, **params)
    else:
        answer = Client().post(f"/pad/api/1.3.0/{function}", params).json()
    return answer.get("code") == 0


# view


@probe("view", "web", BROWSER)
def _view_web(w: PadWorld, p: str, pad: Any) -> bool:
    return w.client(p).get(f"/pad/p/{pad.pad_id}").status_code == 200


@probe("view", "authors", BROWSER)
def _view_authors(w: PadWorld, p: str, pad: Any) -> bool:
    return w.client(p).get(f"/pad/p/{pad.pad_id}/authors.json").status_code == 200


@probe("view", "etherpad-api", KEY)
def _view_api(w: PadWorld, p: str, pad: Any) -> bool:
    return _api_ok(w, p, "getText", padID=pad.pad_id)


# download


@probe("download", "export", BROWSER)
def _download_export(w: PadWorld, p: str, pad: Any) -> bool:
    answer = w.client(p).get(f"/pad/p/{pad.pad_id}/export/txt")
    return answer.status_code == 200 and pad.title.split()[-1].encode() in answer.content


@probe("download", "etherpad-api", KEY)
def _download_api(w: PadWorld, p: str, pad: Any) -> bool:
    return _api_ok(w, p, "getHTML", padID=pad.pad_id)


# write


@probe("write", "import", BROWSER)
def _write_import(w: PadWorld, p: str, pad: Any) -> bool:
    upload = SimpleUploadedFile("nouveau.txt", b"texte importe", content_type="text/plain")
    w.client(p).post(f"/pad/p/{pad.pad_id}/import", {"file": upload})
    return "texte importe" in _text(pad)


@probe("write", "etherpad-api", KEY)
def _write_api(w: PadWorld, p: str, pad: Any) -> bool:
    return _api_ok(w, p, "setText", padID=pad.pad_id, text="texte de l'API")


# rename


@probe("rename", "settings", BROWSER)
def _rename_web(w: PadWorld, p: str, pad: Any) -> bool:
    w.client(p).post(f"/pad/p/{pad.pad_id}/settings", {"title": "Renommé"})
    found = _fresh(pad)
    return found is not None and found.title == "Renommé"


@probe("rename", "etherpad-api", KEY)
def _rename_api(w: PadWorld, p: str, pad: Any) -> bool:
    destination = f"{pad.pad_id}-moved" if "$" not in pad.pad_id else pad.pad_id + "2"
    return _api_ok(w, p, "movePad", sourceID=pad.pad_id, destinationID=destination)


# copy


@probe("copy", "etherpad-api", KEY)
def _copy_api(w: PadWorld, p: str, pad: Any) -> bool:
    destination = f"{pad.pad_id}-copy" if "$" not in pad.pad_id else pad.pad_id + "3"
    return _api_ok(w, p, "copyPad", sourceID=pad.pad_id, destinationID=destination)


# delete


@probe("delete", "settings", BROWSER)
def _delete_web(w: PadWorld, p: str, pad: Any) -> bool:
    w.client(p).post(f"/pad/p/{pad.pad_id}/settings", {"action": "delete"})
    return _fresh(pad) is None


@probe("delete", "etherpad-api", KEY)
def _delete_api(w: PadWorld, p: str, pad: Any) -> bool:
    return _api_ok(w, p, "deletePad", padID=pad.pad_id) and _fresh(pad) is None


# share


@probe("share", "settings", BROWSER)
def _share_web(w: PadWorld, p: str, pad: Any) -> bool:
    w.client(p).post(f"/pad/p/{pad.pad_id}/settings", {"reach": "platform"})
    found = _fresh(pad)
    return found is not None and found.reach == "platform"


@probe("share", "etherpad-api", KEY)
def _share_api(w: PadWorld, p: str, pad: Any) -> bool:
    return _api_ok(w, p, "setPublicStatus", padID=pad.pad_id, publicStatus="true")


# search


@probe("search", "portal", ACCOUNT)
def _search_portal(w: PadWorld, p: str, pad: Any) -> bool:
    token = pad.title.split()[-1]
    found = search.search(w.user(p), token).get("pad", [])
    return any(pad.get_absolute_url() in r.url for r in found)


CASES = cases("pad", PROBES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_access_matrix(world: PadWorld, case: Case) -> None:
    pad = world.pads[case.resource.key]
    check(
        case,
        [
            (found, functools.partial(run, world, case.persona, pad))
            for found, run in PROBES[case.action]
        ],
    )
