"""WebDAV locks are bounded: per person, per path, and the owner each one carries."""

from __future__ import annotations

import pytest

from cartable.drive.models import Lock
from cartable.drive.webdav import davxml, locks
from cartable.testing.dav import DavClient

pytestmark = pytest.mark.django_db


def lockinfo(scope: str = "exclusive", owner: str = "claire") -> bytes:
    return (
        '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:">'
        f"<d:lockscope><d:{scope}/></d:lockscope><d:locktype><d:write/></d:locktype>"
        f"<d:owner>{owner}</d:owner></d:lockinfo>"
    ).encode()


def test_a_person_holds_a_bounded_number_of_locks(teacher, my_root, monkeypatch):
    monkeypatch.setattr(locks, "MAX_LOCKS_PER_PERSON", 3)
    dav = DavClient.of(teacher)
    for n in range(3):
        assert dav.request("LOCK", f"f{n}.txt", lockinfo()).status_code == 201

    refused = dav.request("LOCK", "f3.txt", lockinfo())

    assert refused.status_code == 507
    assert "Too many locks" in refused.text
    assert Lock.objects.filter(user=teacher).count() == 3
    token = dav.request("LOCK", "f0.txt", lockinfo()).status_code  # f0 is locked: a conflict
    assert token == 423


def test_unlocking_gives_room_back(teacher, my_root, monkeypatch):
    monkeypatch.setattr(locks, "MAX_LOCKS_PER_PERSON", 1)
    dav = DavClient.of(teacher)
    first = dav.request("LOCK", "a.txt", lockinfo())
    assert dav.request("LOCK", "b.txt", lockinfo()).status_code == 507

    dav.request("UNLOCK", "a.txt", Lock_Token=first.headers["lock-token"])

    assert dav.request("LOCK", "b.txt", lockinfo()).status_code == 201


def test_shared_locks_on_one_path_are_bounded(teacher, my_root, monkeypatch):
    monkeypatch.setattr(locks, "MAX_LOCKS_PER_PATH", 2)
    dav = DavClient.of(teacher)
    assert dav.request("LOCK", "shared.txt", lockinfo("shared")).status_code == 201
    assert dav.request("LOCK", "shared.txt", lockinfo("shared")).status_code == 200

    assert dav.request("LOCK", "shared.txt", lockinfo("shared")).status_code == 507


def test_a_lock_owner_too_long_is_refused(teacher, my_root):
    dav = DavClient.of(teacher)

    refused = dav.request("LOCK", "o.txt", lockinfo(owner="x" * (davxml.MAX_LOCK_OWNER + 1)))

    assert refused.status_code == 400
    assert not Lock.objects.exists()
