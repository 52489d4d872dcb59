from __future__ import annotations

import base64
import json

import pytest
import requests

from cartable.accounts.actions import create_app_password
from cartable.testing.servers import clean_env, run_cartable, start_server


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


@pytest.fixture
def teacher_auth(teacher):
    """The Authorization header of a Nextcloud client signed in as ``teacher``."""
    _app_password, clear = create_app_password(teacher, "Nextcloud desktop")
    return basic(teacher.username, clear)


@pytest.fixture
def colleague_auth(colleague):
    _app_password, clear = create_app_password(colleague, "Nextcloud desktop")
    return basic(colleague.username, clear)


@pytest.fixture
def student_auth(student):
    _app_password, clear = create_app_password(student, "Nextcloud Android")
    return basic(student.username, clear)


# --- A live server, for the real clients (nextcloudcmd, rclone) and the DAV extensions ----

SETUP = """
import json
from cartable.accounts.actions import create_app_password, create_group
from cartable.accounts.models import Membership, Structure, User

school = Structure.objects.create(kind="school", name="Collège Jean Moulin")
teacher = User.objects.create_user(
    username="claire", email="claire.martin@jean-moulin.ac-lyon.fr",
    display_name="Claire Martin", kind="staff", structure=school)
colleague = User.objects.create_user(
    username="ahmed", email="ahmed.benali@jean-moulin.ac-lyon.fr",
    display_name="Ahmed Benali", kind="staff", structure=school)
out = {}
for user in (teacher, colleague):
    out[user.username] = create_app_password(user, "tests")[1]
print("PASSWORDS=" + json.dumps(out))
"""


@pytest.fixture(scope="session")
def nc_server(tmp_path_factory):
    """``cartable serve`` on 127.0.0.1 with claire and ahmed, and their app passwords."""

    data_dir = tmp_path_factory.mktemp("nc-server")
    env = clean_env(data_dir)
    run_cartable(env, "manage", "migrate", "-v", "0")
    out = run_cartable(env, "manage", "shell", "-c", SETUP)
    line = next(x for x in out.splitlines() if x.startswith("PASSWORDS="))
    passwords = json.loads(line.split("=", 1)[1])
    server = start_server(env, "--no-worker", "--no-migrate", log_dir=data_dir)
    try:
        yield server, passwords
    finally:
        server.stop()


@pytest.fixture
def live(nc_server):
    return nc_server[0]


@pytest.fixture
def claire(nc_server):
    session = requests.Session()
    session.auth = ("claire", nc_server[1]["claire"])
    return session
