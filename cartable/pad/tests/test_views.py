import pytest
from django.urls import reverse

from cartable.accounts.actions import create_group
from cartable.core.roles import Reach, Role
from cartable.pad import actions, store
from cartable.pad.models import Pad

pytestmark = pytest.mark.django_db


def test_teacher_creates_a_pad_and_opens_it(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("pad:index"), {"title": "Compte rendu", "group": ""})
    pad = Pad.objects.get(title="Compte rendu")
    assert response["Location"] == pad.get_absolute_url()
    assert pad.get_absolute_url() == f"/pad/p/{pad.pad_id}"
    html = client.get(pad.get_absolute_url()).content.decode()
    assert f'data-ws="/ws/pad/{pad.pad_id}"' in html and 'data-can-edit="true"' in html


def test_student_creates_pads_only_for_a_class(client, student, klass):
    client.force_login(student)
    client.post(reverse("pad:index"), {"title": "Perso", "group": ""})
    assert not Pad.objects.filter(title="Perso").exists()
    client.post(reverse("pad:index"), {"title": "Exposé", "group": str(klass.public_id)})
    assert Pad.objects.filter(title="Exposé", owner_group=klass).exists()


def test_student_cannot_create_a_pad_for_a_class_they_are_not_in(client, student, other_teacher):
    other = create_group(other_teacher, "Autre")
    client.force_login(student)
    client.post(reverse("pad:index"), {"title": "Intrus", "group": str(other.public_id)})
    assert not Pad.objects.filter(title="Intrus").exists()


def test_guest_with_the_edit_link_chooses_a_name_first(client, teacher):
    pad = actions.create_pad(owner=teacher, reach=Reach.LINK)
    response = client.get(pad.get_absolute_url())
    assert "name" in response.content.decode() and response.status_code == 200
    client.post(pad.get_absolute_url(), {"name": "Maman de Léa"})
    html = client.get(pad.get_absolute_url()).content.decode()
    assert 'data-author-name="Maman de Léa"' in html


def test_read_only_link_shows_the_pad_read_only(client, teacher):
    pad = actions.create_pad(owner=teacher, text="Bonjour", reach=Reach.RESTRICTED)
    html = client.get(pad.get_readonly_url()).content.decode()
    assert 'data-can-edit="false"' in html


def test_restricted_pad_is_hidden_from_other_teachers(client, teacher, other_teacher):
    pad = actions.create_pad(owner=teacher, reach=Reach.RESTRICTED)
    client.force_login(other_teacher)
    assert client.get(pad.get_absolute_url()).status_code == 404


def test_visiting_a_free_name_offers_to_create_it(client, teacher):
    client.force_login(teacher)
    assert client.get("/pad/p/reunion-parents").status_code == 404
    response = client.post("/pad/p/reunion-parents")
    assert response["Location"] == "/pad/p/reunion-parents"
    assert Pad.objects.filter(pad_id="reunion-parents", owner=teacher).exists()


def test_only_managers_change_sharing(client, teacher, colleague):
    pad = actions.create_pad(owner=teacher)
    actions.share_with_user(pad, colleague, Role.EDITOR, by=teacher)
    client.force_login(colleague)
    assert client.get(reverse("pad:settings", args=[pad.pad_id])).status_code == 403
    client.force_login(teacher)
    client.post(
        reverse("pad:settings", args=[pad.pad_id]),
        {"title": "Nouveau titre", "reach": "structure"},
    )
    pad.refresh_from_db()
    assert pad.title == "Nouveau titre" and pad.reach == "structure"


def test_pads_are_searchable_by_those_who_may_see_them(client, teacher, other_teacher, events):
    pad = actions.create_pad(
        owner=teacher,
        title="Sortie au musée",
        reach=Reach.RESTRICTED,
        text="Autorisations parentales",
    )
    store.save_text(pad.pk, store.load_document(pad.pk)[0])
    client.force_login(teacher)
    assert (
        pad.get_absolute_url()
        in client.get(reverse("portal:search"), {"q": "autorisations"}).content.decode()
    )
    client.force_login(other_teacher)
    assert (
        pad.get_absolute_url()
        not in client.get(reverse("portal:search"), {"q": "autorisations"}).content.decode()
    )
