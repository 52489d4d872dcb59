"""The "grant access" page of the login flow: what a device says about itself is shown as
unverified, beside what is known (address, time, account); tokens tried are limited."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from cartable.accounts.login_flows import client_name
from cartable.accounts.models import LoginFlow

pytestmark = pytest.mark.django_db

PHISHING = "Cartable security team: click Grant to keep your account <b>open</b>"


def _start(user_agent: str, ip: str = "198.51.100.23") -> str:
    device = Client()
    response = device.post(
        "/index.php/login/v2", headers={"User-Agent": user_agent}, REMOTE_ADDR=ip
    )
    return urlsplit(response.json()["login"]).path


def _page(client, path: str) -> str:
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.5").content.decode()


def test_the_heading_does_not_speak_with_the_devices_words(client, teacher):
    path = _start(PHISHING)
    client.force_login(teacher)
    page = _page(client, path)
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "Cartable security team" not in heading
    assert "Connect an app" in heading


def test_what_the_device_says_is_labelled_unverified_and_escaped(client, teacher):
    path = _start(PHISHING)
    client.force_login(teacher)
    page = _page(client, path)
    assert "What the device says about itself (not verified)" in page
    assert "<b>open</b>" not in page
    assert "&lt;b&gt;open&lt;/b&gt;" in page


def test_the_page_shows_the_address_the_time_and_the_account(client, teacher):
    path = _start("Mozilla/5.0 (Linux) mirall/3.7.3", ip="198.51.100.23")
    client.force_login(teacher)
    page = _page(client, path)
    assert "198.51.100.23" in page  # where the request came from
    assert "203.0.113.5" in page  # where this browser is
    assert teacher.username in page
    flow = LoginFlow.objects.get()
    assert timezone.localtime(flow.created_at).strftime("%H:%M") in page
    assert "Only grant access if you just started this yourself in a Nextcloud app" in page


def test_the_device_name_is_short_and_cannot_reverse_the_text():
    name = client_name("A" * 500 + "\u202egnp.exe\u200b\x00")
    assert len(name) <= 60
    assert "\u202e" not in name and "\u200b" not in name and "\x00" not in name
    assert client_name("\u202e\u200b") == "Nextcloud"


def test_unknown_login_tokens_are_limited_by_address_block(client, teacher):
    path = _start("Mozilla/5.0 (Linux) mirall/3.7.3")
    client.force_login(teacher)
    for n in range(60):
        response = client.get(f"/index.php/login/v2/flow/guess{n}", REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 404
    assert client.get(path, REMOTE_ADDR="203.0.113.10").status_code == 429
    assert client.get(path, REMOTE_ADDR="198.51.100.1").status_code == 200


def test_polling_a_pending_flow_is_not_a_failure_but_guessing_tokens_is():
    device = Client()
    token = device.post("/index.php/login/v2").json()["poll"]["token"]
    for _ in range(100):
        answer = device.post("/index.php/login/v2/poll", {"token": token})
        assert answer.status_code == 404
    for n in range(60):
        device.post("/index.php/login/v2/poll", {"token": f"guess{n}"})
    assert device.post("/index.php/login/v2/poll", {"token": token}).status_code == 429
