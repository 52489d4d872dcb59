import pytest
from django.urls import reverse

from cartable.core.roles import Reach
from cartable.pad import actions, store
from cartable.pad.document import to_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def pad(teacher):
    pad = actions.create_pad(owner=teacher, text="Version 1", reach=Reach.RESTRICTED)
    actions.set_text(pad, "Version 2")
    actions.set_text(pad, "Version 3")
    return pad


def test_any_revision_can_be_read(client, teacher, pad):
    client.force_login(teacher)
    frame = client.get(reverse("pad:history", args=[pad.pad_id])).json()
    assert frame["head"] == 3 and frame["can_restore"]
    first = client.get(reverse("pad:revision", args=[pad.pad_id, 1])).json()
    assert first["doc"]["content"][0]["content"][0]["text"] == "Version 1"
    assert client.get(reverse("pad:revision", args=[pad.pad_id, 9])).status_code == 404


def test_restore_is_a_new_change_and_keeps_history(client, teacher, pad):
    client.force_login(teacher)
    response = client.post(reverse("pad:restore", args=[pad.pad_id, 1]))
    assert response.json()["head"] == 4
    pad.refresh_from_db()
    assert pad.text == "Version 1\n"
    assert (
        client.get(reverse("pad:revision", args=[pad.pad_id, 3])).json()["doc"]["content"][0][
            "content"
        ][0]["text"]
        == "Version 3"
    )


def test_saved_revisions_are_listed(client, teacher, pad):
    client.force_login(teacher)
    assert (
        client.post(
            reverse("pad:save_revision", args=[pad.pad_id]), {"label": "Avant relecture"}
        ).status_code
        == 201
    )
    saved = client.get(reverse("pad:history", args=[pad.pad_id])).json()["saved"]
    assert (
        saved[0]["label"] == "Avant relecture"
        and saved[0]["rev"] == 3
        and saved[0]["author"]["name"] == "Claire Martin"
    )


def test_history_is_refused_to_those_who_cannot_see_the_pad(client, other_teacher, pad):
    client.force_login(other_teacher)
    assert client.get(reverse("pad:history", args=[pad.pad_id])).status_code == 404
    assert client.post(reverse("pad:restore", args=[pad.pad_id, 1])).status_code == 404


def test_read_only_readers_see_history_but_cannot_restore(client, pad):
    assert client.get(reverse("pad:history", args=[pad.readonly_id])).status_code == 200
    assert client.post(reverse("pad:restore", args=[pad.readonly_id, 1])).status_code == 403
    pad.refresh_from_db()
    assert pad.head == 3


def test_old_revisions_load_from_checkpoints(teacher, monkeypatch):
    monkeypatch.setattr(store, "COMPACT_EVERY", 20)
    pad = actions.create_pad(owner=teacher)
    for i in range(2 * store.COMPACT_EVERY + 10):
        actions.append_text(pad, f"l{i}")
        if pad.head % store.COMPACT_EVERY == 0:
            store.compact(pad.pk)
    doc, _ = store.load_document(pad.pk, upto=store.COMPACT_EVERY + 5)

    assert to_text(doc).splitlines()[-1] == f"l{store.COMPACT_EVERY + 4}"
    assert pad.checkpoints.count() == 2
