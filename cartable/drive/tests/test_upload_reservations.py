"""Uploads in progress reserve their size in the space's quota, tus and Nextcloud chunking alike.

Each new upload is checked against the free quota less what the space's other unfinished
uploads reserve, so that uploads that each fit cannot together pass the quota.
"""

from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cartable.drive import actions, errors
from cartable.drive.actions import uploads
from cartable.drive.models import Upload
from cartable.drive.nextcloud.dav_uploads import UploadsTree
from cartable.drive.webdav import auth
from cartable.drive.webdav.headers import split_path
from cartable.drive.webdav.http import DavError, Request

pytestmark = pytest.mark.django_db

QUOTA = 100
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


@pytest.fixture(autouse=True)
def _small_quota(settings, client):
    settings.DRIVE_QUOTA = QUOTA
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


# --- tus ---------------------------------------------------------------------------------


def tus_create(client, folder, name, length):
    metadata = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {"filename": name, "folder": str(folder.public_id)}.items()
    )
    return client.post(
        "/drive/tus/", HTTP_UPLOAD_LENGTH=str(length), HTTP_UPLOAD_METADATA=metadata, **TUS
    )


def tus_patch(client, url, offset, data):
    return client.patch(
        url,
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **TUS,
    )


def test_tus_uploads_that_fit_one_by_one_but_not_together_are_refused(client, teacher, my_root):
    client.force_login(teacher)

    assert tus_create(client, my_root, "a.bin", 60).status_code == 201
    second = tus_create(client, my_root, "b.bin", 60)

    assert second.status_code == 413
    assert second["X-Drive-Error"] == "quotaexceeded"
    assert tus_create(client, my_root, "c.bin", 40).status_code == 201


def test_tus_cancelled_upload_gives_its_room_back(client, teacher, my_root):
    client.force_login(teacher)
    first = tus_create(client, my_root, "a.bin", 60)["Location"]
    assert tus_create(client, my_root, "b.bin", 60).status_code == 413

    assert client.delete(first, **TUS).status_code == 204

    assert tus_create(client, my_root, "b.bin", 60).status_code == 201


def test_tus_finished_upload_counts_as_used_instead_of_reserved(client, teacher, my_root):
    client.force_login(teacher)
    first = tus_create(client, my_root, "a.bin", 60)["Location"]
    assert tus_patch(client, first, 0, b"x" * 60).status_code == 204
    assert actions.live_child(my_root, "a.bin").size == 60

    assert tus_create(client, my_root, "b.bin", 41).status_code == 413
    assert tus_create(client, my_root, "b.bin", 40).status_code == 201


def test_expired_upload_reserves_nothing(client, teacher, my_root):
    client.force_login(teacher)
    tus_create(client, my_root, "a.bin", 60)
    Upload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert tus_create(client, my_root, "b.bin", 60).status_code == 201


def test_reservations_are_per_space(client, teacher, my_root, class_root, settings):
    settings.DRIVE_GROUP_QUOTA = QUOTA
    client.force_login(teacher)
    assert tus_create(client, my_root, "a.bin", 60).status_code == 201

    assert tus_create(client, class_root, "b.bin", 60).status_code == 201


# --- Nextcloud chunking ------------------------------------------------------------------


def dav_request(user, method: str, path: str, **headers: str) -> Request:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }
    request = Request(scope, lambda: None)
    request.user = user
    request.prefix = f"/remote.php/dav/uploads/{user.username}"
    request.segments = split_path(path[len(request.prefix) :])
    return request


def signed_in(user):
    """The user as a WebDAV request sees it once signed in (see ``auth.basic_user``)."""
    user = type(user).objects.select_related("drive_space").get(pk=user.pk)
    auth._keep_space(user)
    return user


def mkcol(user, transfer_id: str, name: str, length: int) -> None:
    request = dav_request(
        user,
        "MKCOL",
        f"/remote.php/dav/uploads/{user.username}/{transfer_id}",
        Destination=f"/remote.php/dav/files/{user.username}/{name}",
        OC_Total_Length=str(length),
    )
    UploadsTree(request, user.username).mkcol(request)


def delete(user, transfer_id: str) -> None:
    UploadsTree(dav_request(user, "DELETE", "/"), user.username).delete([transfer_id])


def test_chunked_uploads_that_fit_one_by_one_but_not_together_are_refused(teacher, my_root):
    user = signed_in(teacher)
    mkcol(user, "transfer-1", "a.bin", 60)

    with pytest.raises(DavError) as refused:
        mkcol(user, "transfer-2", "b.bin", 60)

    assert refused.value.status == 507
    assert not Upload.objects.filter(name="transfer-2").exists()
    mkcol(user, "transfer-3", "c.bin", 40)


def test_chunked_upload_cancelled_gives_its_room_back(teacher, my_root):
    user = signed_in(teacher)
    mkcol(user, "transfer-1", "a.bin", 60)
    with pytest.raises(DavError):
        mkcol(user, "transfer-2", "b.bin", 60)

    delete(user, "transfer-1")

    mkcol(user, "transfer-2", "b.bin", 60)


def test_tus_and_chunked_uploads_reserve_in_the_same_quota(client, teacher, my_root):
    client.force_login(teacher)
    assert tus_create(client, my_root, "a.bin", 60).status_code == 201

    with pytest.raises(DavError) as refused:
        mkcol(signed_in(teacher), "transfer-1", "b.bin", 60)

    assert refused.value.status == 507


def test_chunks_of_an_unannounced_upload_leave_room_for_the_others(teacher, my_root):
    """Old clients announce no size: their chunks may fill what others have not reserved."""
    user = signed_in(teacher)
    mkcol(user, "transfer-1", "a.bin", 60)
    request = dav_request(user, "MKCOL", f"/remote.php/dav/uploads/{user.username}/old-client")
    UploadsTree(request, user.username).mkcol(request)

    tree = UploadsTree(dav_request(user, "PUT", "/"), user.username)
    _upload, limit = tree.prepare_put("old-client", "00001")

    assert limit == QUOTA - 60


# --- Two creations at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_uploads_created_at_once_are_checked_one_after_the_other(teacher, my_root):
    """The first reservation's transaction is held open until the second has either passed
    (without a lock) or is waiting for the space's lock; then the first commits."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes its write lock at BEGIN: no two transactions interleave")
    space = actions.personal_space(teacher)
    in_an_hour = timezone.now() + timedelta(hours=1)
    second_pid: list[int] = []
    outcome: list[object] = []

    def second() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            uploads.reserve(space, user=teacher, size=60, expires_at=in_an_hour, name="second")
            outcome.append("reserved")
        except Exception as exc:  # the refusal expected, or whatever else, for the assertion
            outcome.append(exc)
        finally:
            connection.close()

    def second_is_done_or_waits_for_a_lock() -> bool:
        if outcome:
            return True
        if not second_pid:
            return False
        with connection.cursor() as cursor:
            # Inside a transaction, pg_stat_activity is read once unless told to read again.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid[0]]
            )
            row = cursor.fetchone()
        return row is not None and row[0] == "Lock"

    thread = threading.Thread(target=second)
    with transaction.atomic():
        uploads.reserve(space, user=teacher, size=60, expires_at=in_an_hour, name="first")
        thread.start()
        waited = threading.Event()
        for _ in range(600):
            if second_is_done_or_waits_for_a_lock():
                break
            waited.wait(0.05)
        else:
            pytest.fail("the second reservation neither finished nor waited for a lock")
    thread.join(30)

    [result] = outcome
    assert isinstance(result, errors.QuotaExceeded)
    assert Upload.objects.filter(space=space).count() == 1
