import pytest
from django.urls import reverse

from cartable.accounts import actions
from cartable.core.models import DailyActivity
from cartable.portal.actions import answer_contribution, send_contribution
from cartable.portal.models import Contribution

pytestmark = pytest.mark.django_db


def test_home_invites_guests_and_sends_users_to_their_dashboard(client, teacher):
    response = client.get("/")
    assert response.status_code == 200
    client.force_login(teacher)
    assert client.get("/")["Location"] == reverse("portal:dashboard")


def test_dashboard_shows_registered_cards_and_my_classes(client, teacher, klass):
    client.force_login(teacher)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert klass.name in html
    assert reverse("accounts:groups") in html


def test_pages_are_served_with_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_references_another_origin(client, teacher, klass):
    client.force_login(teacher)
    for url in [
        "/",
        reverse("portal:dashboard"),
        klass.get_absolute_url(),
        reverse("accounts:profile"),
    ]:
        html = client.get(url).content.decode()
        assert "http://" not in html.replace("http://testserver", "") or "cdn" not in html
        for marker in ("googleapis", "cdn.", "gstatic", "unpkg", "jsdelivr"):
            assert marker not in html


def test_search_finds_only_my_classes(client, teacher, other_teacher, klass):
    actions.create_group(other_teacher, "4e B — autre collège")
    client.force_login(teacher)
    html = client.get(reverse("portal:search"), {"q": "4e"}).content.decode()
    assert klass.get_absolute_url() in html
    assert "autre collège" not in html


def test_search_survives_odd_queries(client, teacher, klass):
    client.force_login(teacher)
    for q in ['"', "NEAR(", "a OR b*", "*", "'; DROP TABLE", "é"]:
        assert client.get(reverse("portal:search"), {"q": q}).status_code == 200


def test_contribution_is_tagged_with_the_academy_and_answered_publicly(
    client, teacher, admin, academy, events
):
    client.force_login(teacher)
    response = client.post(
        reverse("portal:contributions"),
        {"topic": "platform", "title": "Mode sombre", "body": "Merci !"},
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.academy == academy
    with events():
        answer_contribution(
            contribution, by=admin, status="planned", answer="Prévu pour la rentrée."
        )
    assert teacher.notifications.count() == 1
    html = client.get(reverse("portal:contributions")).content.decode()
    assert "Prévu pour la rentrée." in html


def test_only_administrators_triage(client, teacher, admin):
    contribution = send_contribution(teacher, title="Idée", body="…", topic="other")
    client.force_login(teacher)
    assert client.get(reverse("portal:triage")).status_code == 403
    response = client.post(
        reverse("portal:contribution_answer", args=[contribution.public_id]),
        {f"{contribution.public_id}-status": "done", f"{contribution.public_id}-answer": "Non"},
    )
    assert response.status_code == 403
    client.force_login(admin)
    assert client.get(reverse("portal:triage")).status_code == 200
    response = client.post(
        reverse("portal:contribution_answer", args=[contribution.public_id]),
        {f"{contribution.public_id}-status": "done", f"{contribution.public_id}-answer": "Fait"},
    )
    contribution.refresh_from_db()
    assert contribution.status == "done" and contribution.answer == "Fait"


def test_statistics_are_for_administrators(client, teacher, student, admin):
    client.force_login(teacher)
    assert client.get(reverse("portal:stats")).status_code == 403
    client.force_login(student)
    assert client.get(reverse("portal:stats")).status_code == 403
    client.force_login(admin)
    html = client.get(reverse("portal:stats")).content.decode()
    assert "data-pct" in html


def test_daily_activity_is_counted_once_per_day(client, teacher):
    client.force_login(teacher)
    client.get(reverse("portal:dashboard"))
    client.get(reverse("portal:dashboard"))
    assert DailyActivity.objects.filter(user=teacher).count() == 1


def test_language_switch_changes_the_page_language(client):
    assert 'lang="fr"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html


def test_answering_a_contribution_never_sends_the_administrator_to_another_site(client, admin):
    contribution = send_contribution(admin, title="Idée", body="…", topic="other")
    client.force_login(admin)
    url = reverse("portal:contribution_answer", args=[contribution.public_id])
    data = {f"{contribution.public_id}-status": "done", f"{contribution.public_id}-answer": "Ok"}
    away = client.post(url, {**data, "next": "https://evil.example/"})
    assert away.status_code == 302 and away["Location"] == reverse("portal:triage")
    here = client.post(url, {**data, "next": "/guide/"})
    assert here["Location"] == "/guide/"
