"""Account passwords go through one limiter, whatever page they are typed into."""

import pytest
from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

from cartable.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _admin_login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _login(client, login, password, ip="203.0.113.7"):
    return client.post(
        reverse("account_login"),
        {"login": login, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_admin_sign_in_refuses_the_right_password_after_thirty_wrong_ones(client, admin):
    for _ in range(30):
        assert _admin_login(client, "admin", "wrong password").status_code == 200
    response = _admin_login(client, "admin", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed attempts" in response.content.decode()


def test_admin_sign_in_still_works_for_someone_who_mistyped_once(client, admin):
    assert _admin_login(client, "admin", "wrong password").status_code == 200
    assert _admin_login(client, "admin", PASSWORD).status_code == 302


def test_the_admin_page_and_the_sign_in_page_share_one_count(client, admin):
    for _ in range(3):
        _admin_login(client, "admin", "wrong password")
    for _ in range(2):
        _login(client, admin.email, "wrong password")
    # The account is guessed under its e-mail address and its user name alike.
    response = _login(client, "admin", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert _admin_login(client, "admin", PASSWORD).status_code == 200


def test_the_sign_in_page_says_why_it_refuses(client, teacher):
    for _ in range(5):
        _login(client, teacher.email, "wrong password")
    response = _login(client, teacher.email, PASSWORD)
    assert "Too many failed attempts" in response.content.decode()


def test_every_authenticate_call_is_limited(rf, teacher):
    request = rf.post("/", REMOTE_ADDR="198.51.100.4")
    for _ in range(5):
        assert authenticate(request, username=teacher.username, password="wrong") is None
    assert authenticate(request, username=teacher.username, password=PASSWORD) is None
    # Without a request (a management command), the account is still counted.
    assert authenticate(username=teacher.username, password=PASSWORD) is None


def test_guessing_many_accounts_from_one_block_is_stopped(client, settings, django_user_model):
    settings.SECRET_RATE_LIMITS = {**settings.SECRET_RATE_LIMITS, "password": "10/10m/ip,5/5m/key"}
    for n in range(10):
        _admin_login(client, f"nobody{n}", "wrong password", ip=f"203.0.113.{n}")
    response = _admin_login(client, "nobody99", "wrong password", ip="203.0.113.99")
    assert "Too many failed attempts" in response.content.decode()


def test_changing_ones_password_checks_the_current_one_in_the_same_count(client, teacher):
    for _ in range(5):
        _login(client, teacher.email, "wrong password", ip="198.51.100.8")
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "un-nouveau-mot", "password2": "un-nouveau-mot"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)


def test_no_backend_after_the_limited_one_checks_a_password(rf, teacher, monkeypatch):
    allauths = AuthenticationBackend.authenticate

    def unlimited(self, *args, **kwargs):
        # The limited backend is a subclass of allauth's and calls it: only the others fail.
        if type(self) in (ModelBackend, AuthenticationBackend):
            raise AssertionError("a password was checked without the limiter")
        return allauths(self, *args, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", unlimited)
    monkeypatch.setattr(AuthenticationBackend, "authenticate", unlimited)
    request = rf.post("/", REMOTE_ADDR="198.51.100.4")
    assert authenticate(request, username=teacher.username, password="wrong") is None
    assert authenticate(request, email=teacher.email, password="wrong") is None


def test_sessions_opened_through_the_former_backends_stay_valid(client, teacher):
    client.force_login(teacher, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("portal:dashboard")).status_code == 200
