"""Parsing users' files in a child process, away from the server's interpreter.

The server is one Python process: its event loop, its request threads and (in the embedded
mode) the job worker share one interpreter lock. A parser that spends seconds in C code that
keeps the lock — a regular expression, lxml, zlib, Pillow — freezes every request meanwhile,
whatever thread it runs in. So the parsing of a user's file (text extraction for search,
thumbnails, pad imports) runs in a child interpreter: ``call("cartable.x.y:function", ...)``
starts ``python -m cartable.core.isolated`` in a working folder, under the limits and, where
one works, the sandbox of ``cartable.core.processes`` (memory, CPU time, file sizes, wall-clock
time; no network, no data directory), and reads back its JSON answer. The parent waits
without holding the lock; a child that runs too long is killed.

The function runs without Django: it takes JSON arguments (paths are relative to the working
folder, where the parent put the file) and returns JSON, or raises ``ValueError`` (which
includes our parsers' own errors) for an input it refuses. Its module must import without
settings. Nothing in the child's answer is trusted beyond being JSON: a parser attacked
successfully can lie about the text of a file, nothing more.

A child costs a fresh interpreter (about 0.1 to 0.3 s with lxml): fine for jobs and for the
imports a person asks for, not for what a request does every time. See
docs/decisions/0014-untrusted-parsing.md.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import traceback
from pathlib import Path
from typing import Any

REQUEST = "isolated-call.json"
ANSWER = "isolated-answer.json"
TIMEOUT = 60
# The largest answer read back (a pad import's document with its images as data: URIs).
MAX_ANSWER = 128 * 1024 * 1024


class IsolatedError(Exception):
    """The child could not parse the file; the message is for logs, not for users."""


class Refused(IsolatedError):
    """The parser refused the input (a ValueError in the child): broken, too large, too deep."""


class TooCostly(IsolatedError):
    """The child ran past its time, memory or output limit and was stopped."""


def call(
    function: str,
    workdir: Path,
    *,
    timeout: float = TIMEOUT,
    memory_mb: int | None = None,
    **arguments: Any,
) -> Any:
    """``function(**arguments)`` run in a child in ``workdir``; its JSON result.

    ``function`` is ``"module:name"``, a module of Cartable importable without Django.
    Raises Refused or TooCostly; the working folder is the caller's to remove.
    """
    # Imported here: this module is also the child's entry point, which runs without Django.
    from django.conf import settings

    from cartable.core.processes import Limits, ProcessTimeout, python_read_only, run_isolated

    answer = workdir / ANSWER
    (workdir / REQUEST).write_text(json.dumps({"function": function, "arguments": arguments}))
    memory = (memory_mb or settings.PARSER_MEMORY_MB) * 1024 * 1024
    limits = Limits(memory=memory, cpu=int(timeout) + 1, file_size=MAX_ANSWER)
    try:
        done = run_isolated(
            [sys.executable, "-I", "-m", "cartable.core.isolated", REQUEST, ANSWER],
            workdir=workdir,
            timeout=timeout,
            limits=limits,
            read_only=python_read_only(),
            require_sandbox=False,
        )
    except ProcessTimeout:
        raise TooCostly(f"{function}: past {timeout} s") from None
    try:
        with answer.open("rb") as stream:
            raw = stream.read(MAX_ANSWER + 1)
        reply = json.loads(raw) if len(raw) <= MAX_ANSWER else None
    except (OSError, ValueError):
        reply = None
    finally:
        answer.unlink(missing_ok=True)
    if not isinstance(reply, dict):
        # Killed by a limit (CPU: SIGXCPU or SIGKILL; memory: an allocation failed in C),
        # or crashed: either way, the input is what it could not take.
        raise TooCostly(
            f"{function}: stopped ({done.returncode}): "
            + done.stderr.decode(errors="replace")[-300:]
        )
    if "ok" in reply:
        return reply["ok"]
    kind, message = reply.get("error"), str(reply.get("message", ""))[:1000]
    if kind == "refused":
        raise Refused(message)
    raise TooCostly(f"{function}: {kind}: {message}")


# --- In the child ---------------------------------------------------------------------------


def _answer(path: Path, reply: dict[str, Any]) -> None:
    path.write_text(json.dumps(reply, ensure_ascii=False))


def main(argv: list[str]) -> int:
    request_path, answer_path = Path(argv[1]), Path(argv[2])
    # Where no sandbox works, the limits came from prlimit all the same; these make sure.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        request = json.loads(request_path.read_text())
        module_name, _sep, name = str(request["function"]).partition(":")
        if not module_name.startswith("cartable."):
            raise ImportError(module_name)
        function = getattr(importlib.import_module(module_name), name)
    except Exception as exc:  # noqa: BLE001 - the answer says what went wrong
        _answer(answer_path, {"error": "call", "message": repr(exc)})
        return 2
    try:
        result = function(**request["arguments"])
        _answer(answer_path, {"ok": result})
    except ValueError as exc:
        _answer(answer_path, {"error": "refused", "message": str(exc)[:1000]})
    except MemoryError:
        _answer(answer_path, {"error": "memory", "message": "past the memory limit"})
    except RecursionError:
        _answer(answer_path, {"error": "depth", "message": "nested too deeply"})
    except Exception as exc:  # noqa: BLE001 - a parser's bug: the parent logs it
        text = "".join(traceback.format_exception(exc))[-2000:]
        _answer(answer_path, {"error": "crash", "message": text})
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    sys.exit(main(sys.argv))
