import pytest
from django.core.cache import cache
from django.urls import reverse

from cartable.core.models import AuditEntry
from cartable.core.net import address_block
from cartable.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _login(client, login, password, ip="203.0.113.7"):
    return client.post(
        reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=ip
    )


def test_address_blocks():
    assert address_block("203.0.113.7") == "203.0.113.0/24"
    assert address_block("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert address_block("not an ip") == "not an ip"


def test_guessing_one_account_is_stopped_but_the_classroom_behind_the_same_nat_signs_in(
    client, teacher, django_user_model
):
    for _ in range(5):
        assert _login(client, teacher.email, "wrong password").status_code == 200
    # The right password no longer works for a while: the account is being guessed.
    blocked = _login(client, teacher.email, PASSWORD)
    assert blocked.status_code == 200
    # Thirty colleagues behind the same school address sign in without trouble.
    for n in range(30):
        colleague = UserFactory(username=f"prof{n}", email=f"prof{n}@ac-lyon.fr")
        other = client.__class__()
        response = _login(other, colleague.email, PASSWORD, ip=f"203.0.113.{n + 10}")
        assert response.status_code == 302, n


def test_failed_sign_ins_are_audited_without_the_password(client, teacher):
    _login(client, teacher.email, "hunter2-wrong")
    entry = AuditEntry.objects.filter(action="auth.login_failed").latest("created_at")
    assert "hunter2" not in str(entry.data) and "hunter2" not in entry.target


def test_successful_sign_in_is_audited(client, teacher):
    _login(client, teacher.email, PASSWORD)
    assert AuditEntry.objects.filter(action="auth.login", actor=teacher).exists()
