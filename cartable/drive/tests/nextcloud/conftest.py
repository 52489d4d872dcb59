from __future__ import annotations

import base64

import pytest

from cartable.accounts.actions import create_app_password


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
