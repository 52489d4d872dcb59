"""Codes sent by e-mail go through the one limiter, across the codes one may ask for."""

import re

import pytest
from allauth.core.context import request_context
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from cartable.accounts.forms import ConfirmEmailVerificationCodeForm

pytestmark = pytest.mark.django_db


def _code_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", body, re.MULTILINE)[1]


def _ask(client, email):
    response = client.post(
        reverse("account_request_login_code"), {"email": email}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    return response["Location"]


def _type(client, url, code):
    return client.post(url, {"code": code}, HTTP_ACCEPT_LANGUAGE="en")


def test_wrong_sign_in_codes_are_counted_across_new_codes(client, teacher):
    url = _ask(client, teacher.email)
    for _ in range(3):  # allauth drops a code after three wrong tries...
        _type(client, url, "WRONG-CODE")
    url = _ask(client, teacher.email)  # ...but another may be asked for
    for _ in range(2):
        assert _type(client, url, "WRONG-CODE").status_code == 200
    response = _type(client, url, _code_from_mail())
    assert "_auth_user_id" not in client.session
    follow = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many failed" in follow.content.decode()


def test_a_right_sign_in_code_after_a_typo_signs_in(client, teacher):
    url = _ask(client, teacher.email)
    _type(client, url, "WRONG-CODE")
    assert _type(client, url, _code_from_mail()).status_code == 302
    assert client.session["_auth_user_id"] == str(teacher.pk)


def test_wrong_verification_codes_are_counted_per_address():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")

    def check(code):
        form = ConfirmEmailVerificationCodeForm(
            {"code": code}, code="RIGHT-CODE", email="Nadia@ac-lyon.fr", user=None
        )
        with request_context(request):
            return form.is_valid(), form.errors.get("code", [""])[0]

    for _ in range(5):
        assert check("WRONG-CODE")[0] is False
    valid, error = check("RIGHT-CODE")
    assert not valid
    assert "Too many failed attempts" in error or "Trop de tentatives" in error
