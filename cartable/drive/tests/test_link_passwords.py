"""Passwords of public links: strong enough when set, and limited when tried."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import override

from cartable.accounts.actions import create_app_password
from cartable.drive import actions
from cartable.drive.actions import sharing
from cartable.drive.errors import InvalidName
from cartable.drive.models import ShareLink
from cartable.drive.tests.nextcloud.conftest import basic

API = "/ocs/v2.php/apps/files_sharing/api/v1"

pytestmark = pytest.mark.django_db

STRONG = "rendez-vous-au-cdi"


@pytest.fixture
def folder(teacher, my_root):
    return actions.create_folder(my_root, "Sortie au musée", by=teacher)


@pytest.fixture
def protected(teacher, folder):
    return sharing.create_link(folder, by=teacher, password=STRONG)


def _try(client, link, password, ip="203.0.113.7", language="en"):
    return client.post(
        reverse("drive:link", args=[link.token]),
        {"password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize("weak", ["1234", "azerty123", "s3cret", "marseille", "12345678901"])
def test_a_weak_link_password_is_refused(teacher, folder, weak):
    with override("en"), pytest.raises(InvalidName) as refused:
        sharing.create_link(folder, by=teacher, password=weak)
    assert "stronger password" in refused.value.message
    assert not ShareLink.objects.exists()


def test_a_weak_password_cannot_replace_a_strong_one_but_none_may(teacher, protected):
    with pytest.raises(InvalidName):
        sharing.update_link(protected, by=teacher, password="motdepasse")
    sharing.update_link(protected, by=teacher, password="")
    protected.refresh_from_db()
    assert not protected.password


def test_the_share_page_says_why_in_french_and_english(client, teacher, folder):
    client.force_login(teacher)
    url = reverse("drive:share", args=[folder.public_id])
    for language, words in (("en", "Choose a stronger password"), ("fr", "Choisissez un mot")):
        response = client.post(
            url,
            {"action": "link", "kind": "viewer", "password": "azerty123"},
            HTTP_ACCEPT_LANGUAGE=language,
            follow=True,
        )
        assert words in response.content.decode(), language
    assert not ShareLink.objects.exists()


def test_the_share_api_refuses_a_weak_password_with_its_reason(client, teacher, folder):
    _app_password, clear = create_app_password(teacher, "Nextcloud desktop")
    teacher_auth = basic(teacher.username, clear)
    response = client.post(
        f"{API}/shares?format=json",
        {"path": "/Sortie au musée", "shareType": 3, "password": "1234"},
        headers={"Authorization": teacher_auth, "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "stronger password" in response.json()["ocs"]["meta"]["message"]
    assert not ShareLink.objects.exists()


def test_the_sixth_wrong_password_is_refused_with_the_limiters_message(client, protected):
    for _ in range(5):
        response = _try(client, protected, "not-the-password")
        assert response.status_code == 403
        assert "not the right one" in response.content.decode()
    sixth = _try(client, protected, "not-the-password")
    assert sixth.status_code == 429
    assert "Too many failed attempts" in sixth.content.decode()
    # The right password is refused too while the limit holds.
    right = _try(client, protected, STRONG)
    assert right.status_code == 429
    assert "Sortie au musée" not in client.get(f"/drive/s/{protected.token}").content.decode()
    french = _try(client, protected, STRONG, language="fr")
    assert "Trop de tentatives" in french.content.decode()


def test_the_limit_is_per_link_and_the_right_password_opens(client, teacher, folder, protected):
    other = sharing.create_link(folder, by=teacher, password=STRONG)
    for _ in range(5):
        _try(client, protected, "not-the-password")
    assert _try(client, other, STRONG).status_code == 302


def test_one_address_block_guessing_many_links_is_stopped(client, settings, teacher, folder):
    settings.SECRET_RATE_LIMITS = {
        **settings.SECRET_RATE_LIMITS,
        "link_password": "10/10m/ip,5/5m/key",
    }
    links = [sharing.create_link(folder, by=teacher, password=STRONG) for _ in range(11)]
    for n, link in enumerate(links[:10]):
        _try(client, link, "not-the-password", ip=f"203.0.113.{n}")
    assert _try(client, links[10], STRONG, ip="203.0.113.99").status_code == 429
    assert _try(client, links[10], STRONG, ip="198.51.100.1").status_code == 302
