"""Who a new pad is open to, before its owner chooses anything, and how its share screen says
so. A link that reaches a pad is never made open implicitly: it gets forwarded."""

from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from cartable.accounts.models import Membership
from cartable.core.roles import Reach, Role
from cartable.pad import actions
from cartable.pad.access import resolve
from cartable.pad.models import Pad

pytestmark = pytest.mark.django_db


def _as(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _create(user, title, group=""):
    response = _as(user).post(reverse("pad:index"), {"title": title, "group": group})
    assert response.status_code == 302
    return Pad.objects.get(title=title)


def _refused(user, pad):
    """``user`` (None: a guest) gets neither the pad nor the guest's name prompt, and the
    pad's socket would refuse them."""
    response = _as(user).get(pad.get_absolute_url())
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404

    return resolve(user or AnonymousUser(), pad.pad_id) is None


def test_a_pad_made_for_a_class_is_open_to_the_class_and_its_teachers_only(
    teacher, colleague, other_teacher, klass, student
):
    pad = _create(teacher, "Notes de la classe", str(klass.public_id))
    assert pad.reach == Reach.RESTRICTED
    for outsider in (None, colleague, other_teacher):
        assert _refused(outsider, pad)
    html = _as(student).get(pad.get_absolute_url()).content.decode()
    assert 'data-can-edit="true"' in html
    # A co-teacher of the class.
    Membership.objects.create(group=klass, user=colleague, role=Membership.Role.MANAGER)
    colleague.forget_group_roles()
    assert "share" in resolve(colleague, pad.pad_id).abilities


def test_a_personal_pad_is_its_owners_until_they_share_it(teacher, colleague, student):
    pad = _create(teacher, "Brouillon")
    assert pad.reach == Reach.RESTRICTED
    for outsider in (None, colleague, student):
        assert _refused(outsider, pad)
    actions.set_reach(pad, Reach.LINK, by=teacher)
    assert _as(None).get(pad.get_absolute_url()).status_code == 200  # the guest's name prompt


def test_a_pad_made_by_visiting_a_free_name_is_its_creators(teacher, colleague):
    _as(teacher).post("/pad/p/conseil-de-classe")
    pad = Pad.objects.get(pad_id="conseil-de-classe")
    assert pad.reach == Reach.RESTRICTED
    assert _refused(colleague, pad) and _refused(None, pad)


def test_the_etherpad_api_keeps_etherpad_s_reach(api):
    """An integration hands a ``createPad`` pad's name to people who have no account here:
    Etherpad's name is the key (documented in docs/pad.md). Group pads need a session."""
    api.ok("createPad", padID="moodle-devoir")
    assert Pad.objects.get(pad_id="moodle-devoir").reach == Reach.LINK
    group = api.ok("createGroup")["groupID"]
    pad_id = api.ok("createGroupPad", groupID=group, padName="devoir")["padID"]
    assert Pad.objects.get(pad_id=pad_id).reach == Reach.RESTRICTED
    assert _refused(None, Pad.objects.get(pad_id=pad_id))


def _share_screen(user, pad):
    return unescape(_as(user).get(reverse("pad:settings", args=[pad.pad_id])).content.decode())


def test_the_share_screen_says_who_has_access_now(teacher, colleague, klass):
    pad = _create(teacher, "Exposés", str(klass.public_id))
    actions.share_with_user(pad, colleague, Role.VIEWER, by=teacher)
    html = _share_screen(teacher, pad)
    assert "Qui y a accès" in html
    assert "4e B peut modifier" in html
    assert "Les enseignants de 4e B peuvent modifier et partager" in html
    assert "Ahmed Benali peut lire" in html
    assert "Claire Martin en est propriétaire" in html
    assert "sans se connecter" not in html
    actions.set_reach(pad, Reach.LINK, by=teacher)
    html = _share_screen(teacher, pad)
    assert "Toute personne ayant le lien de modification, même sans compte, peut modifier" in html


def test_the_share_screen_of_a_pad_nobody_else_has(teacher):
    pad = _create(teacher, "Perso")
    html = _share_screen(teacher, pad)
    assert "Personne d'autre, tant que vous ne le partagez pas." in html
    assert "Toute personne à qui vous donnez le lien de lecture peut lire" in html


def test_the_new_pad_form_says_who_a_pad_will_be_open_to(teacher, klass):
    html = unescape(_as(teacher).get(reverse("pad:index")).content.decode())
    assert "Moi seul (je le partagerai ensuite)" in html
    assert "Un pad pour une classe est ouvert à ses élèves et à ses enseignants" in html
