"""The ``If`` request header (RFC 4918 §10.4): parsing and evaluation.

A header is a set of lists of conditions, each list either untagged (about the request URI)
or tagged with a resource. A condition is a state token (a lock token, or a URI such as
``DAV:no-lock`` that is never a lock's) or an entity tag in brackets, possibly negated with
``Not``. The header is true when any one list is true; a list is true when all its
conditions are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class BadIfHeader(ValueError):
    pass


# Clients send one or two lists of a condition or two; each list about another resource costs
# a lookup, so a header is refused (400) past these.
MAX_LISTS = 64
MAX_CONDITIONS = 64


@dataclass(frozen=True)
class Condition:
    negated: bool
    token: str | None = None  # a state token (without angle brackets)
    etag: str | None = None  # an entity tag, as written (quotes included)


@dataclass(frozen=True)
class Clause:
    resource: str | None  # the tag (a URL, as written), None for the request URI
    conditions: tuple[Condition, ...]


@dataclass
class IfHeader:
    clauses: list[Clause] = field(default_factory=list)

    @property
    def tokens(self) -> set[str]:
        """Every state token in the header: the lock tokens the client submits."""
        return {c.token for clause in self.clauses for c in clause.conditions if c.token}


@dataclass(frozen=True)
class ResourceState:
    etag: str | None  # quoted, None if the resource does not exist
    lock_tokens: frozenset[str]


def parse_if(value: str) -> IfHeader:
    header = IfHeader()
    pos = 0
    n = len(value)
    tag: str | None = None
    tagged: bool | None = None

    def skip_space(i: int) -> int:
        while i < n and value[i] in " \t\r\n":
            i += 1
        return i

    while True:
        pos = skip_space(pos)
        if pos >= n:
            break
        char = value[pos]
        if char == "<":
            end = value.find(">", pos)
            if end < 0:
                raise BadIfHeader("unterminated resource tag")
            if tagged is False:
                raise BadIfHeader("tagged list after untagged one")
            tagged = True
            tag = value[pos + 1 : end].strip()
            pos = end + 1
            pos = skip_space(pos)
            if pos >= n or value[pos] != "(":
                raise BadIfHeader("resource tag without list")
            continue
        if char != "(":
            raise BadIfHeader(f"unexpected {char!r}")
        if tagged is None:
            tagged = False
        pos += 1
        conditions: list[Condition] = []
        while True:
            pos = skip_space(pos)
            if pos >= n:
                raise BadIfHeader("unterminated list")
            if value[pos] == ")":
                pos += 1
                break
            negated = False
            if value[pos : pos + 3].lower() == "not":
                negated = True
                pos = skip_space(pos + 3)
            if pos >= n:
                raise BadIfHeader("condition expected")
            if value[pos] == "<":
                end = value.find(">", pos)
                if end < 0:
                    raise BadIfHeader("unterminated state token")
                conditions.append(Condition(negated, token=value[pos + 1 : end].strip()))
                pos = end + 1
            elif value[pos] == "[":
                end = value.find("]", pos)
                if end < 0:
                    raise BadIfHeader("unterminated entity tag")
                conditions.append(Condition(negated, etag=value[pos + 1 : end].strip()))
                pos = end + 1
            else:
                raise BadIfHeader(f"unexpected {value[pos]!r} in list")
            if len(conditions) > MAX_CONDITIONS:
                raise BadIfHeader("too many conditions")
        if not conditions:
            raise BadIfHeader("empty list")
        if len(header.clauses) >= MAX_LISTS:
            raise BadIfHeader("too many lists")
        header.clauses.append(Clause(tag if tagged else None, tuple(conditions)))
    if not header.clauses:
        raise BadIfHeader("no list")
    return header


def _strip_weak(etag: str) -> str:
    return etag[2:] if etag.startswith("W/") else etag


def _condition_holds(condition: Condition, state: ResourceState) -> bool:
    if condition.token is not None:
        held = condition.token in state.lock_tokens
    else:
        held = state.etag is not None and _strip_weak(condition.etag or "") == _strip_weak(
            state.etag
        )
    return held != condition.negated


def evaluate(header: IfHeader, state_of: Callable[[str | None], ResourceState]) -> bool:
    """True when one list holds; ``state_of(tag)`` gives a resource's state (None: the request URI)."""
    states: dict[str | None, ResourceState] = {}
    for clause in header.clauses:
        if clause.resource not in states:
            states[clause.resource] = state_of(clause.resource)
        state = states[clause.resource]
        if all(_condition_holds(c, state) for c in clause.conditions):
            return True
    return False
