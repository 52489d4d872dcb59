from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from cartable.accounts import actions
from cartable.accounts.models import AppPassword, LoginFlow
from cartable.core.registry import registry

pytestmark = pytest.mark.django_db

DESKTOP = "Mozilla/5.0 (Linux) mirall/3.7.3 (Nextcloud, debian-6.1.0 ClientArchitecture: x86_64)"
ANDROID = "Mozilla/5.0 (Android) Nextcloud-android/3.26.0"


def start(client) -> dict:
    response = client.post("/index.php/login/v2", headers={"User-Agent": DESKTOP})
    assert response.status_code == 200
    return response.json()


def poll(client, token: str):
    return client.post("/index.php/login/v2/poll", {"token": token})


def test_login_flow_v2_gives_the_desktop_client_an_app_password_once(client, teacher):
    device = Client()
    flow = start(device)
    assert flow["poll"]["endpoint"] == "http://testserver/index.php/login/v2/poll"
    assert poll(device, flow["poll"]["token"]).status_code == 404

    login_path = urlsplit(flow["login"]).path
    assert client.get(login_path).status_code == 302  # to the sign-in page
    client.force_login(teacher)
    page = client.get(login_path).content.decode()
    assert "Nextcloud desktop (Linux)" in page
    assert "mirall/3.7.3" in page
    assert poll(device, flow["poll"]["token"]).status_code == 404

    assert client.post(login_path, {"decision": "grant"}).status_code == 200
    answer = poll(device, flow["poll"]["token"]).json()
    assert answer["server"] == "http://testserver"
    assert answer["loginName"] == "claire"
    assert actions.authenticate_app_password("claire", answer["appPassword"]) == teacher
    assert AppPassword.objects.get(user=teacher).name == "Nextcloud desktop (Linux)"
    # Consumed: neither the poll nor the page work again.
    assert poll(device, flow["poll"]["token"]).status_code == 404
    assert client.get(login_path).status_code == 404


def test_poll_token_is_not_stored(client):
    flow = start(client)
    stored = LoginFlow.objects.get()
    assert flow["poll"]["token"] not in stored.poll_token_hash
    assert stored.login_token in flow["login"]


def test_refused_login_flow_gives_nothing(client, teacher):
    device = Client()
    flow = start(device)
    client.force_login(teacher)
    client.post(urlsplit(flow["login"]).path, {"decision": "deny"})
    assert poll(device, flow["poll"]["token"]).status_code == 404
    assert not AppPassword.objects.exists()


def test_another_site_cannot_grant_without_the_csrf_token(teacher):
    browser = Client(enforce_csrf_checks=True)
    flow = start(Client())
    browser.force_login(teacher)
    response = browser.post(urlsplit(flow["login"]).path, {"decision": "grant"})
    assert response.status_code == 403
    assert not LoginFlow.objects.filter(granted_at__isnull=False).exists()


def test_expired_login_flow_cannot_be_granted_nor_polled(client, teacher):
    device = Client()
    flow = start(device)
    client.force_login(teacher)
    login_path = urlsplit(flow["login"]).path
    LoginFlow.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(login_path, {"decision": "grant"}).status_code == 404
    assert poll(device, flow["poll"]["token"]).status_code == 404


def test_retention_purges_expired_login_flows(client):
    start(client)
    start(client)
    LoginFlow.objects.filter(pk=LoginFlow.objects.first().pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert registry.retention["login_flows"].run() == 1
    assert LoginFlow.objects.count() == 1


def test_login_flow_v1_hands_the_android_app_its_password(client, teacher):
    response = client.get("/index.php/login/flow", headers={"User-Agent": ANDROID})
    assert response.status_code == 302
    grant_path = response["Location"]
    client.force_login(teacher)
    assert "Nextcloud Android" in client.get(grant_path).content.decode()
    response = client.post(grant_path, {"decision": "grant"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("nc://login/server:http://testserver&user:claire&password:")
    password = unquote(location.rsplit("&password:", 1)[1])
    assert actions.authenticate_app_password("claire", password) == teacher
    assert not LoginFlow.objects.exists()
