"""Jobs by name: actions ask for a job without importing the adapter that runs it.

A tool's jobs live in its ``tasks.py``: thin ``django_tasks`` tasks that take ids, load the
objects and call actions (running one twice does no harm). Its ``platform.py`` registers them
under a dotted name (``registry.add_task("pad.compact", tasks.compact_pad)``), and actions,
consumers and views enqueue them by that name with :func:`later`, once the transaction commits.
So actions, which tasks call, never import tasks: the layers stay one-way (Zulip's named
queues are the same idea).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from cartable.core.registry import registry

if TYPE_CHECKING:
    from django_tasks.base import Task


class UnknownJob(LookupError):
    pass


def _task(name: str) -> Task[..., Any]:
    try:
        return registry.tasks[name]
    except KeyError:
        raise UnknownJob(f"no job is registered as {name!r}") from None


def later(name: str, *args: Any) -> None:
    """Enqueue the job registered as ``name`` with ``args`` once the transaction commits (at
    once outside a transaction). ``args`` must be JSON values: ids, not objects."""
    task = _task(name)
    transaction.on_commit(lambda: task.enqueue(*args))


def now(name: str, *args: Any) -> None:
    """Enqueue it now, whatever transaction is open: for an adapter that asks for work on
    what is already stored (a preview a page asks for), not for an action's changes."""
    _task(name).enqueue(*args)
