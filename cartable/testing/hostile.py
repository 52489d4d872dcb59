"""Hostile inputs for parsers: hypothesis strategies and a budget for each example.

The strategies make what breaks parsers in practice rather than uniform noise: long runs of
one fragment (what makes a backtracking regular expression quadratic), deep nesting, huge
counts and lengths written as numbers, invalid encodings, compression bombs, and random
bytes. Each example runs under ``HOSTILE`` settings: a deadline of seconds per example — a
bound that catches a quadratic blow-up on inputs of megabytes, not a measure of speed — and
``within_budget`` runs the parser with its address space capped (``RLIMIT_AS``).

The inputs are built from short recipes (``"<span>" * 20000``), which is what a failing
example prints, rather than megabytes of text.
"""

from __future__ import annotations

import io
import resource
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

# Generous bounds, per example: seconds (a blow-up takes minutes), and bytes of address space
# the parser may add (inputs are at most a few megabytes).
DEADLINE_MS = 10_000
MEMORY_BUDGET = 1024 * 1024 * 1024
# A run of characters may be long (a regular expression's blow-up shows on megabytes); a run
# of elements shorter (each costs microseconds of Python in the parsers).
MOST_CHARACTERS = 300_000
MOST_ELEMENTS = 15_000

HOSTILE = settings(
    max_examples=30,
    deadline=DEADLINE_MS,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)
# For the examples that start a process each (a child parser, a converter).
HOSTILE_SLOW = settings(HOSTILE, max_examples=6, deadline=None)


class Hostile(str):
    """A hostile text that shows as the recipe it was made from."""

    recipe: str

    @classmethod
    def of(cls, text: str, recipe: str | None = None) -> Hostile:
        made = cls(text)
        made.recipe = recipe if recipe is not None else _short(text)
        return made

    def __add__(self, other: str) -> Hostile:  # type: ignore[override]
        return Hostile.of(str(self) + str(other), f"{self!r} + {_short(other)}")

    def __repr__(self) -> str:
        return self.recipe

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.recipe)


class HostileBytes(bytes):
    recipe: str

    @classmethod
    def of(cls, data: bytes, recipe: str | None = None) -> HostileBytes:
        made = cls(data)
        made.recipe = recipe if recipe is not None else _short(data)
        return made

    def __repr__(self) -> str:
        return self.recipe

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.recipe)


def _short(value: object) -> str:
    if isinstance(value, Hostile | HostileBytes):
        return value.recipe
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}…({len(text)} chars)"


def times(piece: str, count: int) -> Hostile:
    return Hostile.of(piece * count, f"{piece!r} * {count}")


def bytes_times(piece: bytes, count: int) -> HostileBytes:
    return HostileBytes.of(piece * count, f"{piece!r} * {count}")


def within_budget(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` with at most ``MEMORY_BUDGET`` more bytes of address space:
    past it, allocations fail (MemoryError), which is not a clean refusal."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + MEMORY_BUDGET
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        return function(*args, **kwargs)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


# Fragments that parsers of text, markup and headers handle specially.
FRAGMENTS = [
    " ",
    "\t",
    " \t",
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\x0b",
    "\xa0",
    "é",
    "\u202e",
    "\U0001f600",
    "a",
    "a ",
    "0",
    "9" * 20,
    "-",
    ":",
    ";",
    ",",
    "=",
    '"',
    "'",
    "<",
    ">",
    "&",
    "&#",
    "&amp;",
    "&#x10FFFF;",
    "[",
    "]",
    "(",
    ")",
    "*",
    "_",
    "`",
    "#",
    "|",
    "\\",
    "/",
    "<a",
    "<meta",
    "<meta charset=",
    "charset=",
    "<p>",
    "<b>",
    "<span>",
    "<div>",
    "<ul><li>",
    "<ol><li>",
    "<li>",
    "<table><tr><td>",
    "<pre>",
    "<br>",
    "<img src=x>",
    "<!--",
    "<![CDATA[",
    "<?xml",
    "mso-list:",
    "mso-list: l0 level",
    'style="',
    "font-weight:",
    "a:",
    "**",
    "__",
    "> ",
    "- ",
    "1. ",
    "[x]",
    "![",
    "](",
    "<",
    "Not ",
    "<urn:uuid:",
    "[W/",
]


def _is_markup(piece: str) -> bool:
    return "<" in piece or "\n" in piece


def repeated(
    fragments: Sequence[str] = FRAGMENTS, scale: float = 1.0
) -> st.SearchStrategy[Hostile]:
    """One fragment (or a short random text) repeated: characters up to MOST_CHARACTERS
    times, markup and lines up to MOST_ELEMENTS times (both times ``scale``)."""
    piece = st.one_of(st.sampled_from(list(fragments)), st.text(min_size=1, max_size=8))

    def most(p: str) -> int:
        return max(1, int((MOST_ELEMENTS if _is_markup(p) else MOST_CHARACTERS) * scale))

    return piece.flatmap(lambda p: st.integers(1, most(p)).map(lambda n: times(p, n)))


def nested(
    pairs: Sequence[tuple[str, str]], deepest: int = MOST_ELEMENTS
) -> st.SearchStrategy[Hostile]:
    """``open * depth + inner + close * depth`` (or left open)."""

    def build(pair: tuple[str, str], depth: int, inner: str, close: bool) -> Hostile:
        opening, closing = pair
        text = opening * depth + inner + (closing * depth if close else "")
        closed = f" + {closing!r} * {depth}" if close else ""
        return Hostile.of(text, f"{opening!r} * {depth} + {inner!r}{closed}")

    return st.builds(
        build,
        st.sampled_from(list(pairs)),
        st.integers(1, deepest),
        st.text(max_size=20),
        st.booleans(),
    )


def hostile_text(
    fragments: Sequence[str] = FRAGMENTS,
    pairs: Sequence[tuple[str, str]] = (("<div>", "</div>"),),
    scale: float = 1.0,
) -> st.SearchStrategy[Hostile]:
    """Runs, nesting and random text, up to three of them end to end.

    ``scale``: a fraction of the usual sizes, for parsers slow per character (markdown-it).
    """
    part = st.one_of(
        repeated(fragments, scale),
        nested(pairs, max(1, int(MOST_ELEMENTS * scale))),
        st.text(max_size=200).map(Hostile.of),
        st.sampled_from(list(fragments)).map(Hostile.of),
    )

    def join(parts: list[Hostile]) -> Hostile:
        return Hostile.of("".join(parts), " + ".join(p.recipe for p in parts))

    return st.lists(part, min_size=1, max_size=3).map(join)


def hostile_bytes() -> st.SearchStrategy[HostileBytes]:
    """Hostile text in encodings that lie (invalid UTF-8, UTF-16 BOMs) and random bytes."""

    def encode(prefix: bytes, text: Hostile, cut: int) -> HostileBytes:
        data = prefix + text.encode("utf-8", "surrogatepass")
        return HostileBytes.of(
            data[: max(1, len(data) - cut)], f"{prefix!r} + ({text.recipe}).encode()[:-{cut}]"
        )

    broken = st.builds(
        encode,
        st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80"]),
        hostile_text(),
        st.integers(0, 3),
    )
    return st.one_of(broken, st.binary(max_size=4096).map(HostileBytes.of), repeated_bytes())


def repeated_bytes() -> st.SearchStrategy[HostileBytes]:
    piece = st.one_of(
        st.sampled_from([b"\x00", b"\xff", b"\x80", b"\xc0\x80", b" ", b"<"]),
        st.binary(min_size=1, max_size=4),
    )
    return st.builds(bytes_times, piece, st.integers(1, MOST_CHARACTERS))


def zip_bytes(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb(name: str, prefix: str = "", inflated: int = 300 * 1024 * 1024) -> bytes:
    """A zip whose ``name`` inflates to ``inflated`` bytes (spaces after ``prefix``) from ~300 KB.

    Written in pieces: the bomb itself is never held in memory, here either.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=True) as member,
    ):
        member.write(prefix.encode())
        block = b" " * (1024 * 1024)
        for _ in range(inflated // len(block)):
            member.write(block)
    return out.getvalue()
