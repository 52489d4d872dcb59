"""Class codes: long enough to resist guessing with the limiter, typeable, and a join form
that tells nobody which user names are taken."""

import math
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cartable.accounts import actions
from cartable.accounts.models import Invitation, User, new_code, normalize_code

pytestmark = pytest.mark.django_db

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _join(client, code, ip="203.0.113.7"):
    return client.get(
        reverse("accounts:join", args=[code]), REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_codes_carry_eighty_bits_in_crockford_base32():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 16 and set(code) <= set(CROCKFORD)
    assert 16 * math.log2(len(CROCKFORD)) == 80


def test_a_code_is_shown_in_groups_of_four(klass, teacher):
    invitation = actions.create_invitation(klass, by=teacher)
    assert re.fullmatch(r"([0-9A-Z]{4}-){3}[0-9A-Z]{4}", invitation.display_code)
    assert invitation.display_code.replace("-", "") == invitation.code


def test_a_code_may_be_typed_loosely(klass, teacher):
    invitation = Invitation.objects.create(
        group=klass,
        created_by=teacher,
        code="0A1B2C3D4E5F6G7H",
        expires_at=timezone.now() + timedelta(days=1),
    )
    for typed in (
        "0a1b-2c3d-4e5f-6g7h",
        " oa1b 2c3d 4e5f 6g7h ",
        "OAlB2C3D4E5F6G7H",
        "0AIB2C3D4E5F6G7H",
    ):
        assert normalize_code(typed) == invitation.code, typed
        assert actions.find_invitation(typed) == invitation


def test_codes_made_before_still_work_until_they_expire(klass, teacher):
    old = Invitation.objects.create(
        group=klass,
        created_by=teacher,
        code="HKPR7UVW",
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert actions.find_invitation("hkpr-7uvw") == old


def test_the_join_page_is_limited_by_address_block(client, klass, teacher):
    invitation = actions.create_invitation(klass, by=teacher)
    for n in range(30):
        assert _join(client, new_code(), ip=f"203.0.113.{n}").status_code == 404
    refused = _join(client, invitation.code, ip="203.0.113.200")
    assert refused.status_code == 429
    assert "Too many failed attempts" in refused.content.decode()
    assert _join(client, invitation.code, ip="198.51.100.1").status_code == 200


def test_the_join_page_is_limited_by_code_tried(client):
    code = new_code()
    for n in range(10):
        assert _join(client, code, ip=f"198.51.{n}.1").status_code == 404
    assert _join(client, code, ip="192.0.2.1").status_code == 429


def test_a_right_code_does_not_count(client, klass, teacher):
    invitation = actions.create_invitation(klass, by=teacher)
    for _ in range(40):
        assert _join(client, invitation.code).status_code == 200


def _sign_up(client, invitation, username):
    return client.post(
        reverse("accounts:join", args=[invitation.code]),
        {
            "display_name": f"New {username}",
            "username": username,
            "password": "un-mot-de-passe-sûr",
            "password_again": "un-mot-de-passe-sûr",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_join_form_answers_alike_for_taken_and_free_names(client, klass, teacher, student):
    invitation = actions.create_invitation(klass, by=teacher)
    taken = _sign_up(client, invitation, "LEA.4EB")
    free = _sign_up(client.__class__(), invitation, "tom.4eb")
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == klass.get_absolute_url()
    # The taken name was not given twice: the newcomer got a free one, shown on arrival.
    newcomer = User.objects.get(display_name="New LEA.4EB")
    assert newcomer.username.lower() != "lea.4eb"
    assert newcomer.username.startswith("lea.4eb")
    welcome = client.get(taken["Location"]).content.decode()
    assert newcomer.username in welcome
    assert User.objects.filter(username="tom.4eb").exists()


def test_a_taken_name_is_never_named_as_taken(client, klass, teacher, student):
    invitation = actions.create_invitation(klass, by=teacher)
    response = client.post(
        reverse("accounts:join", args=[invitation.code]),
        {
            "display_name": "Léa",
            "username": "lea.4eb",
            "password": "1234",
            "password_again": "1234",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "taken" not in response.content.decode()
