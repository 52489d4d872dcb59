"""The database job queue and its worker: SQLite embedded, PostgreSQL with N workers scaled out.

These tests are about the worker, so jobs are queued in the database instead of running
inline; ``transaction=True`` because the worker commits, as it does in production.
"""

from __future__ import annotations

import re
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from cartable.core import audit, jobs, privacy
from cartable.core.models import AuditEntry, DataExport, Notification, ScheduledRun
from cartable.core.registry import registry
from cartable.core.worker import PERIODIC, enqueue_due_periodic_jobs, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

needs_concurrent_writers = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database has no concurrent writers (make test-scaled)",
)


@task()
def record_job(label: str) -> str:
    audit.record(None, "test.job", label)
    return label.upper()


@task()
def failing_job() -> None:
    raise RuntimeError("this job fails")


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def ran(label: str | None = None) -> list[str]:
    entries = AuditEntry.objects.filter(action="test.job")
    if label is not None:
        entries = entries.filter(target=label)
    return sorted(entries.values_list("target", flat=True))


def test_enqueued_job_waits_in_the_database_until_the_worker_runs_it(db_queue):
    result = record_job.enqueue("devoir")

    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
    assert ran() == []

    run_worker(once=True)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "DEVOIR"
    assert ran() == ["devoir"]


def test_worker_runs_a_job_once_even_when_run_again(db_queue):
    record_job.enqueue("once")

    run_worker(once=True)
    run_worker(once=True)

    assert ran() == ["once"]


def test_failing_job_is_marked_failed_and_the_others_still_run(db_queue):
    failed = failing_job.enqueue()
    record_job.enqueue("after")

    run_worker(once=True)

    failed.refresh()
    assert failed.status == TaskResultStatus.FAILED
    assert "this job fails" in failed.errors[0].traceback
    assert ran() == ["after"]


def test_data_export_is_built_by_the_worker_into_platform_storage(db_queue, teacher):
    export = privacy.request_export(teacher)
    assert DBTaskResult.objects.filter(task_path__endswith="build_export").count() == 1

    run_worker(once=True)

    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert default_storage.exists(export.file_name)
    with default_storage.open(export.file_name, "rb") as fh, zipfile.ZipFile(fh) as archive:
        assert "platform/notifications.json" in archive.namelist()
    assert Notification.objects.filter(recipient=teacher, kind="privacy.export_ready").exists()


def test_periodic_jobs_are_enqueued_once_when_checked_twice(db_queue):
    first = enqueue_due_periodic_jobs()
    second = enqueue_due_periodic_jobs()

    assert sorted(first) == sorted(PERIODIC)
    assert second == []
    queued = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == sorted(path for _interval, path in PERIODIC.values())


def test_periodic_job_is_enqueued_again_once_its_interval_has_passed(db_queue):
    enqueue_due_periodic_jobs()
    interval, path = PERIODIC["account_deletions"]
    ScheduledRun.objects.filter(name="account_deletions").update(
        last_run_at=timezone.now() - interval - timedelta(seconds=1)
    )

    assert enqueue_due_periodic_jobs() == ["account_deletions"]
    assert enqueue_due_periodic_jobs() == []
    assert DBTaskResult.objects.filter(task_path=path).count() == 2


def test_worker_runs_the_periodic_jobs_it_enqueues(db_queue):
    run_worker(once=True)

    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {TaskResultStatus.SUCCESSFUL}
    assert AuditEntry.objects.filter(action="retention.run").count() == 1


def _in_threads(count: int, target) -> list:
    """Run ``target`` in ``count`` threads started together; their results, or raise."""
    barrier = threading.Barrier(count, timeout=10)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still running"
    if errors:
        raise errors[0]
    return results


@needs_concurrent_writers
@pytest.mark.parametrize("first_time", [True, False])
def test_periodic_jobs_are_enqueued_once_by_concurrent_workers(db_queue, first_time):
    if not first_time:
        enqueue_due_periodic_jobs()
        DBTaskResult.objects.all().delete()
        ScheduledRun.objects.update(last_run_at=timezone.now() - timedelta(days=2))

    results = _in_threads(4, enqueue_due_periodic_jobs)

    assert sorted(name for names in results for name in names) == sorted(PERIODIC)
    assert DBTaskResult.objects.count() == len(PERIODIC)


@needs_concurrent_writers
def test_concurrent_workers_run_each_job_once(db_queue):
    labels = [f"job{i}" for i in range(20)]
    for label in labels:
        record_job.enqueue(label)

    _in_threads(3, lambda: run_worker(once=True))

    assert ran() == sorted(labels)
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()


def test_every_job_asked_for_by_name_is_registered():
    """``jobs.later("x.y", …)`` anywhere in the code names a job some platform registered."""

    root = Path(__file__).resolve().parents[2]
    asked = {
        name
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        for name in re.findall(r"jobs\.(?:later|now)\)?\(\s*\"([a-z_.]+)\"", path.read_text())
    }
    assert {"drive.previews", "drive.index_text", "pad.compact"} <= asked
    assert asked <= set(registry.tasks)
    with pytest.raises(jobs.UnknownJob):
        jobs.later("nobody.registered")
