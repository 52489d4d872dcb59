import pytest

from cartable.pad import actions, document, store

pytestmark = pytest.mark.django_db


def test_compaction_keeps_the_document_and_the_history(teacher, monkeypatch):
    monkeypatch.setattr(store, "COMPACT_EVERY", 20)
    pad = actions.create_pad(owner=teacher)
    for i in range(store.COMPACT_EVERY + 3):
        actions.append_text(pad, f"ligne {i}")
    assert store.compact(pad.pk) == pad.head
    pad.refresh_from_db()
    assert pad.snapshot_rev == pad.head
    doc, head = store.load_document(pad.pk)
    assert head == pad.head
    assert document.to_text(doc).splitlines()[-1] == f"ligne {store.COMPACT_EVERY + 2}"
    old, _ = store.load_document(pad.pk, upto=10)
    assert len(document.to_text(old).splitlines()) == 10
