"""Jobs by name: actions ask for a job without importing the adapter that runs it.

A tool's jobs live in its ``tasks.py``: thin ``django_tasks`` tasks that take ids, load the
objects and call actions (running one twice does no harm). Its ``platform.py`` registers them
under a dotted name (``registry.add_task("pad.compact", tasks.compact_pad)``), and actions,
consumers and views enqueue them by that name with :func:`later`, once the transaction commits.
So actions, which tasks call, never import tasks: the layers stay one-way (Zulip's named
queues are the same idea).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cartable.core.registry import registry


class UnknownJob(LookupError):
    pass


def later(name: str, *args: Any) -> None:
    """Enqueue the job registered as ``name`` with ``args`` once the transaction commits (at
    once outside a transaction). ``args`` must be JSON values: ids, not objects."""
    try:
        task = registry.tasks[name]
    except KeyError:
        raise UnknownJob(f"no job is registered as {name!r}") from None
    transaction.on_commit(lambda: task.enqueue(*args))
