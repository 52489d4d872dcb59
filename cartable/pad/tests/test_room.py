"""When a room broadcasts: at the end of the loop's turn for a class-sized room, merged for
what arrived together, never held back by the cursors' batch; spaced for a crowd."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from pycrdt import Doc, XmlElement, XmlText

from cartable.pad import actions, document, protocol, room, store
from cartable.pad.protocol import AwarenessEntry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class Sink:
    """A connection's socket: the frames the room wrote to it."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def __call__(self, data: bytes) -> bool:
        self.frames.append(data)
        return True


async def _room(teacher, connections):
    pad = await sync_to_async(actions.create_pad)(owner=teacher)
    doc, head = await sync_to_async(store.load_document)(pad.pk)
    pad_room = room.PadRoom(pad.pk, doc, head)
    await pad_room.start()
    sinks = []
    for _ in range(connections):
        sink = Sink()
        connection = room.Connection(
            send=None, close=None, author_pk=None, can_edit=True, write_direct=sink
        )
        pad_room.connections.add(connection)
        sinks.append((connection, sink))
    return pad_room, sinks


def _typist(pad_room):
    doc = Doc()
    doc.apply_update(pad_room.doc.get_update())
    text = XmlText("")
    before = doc.get_state()
    document.fragment(doc).children.append(XmlElement("paragraph", {}, [text]))
    first = doc.get_update(before)

    def keystroke(character):
        before = doc.get_state()
        text.insert(len(str(text)), character)
        return doc.get_update(before)

    return first, keystroke


def _kinds(data):
    """The y-websocket message kinds in a run of small binary websocket frames."""
    kinds = []
    while data:
        assert data[0] == 0x82 and data[1] < 126
        payload, data = data[2 : 2 + data[1]], data[2 + data[1] :]
        kinds.append(protocol.Reader(payload).var_uint())
    return kinds


async def _turns(count=3):
    for _ in range(count):
        await asyncio.sleep(0)


async def _settled(pad_room):
    """Once what the room accepted is stored, and the loop turned: on SQLite the broadcast
    went before the insert; on PostgreSQL (or with other processes) it follows the commit."""
    await pad_room.settle()
    await _turns()


def _journaled(pad_room):
    return connection.vendor == "sqlite" and not pad_room._relay


async def test_updates_that_arrive_together_go_out_once_merged_at_the_end_of_the_turn(teacher):
    pad_room, sinks = await _room(teacher, 3)
    (author, author_sink), (_reader, reader_sink) = sinks[0], sinks[1]
    first, keystroke = _typist(pad_room)
    pad_room.receive_update(author, first)
    pad_room.receive_update(author, keystroke("a"))
    assert reader_sink.frames == []  # nothing yet: the turn is not over
    if _journaled(pad_room):
        await _turns()  # durable in the journal: broadcast before the insert
    await _settled(pad_room)
    assert len(reader_sink.frames) == 1
    # The author: the acknowledgement of both updates, with the broadcast.
    assert _kinds(author_sink.frames[0]) == [protocol.MESSAGE_SAVED, protocol.MESSAGE_SYNC]
    await pad_room.stop()
    assert pad_room.head == 2


async def test_an_update_does_not_wait_for_the_cursors_batch(teacher):
    pad_room, sinks = await _room(teacher, 2)
    (author, _), (_reader, reader_sink) = sinks
    pad_room._queue_awareness([AwarenessEntry(1, 1, '{"user": {"name": "Claire"}}')], relay=False)
    first, _keystroke = _typist(pad_room)
    pad_room.receive_update(author, first)
    await _settled(pad_room)
    if _journaled(pad_room):
        # The cursors went with it, not 10 ms later.
        assert len(reader_sink.frames) == 1
        assert _kinds(reader_sink.frames[0]) == [
            protocol.MESSAGE_SYNC,
            protocol.MESSAGE_AWARENESS,
        ]
    else:
        # After a commit that may have taken longer than the cursors' batch: both went.
        kinds = [kind for frame in reader_sink.frames for kind in _kinds(frame)]
        assert sorted(kinds) == [protocol.MESSAGE_SYNC, protocol.MESSAGE_AWARENESS]
    frames = len(reader_sink.frames)
    await asyncio.sleep(room.BATCH_SECONDS * 2)
    assert len(reader_sink.frames) == frames  # and nothing was left for the cursors' batch
    await pad_room.stop()


async def test_a_crowd_gets_spaced_broadcasts(teacher, monkeypatch):
    monkeypatch.setattr(room, "BROADCAST_SPACED_FROM", 2)
    monkeypatch.setattr(room, "BROADCAST_FULL_SPACING_AT", 4)
    monkeypatch.setattr(room, "BROADCAST_SPACING_AT_FULL", 0.3)
    pad_room, sinks = await _room(teacher, 4)  # spaced by 300 ms
    (author, _), (_reader, reader_sink) = sinks[0], sinks[1]
    first, keystroke = _typist(pad_room)
    pad_room.receive_update(author, first)
    await _settled(pad_room)
    assert len(reader_sink.frames) == 1  # the first broadcast in a while goes at once
    pad_room.receive_update(author, keystroke("a"))
    pad_room.receive_update(author, keystroke("b"))
    await _settled(pad_room)
    assert len(reader_sink.frames) == 1  # the next waits for the spacing…
    await asyncio.sleep(0.4)
    assert len(reader_sink.frames) == 2  # …and carries both keystrokes
    await pad_room.stop()
    assert pad_room.head == 3
