"""ReDoS scan of every regular expression in the code: ``python scripts/check_regexes.py cartable``.

Built on regexploit's analyser (``regexploit.redos``; the package is unmaintained since 2021
but runs on Python 3.11 and needs no network), with two changes to what its command does:

- its analyser only reports cubic or worse (starriness 3+: the threshold is written in
  ``make_redos``), and its command only reads strings with two repeats or more; quadratic is
  already what froze the server (``[ \\t]+\\n`` on 120 KB of spaces: 18 s), so here every
  sequence starts with one more star than it has, and what it reports is one degree less:
  quadratic and worse;
- a regular expression used to *search* (``search``, ``sub``, ``findall``… or compiled, since
  how it is used is not known) is tried at every position of the text, which is the same as a
  leading ``.*``: it is analysed with one, unless it is anchored (``^`` or ``\\A``). That is
  what makes a single ``[ \\t]+\\n`` quadratic.

Only patterns written as literals in calls of ``re`` functions are read (not every string).
An accepted finding is justified in place: a ``# redos: <why it is safe>`` comment on the line
of the pattern or the line before it. Exit status 1 when a finding is not justified.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    # regexploit reads patterns with sre_parse, deprecated since Python 3.11 (removed in 3.13:
    # see docs/decisions/0014-untrusted-parsing.md).
    warnings.simplefilter("ignore", DeprecationWarning)
    from regexploit.ast.repeat import InfiniteRepeat
    from regexploit.ast.sequence import Sequence
    from regexploit.ast.sre import SreOpParser
    from regexploit.redos import Redos, expand_branches, make_redos

SEARCHING = {"search", "sub", "subn", "findall", "finditer", "split", "compile"}
ANCHORED_CALLS = {"match", "fullmatch"}
FLAG_POSITION = {
    "compile": 1,
    "search": 2,
    "match": 2,
    "fullmatch": 2,
    "findall": 2,
    "finditer": 2,
    "split": 3,
    "sub": 4,
    "subn": 4,
}
JUSTIFIED = re.compile(r"#\s*redos:\s*\S")
WORST = 2  # quadratic


@dataclass
class Found:
    path: Path
    line: int
    pattern: str
    flags: int
    searching: bool


def _flags(node: ast.expr | None) -> int:
    """``re.I | re.S``-style flags, as far as they can be read without running the code."""
    if node is None:
        return 0
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flags(node.left) | _flags(node.right)
    if isinstance(node, ast.Attribute):
        return int(getattr(re, node.attr, 0))
    return 0


# Django's regular expressions: URL patterns (searched, anchored by convention) and validators.
OTHER_CALLS = {"re_path": 0, "RegexValidator": 0}


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: Path, tree: ast.Module) -> None:
        self.path = path
        self.found: list[Found] = []
        # Module-level string constants, for patterns written ``PREFIX + r"..."``.
        self.names: dict[str, str | bytes] = {}
        for statement in tree.body:
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                value = self._constant(statement.value)
                if value is not None:
                    self.names[statement.targets[0].id] = value

    def _constant(self, node: ast.expr) -> str | bytes | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            return node.value
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._constant(node.left), self._constant(node.right)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if isinstance(left, bytes) and isinstance(right, bytes):
                return left + right
        return None

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        is_re = (
            isinstance(function, ast.Attribute)
            and isinstance(function.value, ast.Name)
            and function.value.id == "re"
            and name in FLAG_POSITION
        )
        value = self._constant(node.args[0]) if node.args else None
        if (is_re or name in OTHER_CALLS) and value is not None:
            pattern = value.decode("latin-1") if isinstance(value, bytes) else value
            flag_node = None
            if is_re:
                position = FLAG_POSITION[name]
                flag_node = node.args[position] if len(node.args) > position else None
                for keyword in node.keywords:
                    if keyword.arg == "flags":
                        flag_node = keyword.value
            searching = name not in ANCHORED_CALLS
            self.found.append(
                Found(self.path, node.args[0].lineno, pattern, _flags(flag_node), searching)
            )
        self.generic_visit(node)


_GLOBAL_FLAGS = re.compile(r"\A\(\?[aiLmsux]+\)")


def _as_searched(pattern: str) -> str:
    """The pattern as a search tries it: from any position, that is after a ``.*``."""
    if pattern.startswith(("^", "\\A")):
        return pattern
    flags = _GLOBAL_FLAGS.match(pattern)
    head = flags.group(0) if flags else ""
    return f"{head}(?s:.*)(?:{pattern[len(head) :]})"


def _redos(parsed: object) -> list[Redos]:
    """``regexploit.redos.find``, each sequence counted one star more (see the docstring)."""
    sequence = parsed if isinstance(parsed, Sequence) else Sequence([parsed])
    found = []
    for branchless in expand_branches(sequence):
        for i, element in enumerate(branchless.elements):
            if isinstance(element, InfiniteRepeat) and (c := element.overall_character_class()):
                found += make_redos(branchless, i, i + 1, c, element.starriness + 1)
    return found


def starriness(found: Found) -> int:
    """The degree of the worst backtracking ``found`` can do (11 and more: exponential)."""
    pattern = _as_searched(found.pattern) if found.searching else found.pattern
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = SreOpParser().parse_sre(pattern, found.flags)
        except re.error:
            return 0
        return max((r.starriness - 1 for r in _redos(parsed)), default=0)


def justified(found: Found) -> bool:
    lines = found.path.read_text(encoding="utf-8").splitlines()
    nearby = lines[max(0, found.line - 2) : found.line]
    return any(JUSTIFIED.search(line) for line in nearby)


def scan(paths: list[Path]) -> tuple[int, list[tuple[Found, int]]]:
    count, bad = 0, []
    for root in paths:
        for path in sorted(root.rglob("*.py") if root.is_dir() else [root]):
            if "/tests/" in str(path) or "/migrations/" in str(path):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            visitor = _Visitor(path, tree)
            visitor.visit(tree)
            for found in visitor.found:
                count += 1
                stars = starriness(found)
                if stars >= WORST and not justified(found):
                    bad.append((found, stars))
    return count, bad


def main(argv: list[str]) -> int:
    count, bad = scan([Path(p) for p in argv[1:] or ["cartable"]])
    for found, stars in bad:
        kind = "exponential" if stars > 10 else f"polynomial, degree {stars}"
        print(f"{found.path}:{found.line}: backtracking ({kind}): {found.pattern!r}")
    print(f"check_regexes: {count} regular expressions, {len(bad)} unjustified finding(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
