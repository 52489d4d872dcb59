"""A real ``cartable serve`` (embedded mode: the job worker is a thread of the server) keeps
answering while it extracts the text of hostile files dropped anonymously on a file-drop link.

Before extraction moved to a child process with linear parsers, the worker thread's regular
expression held the interpreter for minutes on 350 KB of spaces, and every request waited for
it: this test then never ended (pytest-timeout fails it). Nothing here measures a duration.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cartable.testing.servers import Server, clean_env, csrf_token, run_cartable, start_server

SETUP = """
from cartable.accounts.models import Structure, User
from cartable.drive import actions
from cartable.drive.actions import sharing

school = Structure.objects.create(kind="school", name="Collège Jean Moulin")
teacher = User.objects.create_user(
    username="claire", email="claire.martin@jean-moulin.ac-lyon.fr",
    display_name="Claire Martin", kind="staff", structure=school)
root = actions.root_of(actions.personal_space(teacher))
box = actions.create_folder(root, "Devoirs", by=teacher)
link = sharing.create_link(box, by=teacher, file_drop=True)
print("TOKEN=" + link.token)
"""


@pytest.fixture(scope="module")
def drop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Path]]:
    data_dir = tmp_path_factory.mktemp("hostile-server")
    env = clean_env(data_dir)
    run_cartable(env, "manage", "migrate", "-v", "0")
    out = run_cartable(env, "manage", "shell", "-c", SETUP)
    token = next(x for x in out.splitlines() if x.startswith("TOKEN=")).split("=", 1)[1]
    server = start_server(env, "--no-migrate", log_dir=data_dir)  # with its worker thread
    try:
        yield server, token, data_dir / "cartable.sqlite3"
    finally:
        server.stop()


def _jobs_pending(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        table = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%dbtaskresult'"
        ).fetchone()[0]
        (count,) = db.execute(
            f"SELECT COUNT(*) FROM {table} WHERE status IN ('READY', 'RUNNING')"  # noqa: S608
        ).fetchone()
        return int(count)


def _status(server: Server) -> None:
    # No client timeout: a server that stops answering fails the test through pytest-timeout.
    response = requests.get(f"{server.url}/status.php")  # noqa: S113
    assert response.status_code == 200
    assert response.json()["installed"] is True


@pytest.mark.timeout(180)
def test_the_server_answers_while_it_extracts_hostile_uploads(drop_server):
    server, token, database = drop_server
    anonymous = requests.Session()
    page = anonymous.get(f"{server.url}/drive/s/{token}", timeout=30)
    files = [
        ("files", ("espaces.txt", b" " * 350_000 + b"x\n", "text/plain")),
        (
            "files",
            ("page.html", b"<div>" * 400_000 + b"<span style='" + b" " * 200_000, "text/html"),
        ),
        ("files", ("lignes.txt", b" \t" * 200_000 + b"\n" * 100_000, "text/plain")),
    ]
    sent = anonymous.post(
        f"{server.url}/drive/s/{token}/upload",
        data={"uploader": "Léa", "csrfmiddlewaretoken": csrf_token(page.text)},
        files=files,
        headers={"Referer": page.url, "Accept": "application/json"},
        timeout=60,
    )
    assert sent.status_code == 200, sent.text[:500]
    assert len(sent.json()["stored"]) == 3
    answered = 0
    # Until the worker has extracted (and previewed) every file: each check waits for an
    # answer, and the loop is bounded by the test's timeout.
    while True:
        pending = _jobs_pending(database)
        _status(server)
        answered += 1
        if pending == 0 and answered > 1:
            break
        time.sleep(0.05)
    _status(server)
