"""The embedded mode's journal: a keystroke is durable once written there, and a crashed
process's journal is stored exactly once by the next one (journal.py)."""

import os

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import override_settings
from pycrdt import Doc, XmlElement, XmlText

from cartable.pad import actions, document, journal, room, store
from cartable.pad.actions import authors
from cartable.pad.models import Pad, PadRevision

from .test_sync import LAYER, _client, typed


def _updates(count):
    """``count`` keystrokes typing 0, 1, 2… into a paragraph, as the editor lays it out."""
    doc = Doc()
    updates = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    paragraph = XmlText("0")
    document.fragment(doc).children.append(XmlElement("paragraph", {}, [paragraph]))
    for i in range(1, count):
        paragraph.insert(len(str(paragraph)), str(i))
    doc.unobserve(subscription)
    return updates


def _write_dead_journal(folder, records):
    """A journal file as a killed process leaves it: written, not locked."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"999999-dead{journal.SUFFIX}"
    path.write_bytes(b"".join(journal.encode(*record) for record in records))
    return path


def test_records_are_read_back_up_to_a_cut_or_damaged_one(tmp_path):
    first, second, third = _updates(3)
    path = tmp_path / f"a{journal.SUFFIX}"
    data = [
        journal.encode(1, 7, 3, 1_700_000_000.5, first),
        journal.encode(2, 7, None, 1_700_000_001.0, second),
    ]
    path.write_bytes(b"".join(data))
    records = journal.read(path)
    assert [(r.seq, r.pad_pk, r.author_pk, r.at, r.update) for r in records] == [
        (1, 7, 3, 1_700_000_000.5, first),
        (2, 7, None, 1_700_000_001.0, second),
    ]
    # A power cut in the middle of the third record: the first two are kept.
    third_record = journal.encode(3, 7, None, 1_700_000_002.0, third)
    path.write_bytes(b"".join(data) + third_record[:-2])
    assert [r.seq for r in journal.read(path)] == [1, 2]
    # A damaged byte in the second: only the first.
    damaged = bytearray(b"".join(data))
    damaged[-1] ^= 0xFF
    path.write_bytes(bytes(damaged))
    assert [r.seq for r in journal.read(path)] == [1]


def test_a_journal_starts_a_new_file_once_all_it_holds_is_stored(tmp_path, monkeypatch):
    monkeypatch.setattr(journal, "ROTATE_BYTES", 10)
    log = journal.Journal(tmp_path, 5)
    try:
        first_path = log.path
        assert log.append(1, None, b"\x01\x00", 0.0) == 5
        # Not stored yet: the file is kept, whatever its size.
        assert log.append(1, None, b"\x01\x00", 0.0) == 6
        assert log.path == first_path
        log.stored(2)
        assert log.append(1, None, b"\x01\x00", 0.0) == 7
        assert log.path != first_path
        assert not first_path.exists()
        assert [r.seq for r in journal.read(log.path)] == [7]
    finally:
        log.close()
    # Closed with a record not stored: the file stays, for recovery.
    assert log.path.exists()


@pytest.mark.django_db(transaction=True)
def test_recovery_stores_what_the_database_lacks_exactly_once(tmp_path, teacher):
    pad = actions.create_pad(owner=teacher)
    author = authors.author_for_user(teacher)
    updates = _updates(4)
    # The first two were stored before the crash (the pad's row says so), the last two not.
    store.append_revisions(pad.pk, [(u, None) for u in updates[:2]], journal_seq=11)
    other = actions.create_pad(owner=teacher)
    deleted = actions.create_pad(owner=teacher)
    path = _write_dead_journal(
        tmp_path,
        [
            (10, pad.pk, None, 1_700_000_000.0, updates[0]),
            (11, pad.pk, None, 1_700_000_000.1, updates[1]),
            (12, other.pk, author.pk, 1_700_000_000.2, _updates(1)[0]),
            (13, pad.pk, author.pk, 1_700_000_000.3, updates[2]),
            (14, deleted.pk, None, 1_700_000_000.4, updates[0]),
            (15, pad.pk, None, 1_700_000_000.5, updates[3]),
        ],
    )
    Pad.objects.filter(pk=deleted.pk).delete()

    assert journal.recover(tmp_path) == 3
    assert not path.exists()
    pad.refresh_from_db()
    assert (pad.head, pad.journal_seq) == (4, 15)
    assert pad.text.strip() == "0123"
    revisions = list(PadRevision.objects.filter(pad=pad).order_by("rev"))
    assert [bytes(r.update) for r in revisions] == updates
    assert revisions[2].author_id == author.pk
    assert revisions[3].created_at.timestamp() == pytest.approx(1_700_000_000.5)
    assert Pad.objects.get(pk=other.pk).head == 1

    # The same file found again (a crash between the commit and the unlink): nothing twice.
    _write_dead_journal(tmp_path, [(15, pad.pk, None, 1_700_000_000.5, updates[3])])
    assert journal.recover(tmp_path) == 0
    assert Pad.objects.get(pk=pad.pk).head == 4


@pytest.mark.django_db(transaction=True)
def test_recovery_leaves_a_live_process_journal_alone(tmp_path, teacher):
    pad = actions.create_pad(owner=teacher)
    log = journal.Journal(tmp_path, 1)
    try:
        log.append(pad.pk, None, _updates(1)[0], 1_700_000_000.0)
        assert journal.recover(tmp_path) == 0
        assert log.path.exists()
    finally:
        log.close()
    assert journal.recover(tmp_path) == 1
    assert Pad.objects.get(pk=pad.pk).head == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_keystroke_is_acknowledged_once_journaled_and_survives_a_crash_before_its_insert(
    teacher, monkeypatch, tmp_path, settings
):
    if connection.vendor != "sqlite":
        pytest.skip("the journal is the embedded mode's (SQLite)")
    await sync_to_async(journal.close)()
    settings.DATA_DIR = tmp_path
    # The process "dies" after the journal write and the acknowledgement, before the insert.
    monkeypatch.setattr(room.PadRoom, "_store_journaled", lambda self: None)
    monkeypatch.setattr(room.PadRoom, "settle", _no_settle)
    pad, client = await typed(teacher, "Sauvé par le journal")
    assert await sync_to_async(lambda: Pad.objects.get(pk=pad.pk).head)() == 0
    log = journal.current()
    assert log is not None and log.folder == tmp_path / "pad-journal"
    path = log.path
    os.close(log.fd)  # what the kernel does for a killed process: the lock goes
    log.fd = -1
    journal._journal = None
    await client.close()

    assert await sync_to_async(journal.recover)() == 1
    assert not path.exists()
    stored = await sync_to_async(Pad.objects.get)(pk=pad.pk)
    assert stored.head == 1
    doc, _head = await sync_to_async(store.load_document)(pad.pk)
    assert document.to_text(doc).strip() == "Sauvé par le journal"


async def _no_settle(self):
    return None


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_room_that_closes_leaves_everything_in_the_database(teacher):
    if connection.vendor != "sqlite":
        pytest.skip("the journal is the embedded mode's (SQLite)")
    pad = await sync_to_async(actions.create_pad)(owner=teacher)
    client, ok, _ = await _client(f"/ws/pad/{pad.pad_id}", teacher)
    assert ok
    await client.sync()
    await client.set_paragraphs("Un")
    await client.set_paragraphs("Un, deux")
    await client.pump(lambda: client.saved == 2)
    log = journal.current()
    assert log is not None
    await client.close()
    stored = await sync_to_async(Pad.objects.get)(pk=pad.pk)
    assert stored.head == 2
    assert stored.journal_seq > 0
    assert log.unstored == 0
    if not room._rooms:  # (earlier tests may have left rooms open)
        # The last room closed: the journal, all stored, is gone.
        assert journal.current() is None
        assert not log.path.exists()
