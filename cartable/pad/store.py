"""Pads in the database: the update log, the compacted snapshot, the text cache.

A pad's state is its ``snapshot`` (the whole document as of ``snapshot_rev``) plus its
revisions after that. Compaction moves the snapshot forward so that opening a pad with a long
history reads one snapshot and a few hundred updates at most; the revisions themselves stay,
for the history.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import timezone
from pycrdt import Doc

from cartable.pad import document
from cartable.pad.models import Pad, PadCheckpoint, PadRevision
from cartable.pad.search import index_pad

COMPACT_EVERY = 500


def load_document(pad_pk: int, *, upto: int | None = None) -> tuple[Doc, int]:
    """The document and the revision it is at (``upto``: as of that revision)."""
    pad = Pad.objects.only("snapshot", "snapshot_rev", "head").get(pk=pad_pk)
    revisions = PadRevision.objects.filter(pad_id=pad_pk).order_by("rev")
    if upto is not None and upto < pad.snapshot_rev:
        checkpoint = (
            PadCheckpoint.objects.filter(pad_id=pad_pk, rev__lte=upto).order_by("-rev").first()
        )
        start, state = (checkpoint.rev, bytes(checkpoint.state)) if checkpoint else (0, b"")
        updates = revisions.filter(rev__gt=start, rev__lte=upto).values_list("update", flat=True)
        return document.load(state, [bytes(u) for u in updates.iterator(chunk_size=2000)]), upto
    if upto is not None:
        revisions = revisions.filter(rev__lte=upto)
    updates = revisions.filter(rev__gt=pad.snapshot_rev).values_list("update", flat=True)
    doc = document.load(bytes(pad.snapshot), [bytes(u) for u in updates.iterator(chunk_size=2000)])
    return doc, upto if upto is not None else pad.head


def append_statements(placeholder: str = "%s") -> tuple[str, str]:
    """The two statements of an append: move the head (returning it), insert the revisions.

    ``placeholder``: ``%s`` for Django's cursors, ``?`` for a plain ``sqlite3`` connection
    (``writer.append_now``). The head's parameters: count, time, the last journal record
    stored (``None``: the updates do not come from the journal), pad.
    """
    quote = connection.ops.quote_name
    pad_table, revision_table = quote(Pad._meta.db_table), quote(PadRevision._meta.db_table)
    p = placeholder
    return (
        f"UPDATE {pad_table} SET head = head + {p}, last_edited_at = {p},"  # noqa: S608  # nosec B608  # table names from the models
        f" journal_seq = coalesce({p}, journal_seq),"
        f" retention_warning = 0, retention_warned_at = NULL WHERE id = {p} RETURNING head",
        f"INSERT INTO {revision_table} (pad_id, rev, {quote('update')}, author_id,"  # noqa: S608  # nosec B608  # table names from the models
        f" created_at) VALUES ({p}, {p}, {p}, {p}, {p})",
    )


def last_journal_seq_statement() -> str:
    table = connection.ops.quote_name(Pad._meta.db_table)
    return f"SELECT coalesce(max(journal_seq), 0) FROM {table}"  # noqa: S608  # nosec B608  # the model's table


def revision_rows(
    pad_pk: int, head: int, items: list[tuple[bytes, int | None]], now: Any
) -> list[tuple[Any, ...]]:
    """The rows inserted for ``items`` once the head moved to ``head``."""
    first = head - len(items) + 1
    return [(pad_pk, first + i, update, author, now) for i, (update, author) in enumerate(items)]


def append_revisions(
    pad_pk: int,
    items: list[tuple[bytes, int | None]],
    *,
    journal_seq: int | None = None,
    at: float | None = None,
) -> int:
    """Store updates as the next revisions, in one transaction. Returns the new head.

    Every keystroke of an open pad goes through here or through ``writer.append_now`` (a
    batch per write), so it is two statements of plain SQL: the ORM's model instances and
    query compilation cost more than the database does. ``journal_seq``: the updates come from
    the journal, up to that record (``journal``); ``at``: when they were made (Unix time).
    """
    when = timezone.now() if at is None else datetime.datetime.fromtimestamp(at, datetime.UTC)
    now = connection.ops.adapt_datetimefield_value(when)
    move_head, insert = append_statements()
    with transaction.atomic(), connection.cursor() as cursor:
        # The UPDATE locks the pad's row (PostgreSQL; SQLite's IMMEDIATE transaction holds the
        # write lock) until the revisions are in: concurrent appends number them in turn.
        cursor.execute(move_head, [len(items), now, journal_seq, pad_pk])
        row = cursor.fetchone()
        if row is None:
            raise Pad.DoesNotExist(f"no pad {pad_pk}")
        head = int(row[0])
        cursor.executemany(insert, revision_rows(pad_pk, head, items, now))
    return head


def save_text(pad_pk: int, doc: Doc) -> None:
    Pad.objects.filter(pk=pad_pk).update(text=document.to_text(doc))
    index_pad(Pad.objects.get(pk=pad_pk))


def compact(pad_pk: int) -> int:
    """Move the snapshot to the head. Safe to run anywhere, any time, twice."""
    pad = Pad.objects.only("head", "snapshot_rev").get(pk=pad_pk)
    if pad.head - pad.snapshot_rev < COMPACT_EVERY:
        return pad.snapshot_rev
    doc, head = load_document(pad_pk, upto=pad.head)
    state = doc.get_update()
    with transaction.atomic():
        moved = Pad.objects.filter(pk=pad_pk, snapshot_rev__lt=head).update(
            snapshot=state, snapshot_rev=head, text=document.to_text(doc)
        )
        if moved:
            PadCheckpoint.objects.get_or_create(pad_id=pad_pk, rev=head, defaults={"state": state})
    return head


def publish(pad_pk: int, update: bytes) -> None:
    """Tell every open room (in every process) about a change already stored."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(
            f"pad.{pad_pk}", {"type": "pad.update", "update": update, "origin": "server"}
        )


def change(pad: Pad, mutate: Callable[[Doc], Any], *, author_pk: int | None = None) -> int:
    """Apply a server-side change (API, import, restore) as a new revision; rooms follow.

    Returns the new head. The change is computed against the stored state, so concurrent
    edits in open rooms merge with it like any other Yjs update.
    """
    doc, _head = load_document(pad.pk)
    before = doc.get_state()
    content_before = document.to_prosemirror(doc)
    mutate(doc)
    update = doc.get_update(before)
    # Replacing a text by the same text is no revision (Etherpad's setText does not add one).
    if update in (b"\x00\x00", b"") or document.to_prosemirror(doc) == content_before:
        return pad.head
    head = append_revisions(pad.pk, [(update, author_pk)])
    text = document.to_text(doc)
    Pad.objects.filter(pk=pad.pk).update(text=text)
    pad.head = head
    pad.text = text
    transaction.on_commit(lambda: publish(pad.pk, update))
    return head
