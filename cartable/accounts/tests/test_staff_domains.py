"""Who may sign up as staff: e-mail domains matched label by label, never across a dot."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cartable.accounts.actions import check_staff_email, create_staff_user, is_staff_email
from cartable.accounts.models import User, domain_matches

ATTACKERS = [
    "eve@ac-1.attacker.fr",
    "eve@mail.ac-foo.example.fr",
    "eve@ac-paris.fr.attacker.com",
    "eve@evil-ac-paris.fr",
    "eve@ac-evil.fr",
    "eve@education.gouv.fr.attacker.fr",
    "eve@attacker.fr",
    "eve@fr",
]
STAFF = [
    "nadia.roux@ac-paris.fr",
    "nadia.roux@ac-versailles.fr",
    "nadia.roux@ac-aix-marseille.fr",
    "nadia.roux@jean-moulin.ac-lyon.fr",
    "nadia.roux@ce.0691234a.ac-lyon.fr",
    "nadia.roux@education.gouv.fr",
    "Nadia.Roux@AC-Paris.FR",
]


@pytest.mark.parametrize("email", ATTACKERS)
def test_the_default_list_refuses_domains_anyone_can_buy(email):
    assert not is_staff_email(email)
    with pytest.raises(ValidationError):
        check_staff_email(email)


@pytest.mark.parametrize("email", STAFF)
def test_the_default_list_accepts_academies_and_their_schools(email):
    assert is_staff_email(email)


def test_a_star_stands_for_part_of_one_label_never_a_dot():
    assert domain_matches("ac-lyon.fr", ["ac-*.fr"])
    assert not domain_matches("ac-1.attacker.fr", ["ac-*.fr"])
    assert domain_matches("etab.ac-lyon.fr", ["*.ac-lyon.fr"])
    assert not domain_matches("a.etab.ac-lyon.fr", ["*.ac-lyon.fr"])
    assert not domain_matches("ac-lyon.fr", ["*.ac-lyon.fr"])
    assert not domain_matches("mail.ac-foo.example.fr", ["*.ac-*.fr"])


def test_a_leading_dot_stands_for_the_domain_and_all_its_subdomains():
    for domain in ("ac-lyon.fr", "etab.ac-lyon.fr", "a.b.ac-lyon.fr", "AC-LYON.FR."):
        assert domain_matches(domain, [".ac-lyon.fr"]), domain
    for domain in ("evil-ac-lyon.fr", "ac-lyon.fr.evil.com", "lyon.fr"):
        assert not domain_matches(domain, [".ac-lyon.fr"]), domain


def test_empty_and_odd_domains_match_nothing():
    assert not domain_matches("", [".ac-lyon.fr", "*"])
    assert not domain_matches("ac-lyon..fr", ["ac-lyon.*.fr"])
    assert not domain_matches("a.fr", ["*"])
    assert domain_matches("a.fr", ["*.*"])


@pytest.mark.django_db
@pytest.mark.parametrize("email", ATTACKERS[:2])
def test_signing_up_as_staff_from_an_attackers_domain_is_refused(client, email):
    response = client.post(reverse("account_signup"), {"email": email})
    assert response.status_code == 200
    assert not User.objects.filter(email=email).exists()
    with pytest.raises(ValidationError):
        create_staff_user(email)
