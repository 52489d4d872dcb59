"""The job worker: runs queued jobs, and enqueues the periodic ones when they are due."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker

from cartable.core.models import ScheduledRun

logger = logging.getLogger(__name__)

# name → (interval, dotted path of the task)
PERIODIC = {
    "retention": (timedelta(days=1), "cartable.core.privacy.run_retention"),
    "account_deletions": (timedelta(hours=1), "cartable.core.privacy.run_due_deletions"),
}


def enqueue_due_periodic_jobs() -> list[str]:
    """Enqueue each periodic job whose interval has passed; safe with many workers."""
    enqueued = []
    now = timezone.now()
    for name, (interval, path) in PERIODIC.items():
        with transaction.atomic():
            run, created = ScheduledRun.objects.select_for_update().get_or_create(
                name=name, defaults={"last_run_at": now}
            )
            if not created and run.last_run_at + interval > now:
                continue
            run.last_run_at = now
            run.save(update_fields=["last_run_at"])
            task = import_string(path)
            transaction.on_commit(task.enqueue)
            enqueued.append(name)
    return enqueued


def _worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 10_000}"


class WorkerThread(threading.Thread):
    """Runs the database queue inside another process (``cartable serve`` in embedded mode)."""

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(name="cartable-worker", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        worker = Worker(
            queue_names=["*"],
            interval=self.interval,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=_worker_id(),
            excluded_queue_names=[],
        )
        last_schedule = 0.0
        while not self.stopping.is_set():
            try:
                if time.monotonic() - last_schedule > 60:
                    enqueue_due_periodic_jobs()
                    last_schedule = time.monotonic()
                worker.run()  # batch mode: returns once the queue is empty
            except Exception:
                logger.exception("worker loop failed; retrying")
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)


def run_worker(*, interval: float = 1.0, once: bool = False) -> None:
    """The ``cartable worker`` loop, in the foreground."""
    thread = WorkerThread(interval=interval)
    if once:
        thread.stopping.set()
        enqueue_due_periodic_jobs()
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=_worker_id(),
            excluded_queue_names=[],
        ).run()
        return
    thread.start()
    try:
        while thread.is_alive():
            thread.join(1)
    except KeyboardInterrupt:
        thread.stopping.set()
