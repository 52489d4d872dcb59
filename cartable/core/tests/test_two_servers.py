"""Real-time events across real ``cartable serve`` processes.

Scaled out, two servers share PostgreSQL (the test database) and Redis: a user acts through
one server and a websocket held by the other receives the event. Embedded, one server with its
in-memory channel layer does the same. The scenarios are the same functions for both.
"""

from __future__ import annotations

import io
import os
import re
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image
from websockets.exceptions import InvalidStatus

from cartable.accounts.models import Group, Membership
from cartable.core.models import Notification
from cartable.testing.factories import PASSWORD
from cartable.testing.servers import (
    Server,
    clean_env,
    csrf_token,
    events_during,
    post_form,
    run_cartable,
    running,
    sign_in,
)


def types(events):
    return [e["type"] for e in events]


def scenario_mark_read(http: Server, ws: Server, login: str) -> None:
    """The user reads their notifications through ``http``; their socket on ``ws`` is told."""
    session = sign_in(http, login, PASSWORD)

    def mark_all_read():
        response = post_form(session, f"{http.url}/notifications/", {})
        assert response.status_code == 302, response.status_code

    events = events_during(
        ws, session, mark_all_read, until=lambda ev: "notification.read" in types(ev)
    )

    [event] = [e for e in events if e["type"] == "notification.read"]
    assert event["unread"] == 0


def scenario_co_teacher(http: Server, ws: Server, teacher: str, colleague: str) -> str:
    """A teacher on ``http`` creates a class and adds a colleague, whose socket is on ``ws``.

    Returns the public id of the class.
    """
    teacher_session = sign_in(http, teacher, PASSWORD)
    colleague_session = sign_in(ws, colleague, PASSWORD)
    created: dict[str, str] = {}

    def create_class_and_add_colleague():
        response = post_form(
            teacher_session,
            f"{http.url}/groups/",
            {"name": "4e B — Histoire", "kind": Group.Kind.CLASS, "description": ""},
        )
        assert response.status_code == 302, response.status_code
        group_url = f"{http.url}{response.headers['Location']}"
        created["public_id"] = group_url.rstrip("/").rsplit("/", 1)[-1]
        response = post_form(
            teacher_session, f"{group_url}co-teachers/", {"email": colleague}, form_page=group_url
        )
        assert response.status_code == 302, response.status_code

    events = events_during(
        ws,
        colleague_session,
        create_class_and_add_colleague,
        until=lambda ev: {"group.joined", "notification"} <= set(types(ev)),
    )

    joined = next(e for e in events if e["type"] == "group.joined")
    assert joined["group"] == created["public_id"]
    notification = next(e for e in events if e["type"] == "notification")
    assert "4e B — Histoire" in notification["title"]
    assert notification["unread"] == 1
    return created["public_id"]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 60)).save(out, "PNG")
    return out.getvalue()


def scenario_avatar(upload: Server, download: Server, login: str):
    """An avatar sent to ``upload`` is served by ``download``; the final response."""
    image = _png()
    session = sign_in(upload, login, PASSWORD)
    page = session.get(f"{upload.url}/me/profile/", timeout=10)
    response = session.post(
        f"{upload.url}/me/profile/",
        data={
            "display_name": "Claire",
            "language": "",
            "csrfmiddlewaretoken": csrf_token(page.text),
        },
        files={"avatar": ("claire.png", image, "image/png")},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.status_code
    page = session.get(f"{upload.url}/me/profile/", timeout=10).text
    avatar_path = re.search(r"/avatars/[0-9a-f-]{36}/", page).group(0)

    downloaded = sign_in(download, login, PASSWORD).get(f"{download.url}{avatar_path}", timeout=10)

    assert downloaded.status_code == 200
    assert downloaded.content == image
    return downloaded


# --- Embedded: one process, in-memory channel layer, SQLite ---------------------------------


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("embedded")
    env = clean_env(data_dir)
    run_cartable(env, "manage", "migrate", "-v", "0")
    run_cartable(
        env,
        "manage",
        "shell",
        "-c",
        "from cartable.accounts.actions import create_staff_user\n"
        f"for email in ('claire@ac-lyon.fr', 'ahmed@ac-lyon.fr'):\n"
        f"    create_staff_user(email, password={PASSWORD!r})",
    )
    with running(env, log_dir=data_dir) as server:
        yield server


def test_embedded_server_pushes_a_user_their_own_action(embedded_server):
    scenario_mark_read(embedded_server, embedded_server, "claire@ac-lyon.fr")


def test_embedded_server_pushes_a_colleague_the_co_teacher_notification(embedded_server):
    scenario_co_teacher(embedded_server, embedded_server, "claire@ac-lyon.fr", "ahmed@ac-lyon.fr")


def test_embedded_server_streams_an_uploaded_avatar_from_disk(embedded_server):
    downloaded = scenario_avatar(embedded_server, embedded_server, "claire@ac-lyon.fr")

    assert not downloaded.history
    assert downloaded.headers["Content-Type"] == "image/png"
    # Django warns when it has to read a whole body before sending it under ASGI.
    assert "synchronous iterators" not in embedded_server.log.read_text(errors="replace")


# --- Scaled out: two processes, PostgreSQL, Redis, S3 ---------------------------------------
# The ``two_servers`` and ``scaled_users`` fixtures are in the root conftest.py.


@pytest.mark.scaled
def test_event_from_one_server_reaches_a_socket_on_the_other(two_servers, scaled_users):
    a, b = two_servers
    teacher, _colleague = scaled_users
    Notification.objects.create(recipient=teacher, kind="test", title="Bienvenue")

    scenario_mark_read(a, b, teacher.email)

    assert not Notification.objects.filter(recipient=teacher, read_at__isnull=True).exists()


@pytest.mark.scaled
def test_co_teacher_added_on_one_server_is_told_on_the_other(two_servers, scaled_users):
    a, b = two_servers
    teacher, colleague = scaled_users

    public_id = scenario_co_teacher(a, b, teacher.email, colleague.email)

    group = Group.objects.get(public_id=public_id)
    assert Membership.objects.get(group=group, user=colleague).role == Membership.Role.MANAGER


@pytest.mark.scaled
def test_socket_without_a_session_is_refused_by_either_server(two_servers, scaled_users):
    anonymous = requests.Session()
    anonymous.cookies.set("sessionid", "not-a-session")

    for server in two_servers:
        with pytest.raises(InvalidStatus, match="403"):
            events_during(server, anonymous, lambda: None, until=lambda ev: False, timeout=2)


@pytest.mark.scaled
def test_file_uploaded_through_one_server_is_served_from_s3_by_the_other(two_servers, scaled_users):
    a, b = two_servers
    teacher, _colleague = scaled_users

    downloaded = scenario_avatar(a, b, teacher.email)

    [redirect] = downloaded.history
    assert redirect.status_code == 302
    assert urlsplit(redirect.url).port == b.port
    s3 = urlsplit(os.environ["CARTABLE_S3_ENDPOINT_URL"])
    assert urlsplit(downloaded.url).netloc == s3.netloc


@pytest.mark.scaled
def test_pages_let_browsers_load_files_from_s3(two_servers):
    a, _b = two_servers

    policy = requests.get(f"{a.url}/accounts/login/", timeout=10).headers["Content-Security-Policy"]

    s3 = urlsplit(os.environ["CARTABLE_S3_ENDPOINT_URL"])
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    for directive in ("img-src", "media-src", "connect-src"):
        assert f"{s3.scheme}://{s3.netloc}" in directives[directive], policy
