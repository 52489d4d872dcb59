import pytest
from django.urls import reverse

from cartable.accounts import actions
from cartable.accounts.models import AppPassword
from cartable.cli import main

pytestmark = pytest.mark.django_db


def test_app_password_authenticates_until_revoked(teacher):
    app_password, clear = actions.create_app_password(teacher, "Nextcloud sur mon portable")
    assert actions.authenticate_app_password(teacher.username, clear) == teacher
    assert actions.authenticate_app_password(teacher.email.upper(), clear) == teacher
    assert actions.authenticate_app_password(teacher.username, clear[:-1] + "x") is None
    actions.revoke_app_password(teacher, app_password.public_id)
    assert actions.authenticate_app_password(teacher.username, clear) is None


def test_only_the_hash_is_stored(teacher):
    app_password, clear = actions.create_app_password(teacher, "x")
    assert clear not in app_password.password_hash


def test_user_cannot_revoke_someone_elses_app_password(client, teacher, other_teacher):
    app_password, clear = actions.create_app_password(teacher, "x")
    client.force_login(other_teacher)
    client.post(reverse("accounts:app_password_revoke", args=[app_password.public_id]))
    assert AppPassword.objects.filter(pk=app_password.pk).exists()


def test_app_passwords_page_shows_a_new_password_once(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("accounts:app_passwords"), {"name": "Mon téléphone"})
    assert response.status_code == 200
    assert "data-app-password" in response.content.decode()
    assert "data-app-password" not in client.get(reverse("accounts:app_passwords")).content.decode()


def test_cli_prints_a_working_app_password(teacher, capsys):
    assert main(["apppassword", "create", teacher.email, "--name", "rclone"]) == 0
    clear = capsys.readouterr().out.strip()
    assert actions.authenticate_app_password(teacher.username, clear) == teacher


def test_cli_creates_users_and_refuses_bad_domains(capsys):
    assert main(["user", "create", "nouveau@ac-lyon.fr", "--password", "mot-de-passe-long"]) == 0
    assert main(["user", "create", "someone@gmail.com"]) == 2
    # The refusal is translated (French by default): check that it names the accepted domains.
    assert "ac-aix-marseille.fr" in capsys.readouterr().err
    assert (
        main(["user", "create", "ops@example.org", "--admin", "--password", "mot-de-passe-long"])
        == 0
    )
