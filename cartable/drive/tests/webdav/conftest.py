"""A live ``cartable serve`` for the WebDAV tests, with the personas and their app passwords.

The server runs in its own data directory (embedded mode); the tests talk to it over HTTP
only, as a WebDAV client does. Each test works in folders of its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import requests

from cartable.testing.servers import Server, clean_env, run_cartable, start_server

SETUP = """
import json
from allauth.account.models import EmailAddress
from cartable.accounts.actions import create_app_password, create_group
from cartable.accounts.models import Membership, Structure, User

school = Structure.objects.create(kind="school", name="Collège Jean Moulin")
other_school = Structure.objects.create(kind="school", name="Lycée Jules Verne")
teacher = User.objects.create_user(
    username="claire", email="claire.martin@jean-moulin.ac-lyon.fr",
    display_name="Claire Martin", kind="staff", structure=school)
other = User.objects.create_user(
    username="paul", email="paul.durand@ac-nantes.fr", display_name="Paul Durand",
    kind="staff", structure=other_school)
student = User.objects.create_user(
    username="lea.4eb", email="", display_name="Léa", kind="student", structure=school)
klass = create_group(teacher, "4e B")
Membership.objects.create(group=klass, user=student, role=Membership.Role.MEMBER)
out = {}
for user in (teacher, other, student):
    out[user.username] = create_app_password(user, "tests")[1]
print("PASSWORDS=" + json.dumps(out))
"""


@dataclass
class Persona:
    username: str
    password: str


@pytest.fixture(scope="session")
def dav_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    data_dir = tmp_path_factory.mktemp("dav-server")
    env = clean_env(data_dir)
    run_cartable(env, "manage", "migrate", "-v", "0")
    out = run_cartable(env, "manage", "shell", "-c", SETUP)
    line = next(x for x in out.splitlines() if x.startswith("PASSWORDS="))
    passwords = json.loads(line.split("=", 1)[1])
    server = start_server(env, "--no-worker", "--no-migrate", log_dir=data_dir)
    try:
        yield server, {"env": env, "passwords": passwords, "data_dir": data_dir}
    finally:
        server.stop()


class Dav:
    """A WebDAV client of one persona: paths are relative to their files root."""

    def __init__(self, server: Server, username: str, password: str | None) -> None:
        self.server = server
        self.username = username
        self.base = f"{server.url}/remote.php/dav/files/{quote(username)}"
        self.session = requests.Session()
        if password is not None:
            self.session.auth = (username, password)

    def url(self, path: str) -> str:
        return self.base + "/" + "/".join(quote(p) for p in path.strip("/").split("/") if p)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        url = path if path.startswith("http") else self.url(path)
        return self.session.request(method, url, **kwargs)

    def put(self, path: str, data: bytes | str = b"", **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, data=data, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def mkcol(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("MKCOL", path, **kwargs)

    def propfind(
        self, path: str, body: str = "", depth: str = "1", **kwargs: Any
    ) -> requests.Response:
        headers = {"Depth": depth, **kwargs.pop("headers", {})}
        return self.request("PROPFIND", path, data=body.encode(), headers=headers, **kwargs)


@pytest.fixture
def server_info(dav_server: tuple[Server, dict]) -> dict:
    return dav_server[1]


@pytest.fixture
def live(dav_server: tuple[Server, dict]) -> Server:
    return dav_server[0]


def _client(dav_server: tuple[Server, dict], username: str) -> Dav:
    server, info = dav_server
    return Dav(server, username, info["passwords"][username])


@pytest.fixture
def teacher_dav(dav_server: tuple[Server, dict]) -> Dav:
    return _client(dav_server, "claire")


@pytest.fixture
def other_teacher_dav(dav_server: tuple[Server, dict]) -> Dav:
    return _client(dav_server, "paul")


@pytest.fixture
def student_dav(dav_server: tuple[Server, dict]) -> Dav:
    return _client(dav_server, "lea.4eb")


@pytest.fixture
def folder(teacher_dav: Dav) -> str:
    """A fresh folder of the teacher's, for one test."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    assert teacher_dav.mkcol(name).status_code == 201
    return name
