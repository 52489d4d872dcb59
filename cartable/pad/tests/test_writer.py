"""The rooms' writer thread: it keeps its connection, and gets a new one when it is lost."""

import sqlite3

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection, connections
from pycrdt import Doc, Text

from cartable.pad import actions, store, writer
from cartable.pad.models import PadRevision

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _updates(count):
    doc = Doc()
    text = doc.get("t", type=Text)
    updates = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    for i in range(count):
        text += str(i)
    doc.unobserve(subscription)
    return updates


async def test_a_write_that_lost_its_connection_is_tried_again(monkeypatch):
    monkeypatch.setattr(writer, "RETRY_PAUSES", (0.0, 0.0))
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "saved"

    assert await writer.run(flaky) == "saved"
    assert len(calls) == 2


async def test_the_writer_gives_up_after_its_tries(monkeypatch):
    monkeypatch.setattr(writer, "RETRY_PAUSES", (0.0, 0.0))
    calls = []

    def broken():
        calls.append(1)
        raise OperationalError("the database is gone")

    with pytest.raises(OperationalError):
        await writer.run(broken)
    assert len(calls) == 3


async def test_writes_go_on_after_postgresql_dropped_the_writers_connection(teacher):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test-scaled)")

    pad = await sync_to_async(actions.create_pad)(owner=teacher)
    first, second = _updates(2)
    assert await writer.run(store.append_revisions, pad.pk, [(first, None)]) == 1

    def backend_pid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    pid = await writer.run(backend_pid)

    def terminate():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    await sync_to_async(terminate)()
    assert await writer.run(store.append_revisions, pad.pk, [(second, None)]) == 2
    assert await writer.run(backend_pid) != pid
    await writer.close()
    stored = await sync_to_async(list)(
        PadRevision.objects.filter(pad=pad).order_by("rev").values_list("update", flat=True)
    )
    assert [bytes(u) for u in stored] == [first, second]


async def test_on_sqlite_a_write_is_made_on_the_event_loop(teacher):
    pad = await sync_to_async(actions.create_pad)(owner=teacher)
    updates = _updates(3)
    head = writer.append_now(pad.pk, [(u, None) for u in updates])
    if connection.vendor != "sqlite":
        assert head is None  # PostgreSQL: always the writer thread
        return
    assert head == 3
    stored = await sync_to_async(
        lambda: list(PadRevision.objects.filter(pad=pad).order_by("rev").values_list("update"))
    )()
    assert [bytes(u) for (u,) in stored] == updates


async def test_a_write_on_the_loop_does_not_wait_for_another_writer(teacher):
    if connection.vendor != "sqlite":
        pytest.skip("the loop writes only to SQLite")

    pad = await sync_to_async(actions.create_pad)(owner=teacher)
    name = connections["default"].settings_dict["NAME"]
    other = sqlite3.connect(name, uri=str(name).startswith("file:"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE pad_pad SET title = 'verrouillé' WHERE id = ?", (pad.pk,))
    try:
        assert writer.append_now(pad.pk, [(_updates(1)[0], None)]) is None
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Nothing was written, and the next write, the lock gone, is made.
    assert await sync_to_async(PadRevision.objects.filter(pad=pad).count)() == 0
    assert writer.append_now(pad.pk, [(_updates(1)[0], None)]) == 1


async def test_a_failed_write_on_the_loop_leaves_it_to_the_writer_thread(teacher):
    if connection.vendor != "sqlite":
        pytest.skip("the loop writes only to SQLite")
    assert writer.append_now(123456789, [(_updates(1)[0], None)]) is None  # no such pad
    with pytest.raises(store.Pad.DoesNotExist):
        await writer.run(store.append_revisions, 123456789, [(_updates(1)[0], None)])
