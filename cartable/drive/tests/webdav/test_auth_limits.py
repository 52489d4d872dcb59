"""App passwords over HTTP Basic (WebDAV, OCS) go through the one limiter."""

from __future__ import annotations

import pytest

from cartable.accounts.actions import create_app_password
from cartable.drive.tests.nextcloud.conftest import basic
from cartable.drive.webdav.auth import RateLimited, basic_user

pytestmark = pytest.mark.django_db

USER = "/ocs/v2.php/cloud/user?format=json"
WRONG = "aaaaa-bbbbb-ccccc-ddddd-eeeee"


def test_a_limited_login_is_refused_even_with_its_remembered_app_password(teacher):
    _app_password, clear = create_app_password(teacher, "Nextcloud desktop")
    assert basic_user("claire", clear, address="203.0.113.7") == teacher  # now remembered
    for _ in range(20):
        assert basic_user("claire", WRONG, address="198.51.100.7") is None
    with pytest.raises(RateLimited):
        basic_user("claire", clear, address="203.0.113.7")
    with pytest.raises(RateLimited):
        basic_user("CLAIRE ", clear, address="203.0.113.7")


def test_successes_do_not_count_against_a_sync_client(teacher):
    _app_password, clear = create_app_password(teacher, "Nextcloud desktop")
    for _ in range(50):
        assert basic_user("claire", clear, address="203.0.113.7") == teacher
    basic_user("claire", WRONG, address="203.0.113.7")
    assert basic_user("claire", clear, address="203.0.113.7") == teacher


def test_one_address_block_trying_many_logins_is_stopped(settings, teacher):
    settings.SECRET_RATE_LIMITS = {
        **settings.SECRET_RATE_LIMITS,
        "app_password": "10/10m/ip,20/5m/key",
    }
    _app_password, clear = create_app_password(teacher, "Nextcloud desktop")
    for n in range(10):
        basic_user(f"nobody{n}", WRONG, address=f"203.0.113.{n}")
    with pytest.raises(RateLimited):
        basic_user("claire", clear, address="203.0.113.200")
    assert basic_user("claire", clear, address="198.51.100.1") == teacher


def test_ocs_refuses_a_limited_login_with_its_right_password(client, teacher):
    _app_password, clear = create_app_password(teacher, "Nextcloud desktop")
    for _ in range(20):
        wrong = client.get(USER, headers={"Authorization": basic("claire", WRONG)})
        assert wrong.status_code == 401
    right = client.get(USER, headers={"Authorization": basic("claire", clear)})
    assert right.status_code == 401
