"""Who may do what, for every tool: the access matrix, as data.

One row per resource: for each action, the personas who may do it; everyone else is refused.
Each tool's ``tests/test_access_matrix.py`` builds a world holding these resources, and tries
every action of every resource as every persona through every path it has (a *probe*: the
web pages, WebDAV, the Nextcloud API, tus, the Etherpad API, the pad websocket…). The
expected outcome of each try comes from here and nowhere else.

A probe says how a persona can come to it at all, which the table need not repeat:

- ``via``: ``"account"`` probes need a signed-in person (a cookie or an app password),
  ``"link"`` probes a public link's holder, ``"key"`` / ``"session"`` the Etherpad API's key
  or one of its sessions; a persona without that way in is refused whatever the table says.
- ``in_tree``: the probe finds things in a scope of the person's own, not by their address:
  their Drive tree (WebDAV, search, recent files, the trash), where only what is theirs,
  their classes' and shared with them appears (an administrator, who may act on anything by
  its address, has none of it there); the Etherpad API's own pads (made through it, or in its
  groups), for its key's holder. ``Resource.in_tree`` lists who finds the resource so.

**A new tool** (Tube, Visio, Forum, Blogs) adds its personas' ways in if it has new ones, its
resources below (``tool="tube"``…, with the personas it is tried with), and, in its own
``tests/test_access_matrix.py``, a world and one probe per path and action, generated with
:func:`cases`. Nothing else changes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test import override_settings

# --- Personas ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    key: str
    description: str
    # How they come: "account" (signed in), "link" (a Drive public link), "anonymous",
    # "key" (the Etherpad API key, an integration), "session" (an Etherpad API session).
    via: str
    # Whether they also try the paths that are not theirs (and must be refused there): a
    # visitor may type any address; an integration only calls its API.
    tries_others: bool = True


PERSONAS = {
    p.key: p
    for p in [
        Persona("owner", "the teacher who owns the item and the class", "account"),
        Persona("coteacher", "a co-teacher: manager of the class", "account"),
        Persona("colleague", "a teacher of the same school, given nothing", "account"),
        Persona("other_teacher", "a teacher of another academy", "account"),
        Persona("student", "a pupil of the class", "account"),
        Persona("dropper", "another pupil of the class, who handed in the homework", "account"),
        Persona("student_other", "a pupil of another class of the school", "account"),
        Persona("guest", "an anonymous visitor without a link", "anonymous"),
        Persona("link_view", "a visitor with a view link to the class folder", "link"),
        Persona("link_edit", "a visitor with an edit link to the class folder", "link"),
        Persona("link_drop", "a visitor with a file drop link to the homework box", "link"),
        Persona("link_hidedl", "a visitor with a view link whose downloads are hidden", "link"),
        Persona("admin", "a platform administrator", "account"),
        Persona(
            "api_client", "an integration holding the Etherpad API key", "key", tries_others=False
        ),
        Persona("api_session", "a browser with an Etherpad API session of a group", "session"),
    ]
}

DRIVE_PERSONAS = (
    "owner",
    "coteacher",
    "colleague",
    "other_teacher",
    "student",
    "dropper",
    "student_other",
    "guest",
    "link_view",
    "link_edit",
    "link_drop",
    "link_hidedl",
    "admin",
)
PAD_PERSONAS = (
    "owner",
    "coteacher",
    "colleague",
    "other_teacher",
    "student",
    "student_other",
    "guest",
    "admin",
    "api_client",
    "api_session",
)

# --- Resources -----------------------------------------------------------------------------

ACTIONS = (
    "view",  # see it: its page, its folder's listing
    "download",  # its bytes (older versions included)
    "write",  # new contents
    "rename",  # a new name (a move in its folder)
    "copy",  # a copy in one's own space, alone or with its folder
    "delete",  # to the trash
    "share",  # give it to others (a link, a grant)
    "zip",  # in a zip of it or of its folder
    "search",  # a search hit, a recent file
    "preview",  # its thumbnail
    "trash",  # its deleted twin, seen in the trash (listing, restore)
)


def _who(*keys: str) -> frozenset[str]:
    unknown = set(keys) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas {unknown}")
    return frozenset(keys)


@dataclass(frozen=True)
class Resource:
    key: str
    tool: str
    description: str
    # action -> the personas who may do it; an action left out is refused to everyone.
    may: dict[str, frozenset[str]]
    personas: tuple[str, ...]
    # Who finds it in their own Drive tree (see ``in_tree`` above).
    in_tree: frozenset[str] = field(default_factory=frozenset)

    def allows(self, persona: str, action: str) -> bool:
        return persona in self.may.get(action, frozenset())


# Drive's roles in the class: the owner teacher and the co-teacher manage it; its pupils view.
_CLASS_MEMBERS = ("owner", "coteacher", "student", "dropper")

RESOURCES = [
    Resource(
        key="drive.personal_file",
        tool="drive",
        description="a file in the owner's own Drive",
        may={
            action: _who("owner", "admin")
            for action in (
                "view",
                "download",
                "write",
                "rename",
                "copy",
                "delete",
                "share",
                "zip",
                "search",
                "preview",
            )
        }
        | {"trash": _who("owner", "admin")},
        personas=DRIVE_PERSONAS,
        in_tree=_who("owner"),
    ),
    Resource(
        key="drive.class_file",
        tool="drive",
        description="a file in the class folder (public links: on the class folder)",
        may={
            "view": _who(*_CLASS_MEMBERS, "link_view", "link_edit", "link_hidedl", "admin"),
            "download": _who(*_CLASS_MEMBERS, "link_view", "link_edit", "admin"),
            "write": _who("owner", "coteacher", "link_edit", "admin"),
            "rename": _who("owner", "coteacher", "link_edit", "admin"),
            "copy": _who(*_CLASS_MEMBERS, "admin"),
            "delete": _who("owner", "coteacher", "link_edit", "admin"),
            "share": _who("owner", "coteacher", "admin"),
            "zip": _who(*_CLASS_MEMBERS, "link_view", "link_edit", "admin"),
            "search": _who(*_CLASS_MEMBERS, "admin"),
            "preview": _who(*_CLASS_MEMBERS, "admin"),
            # The trash of a class folder: whoever deleted the item, and the class's managers.
            "trash": _who("owner", "coteacher", "admin"),
        },
        personas=DRIVE_PERSONAS,
        in_tree=_who(*_CLASS_MEMBERS),
    ),
    Resource(
        key="drive.homework_file",
        tool="drive",
        description="a file another pupil handed in, in the class's homework box",
        may={
            "view": _who("owner", "coteacher", "dropper", "admin"),
            "download": _who("owner", "coteacher", "dropper", "admin"),
            "write": _who("owner", "coteacher", "dropper", "admin"),
            "rename": _who("owner", "coteacher", "dropper", "admin"),
            "copy": _who("owner", "coteacher", "dropper", "admin"),
            "delete": _who("owner", "coteacher", "dropper", "admin"),
            "share": _who("owner", "coteacher", "admin"),
            "zip": _who("owner", "coteacher", "dropper", "admin"),
            "search": _who("owner", "coteacher", "dropper", "admin"),
            "preview": _who("owner", "coteacher", "dropper", "admin"),
            "trash": _who("owner", "coteacher", "dropper", "admin"),
        },
        personas=DRIVE_PERSONAS,
        in_tree=_who(*_CLASS_MEMBERS),
    ),
    Resource(
        key="drive.group_shared_file",
        tool="drive",
        description="a file in a folder of the owner's that is shared with the class (viewer)",
        may={
            "view": _who(*_CLASS_MEMBERS, "admin"),
            "download": _who(*_CLASS_MEMBERS, "admin"),
            "write": _who("owner", "admin"),
            "rename": _who("owner", "admin"),
            "copy": _who(*_CLASS_MEMBERS, "admin"),
            "delete": _who("owner", "admin"),
            "share": _who("owner", "admin"),
            "zip": _who(*_CLASS_MEMBERS, "admin"),
            "search": _who(*_CLASS_MEMBERS, "admin"),
            "preview": _who(*_CLASS_MEMBERS, "admin"),
            "trash": _who("owner", "admin"),
        },
        personas=DRIVE_PERSONAS,
        in_tree=_who(*_CLASS_MEMBERS),
    ),
    Resource(
        key="pad.restricted",
        tool="pad",
        description="a pad only its owner may open",
        may={
            action: _who("owner", "admin")
            for action in ("view", "download", "write", "rename", "delete", "share", "search")
        },
        personas=PAD_PERSONAS,
    ),
    Resource(
        key="pad.class",
        tool="pad",
        description="a pad of the class (pupils edit, the class's managers manage)",
        may={
            "view": _who("owner", "coteacher", "student", "admin"),
            "download": _who("owner", "coteacher", "student", "admin"),
            "write": _who("owner", "coteacher", "student", "admin"),
            "rename": _who("owner", "coteacher", "admin"),
            "delete": _who("owner", "coteacher", "admin"),
            "share": _who("owner", "coteacher", "admin"),
            "search": _who("owner", "coteacher", "student", "admin"),
        },
        personas=PAD_PERSONAS,
    ),
    Resource(
        key="pad.link",
        tool="pad",
        description="a pad whose address lets anyone edit it (link reach, editor)",
        may={
            # Whoever holds its address; the Etherpad API does not reach it (not in_tree).
            "view": _who(*PAD_PERSONAS),
            "download": _who(*PAD_PERSONAS),
            "write": _who(*PAD_PERSONAS),
            "rename": _who("owner", "admin"),
            "delete": _who("owner", "admin"),
            "share": _who("owner", "admin"),
            # Holding a link is no reason to list a thing: search shows it to its managers.
            "search": _who("owner", "admin"),
        },
        personas=PAD_PERSONAS,
    ),
    Resource(
        key="pad.api_group",
        tool="pad",
        description="a group pad made through the Etherpad API, opened with its sessions",
        may={
            "view": _who("api_client", "api_session", "admin"),
            "download": _who("api_client", "api_session", "admin"),
            "write": _who("api_client", "api_session", "admin"),
            "copy": _who("api_client"),
            "rename": _who("api_client", "admin"),
            "delete": _who("api_client", "admin"),
            "share": _who("api_client", "admin"),
            "search": _who("admin"),
        },
        personas=PAD_PERSONAS,
        in_tree=_who("api_client"),
    ),
]

RESOURCES_BY_KEY = {r.key: r for r in RESOURCES}

# --- Probes and cases ----------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One path to one action: ``run(world, persona, resource)`` answers whether it worked."""

    name: str
    action: str
    via: frozenset[str]
    in_tree: bool = False

    def reaches(self, persona: str, resource: Resource) -> bool:
        """Whether ``persona`` can come to this path at all (see the module's docstring)."""
        if PERSONAS[persona].via not in self.via:
            return False
        return not self.in_tree or persona in resource.in_tree


def expected(resource: Resource, persona: str, probe: Probe) -> bool:
    return resource.allows(persona, probe.action) and probe.reaches(persona, resource)


@dataclass(frozen=True)
class Case:
    resource: Resource
    persona: str
    action: str

    @property
    def id(self) -> str:
        return f"{self.resource.key}-{self.persona}-{self.action}"


def cases(tool: str, actions: Iterable[str]) -> list[Case]:
    """Every (resource, persona, action) of ``tool`` that its probes cover."""
    wanted = set(actions)
    return [
        Case(resource, persona, action)
        for resource in RESOURCES
        if resource.tool == tool
        for persona in resource.personas
        for action in ACTIONS
        if action in wanted
    ]


# --- Running cases -------------------------------------------------------------------------


@contextlib.contextmanager
def world_transaction(django_db_blocker: Any, **overrides: Any) -> Iterator[None]:
    """Around a module's world: the database open, ``overrides`` in the settings, and one
    transaction, rolled back at the end (each case then runs in a savepoint of its own)."""
    with django_db_blocker.unblock(), override_settings(**overrides):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def outcome(run: Callable[[], bool]) -> bool:
    """Whether ``run`` worked; whatever it changed is undone."""
    with transaction.atomic():
        try:
            return run()
        finally:
            transaction.set_rollback(True)


def check(case: Case, tries: Iterable[tuple[Probe, Callable[[], bool]]]) -> None:
    """Run each probe of the case's action; fail naming every path that disagrees."""
    wrong = []
    persona = PERSONAS[case.persona]
    for found, run in tries:
        if persona.via not in found.via and not persona.tries_others:
            continue
        want = expected(case.resource, case.persona, found)
        got = outcome(run)
        if got != want:
            wrong.append(f"{found.name}: {'allowed' if got else 'refused'}")
    if wrong:
        allowed = case.resource.allows(case.persona, case.action)
        raise AssertionError(
            f"{case.persona} {case.action} {case.resource.key}: the table says "
            f"{'allowed' if allowed else 'refused'} (where the path is open to them), got "
            f"{json.dumps(wrong, ensure_ascii=False)}"
        )
