import re

import pytest
from django.core import mail
from django.urls import reverse

from cartable.accounts.models import User

pytestmark = pytest.mark.django_db


def _code_from_mail() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def test_teacher_signs_up_with_professional_address_and_emailed_code(client, school):
    response = client.post(
        reverse("account_signup"), {"email": "nadia.roux@jean-moulin.ac-lyon.fr"}
    )
    assert response.status_code == 302
    code = _code_from_mail()
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    user = User.objects.get(email="nadia.roux@jean-moulin.ac-lyon.fr")
    assert user.kind == User.Kind.STAFF
    assert user.structure == school
    assert not user.has_usable_password()
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_non_professional_address_is_refused_as_staff(client):
    response = client.post(reverse("account_signup"), {"email": "someone@gmail.com"})
    assert response.status_code == 200
    assert (
        "professional" in response.content.decode()
        or "professionnelles" in response.content.decode()
    )
    assert not User.objects.filter(email="someone@gmail.com").exists()
    assert not mail.outbox


def test_teacher_signs_in_with_a_code(client, teacher):
    response = client.post(reverse("account_request_login_code"), {"email": teacher.email})
    assert response.status_code == 302
    code = _code_from_mail()
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_login_code_request_for_unknown_address_reveals_nothing(client, teacher):
    known = client.post(reverse("account_request_login_code"), {"email": teacher.email})
    unknown = client.post(reverse("account_request_login_code"), {"email": "nobody@ac-lyon.fr"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_student_signs_in_with_username_and_password(client, student):
    response = client.post(
        reverse("account_login"), {"login": "lea.4eb", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302, response.content
    assert client.get(reverse("portal:dashboard")).status_code == 200
