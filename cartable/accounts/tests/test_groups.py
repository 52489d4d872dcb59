from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cartable.accounts import actions
from cartable.accounts.models import Group, Invitation, Membership, User
from cartable.core.search import search

pytestmark = pytest.mark.django_db


def test_teacher_creates_a_class_and_owns_it(teacher):
    group = actions.create_group(teacher, "  3e A — Maths ")
    assert group.name == "3e A — Maths"
    assert actions.group_role(teacher, group) == "owner"
    assert group.structure == teacher.structure
    assert group.school_year


def test_student_cannot_create_a_class(student):
    with pytest.raises(PermissionDenied):
        actions.create_group(student, "Mon club")


def test_class_page_is_hidden_from_non_members(client, klass, other_teacher, student):
    url = klass.get_absolute_url()
    client.force_login(other_teacher)
    assert client.get(url).status_code == 404
    client.force_login(student)
    assert client.get(url).status_code == 200


def test_guest_is_sent_to_sign_in(client, klass):
    response = client.get(klass.get_absolute_url())
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_teacher_creates_a_class_through_the_page(client, teacher):
    client.force_login(teacher)
    response = client.post(
        reverse("accounts:groups"), {"name": "2nde 4", "kind": "class", "description": ""}
    )
    group = Group.objects.get(name="2nde 4")
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()


def test_co_teacher_is_added_as_manager_and_notified(klass, teacher, colleague, events):
    with events() as sent:
        actions.add_co_teacher(klass, colleague.email, by=teacher)
    assert actions.group_role(colleague, klass) == "manager"
    assert colleague.notifications.count() == 1
    assert any(e["type"] == "notification" and e["to"] == f"user.{colleague.pk}" for e in sent)


def test_co_teacher_must_be_a_known_staff_member(klass, teacher, student):
    with pytest.raises(ValidationError):
        actions.add_co_teacher(klass, "unknown@ac-lyon.fr", by=teacher)


def test_student_cannot_manage_the_class(klass, student):
    with pytest.raises(PermissionDenied):
        actions.create_invitation(klass, by=student)


def test_other_teacher_cannot_invite_to_my_class(client, klass, other_teacher):
    client.force_login(other_teacher)
    response = client.post(
        reverse("accounts:group_invite", args=[klass.public_id]), {"days": 7, "max_uses": 30}
    )
    assert response.status_code == 404
    assert not klass.invitations.exists()


def test_student_joins_with_a_code_and_a_chosen_password(klass, teacher):
    invitation = actions.create_invitation(klass, by=teacher, days=7, max_uses=30)
    student = actions.join_as_new_student(
        invitation.code.lower(),
        username="tom.3a",
        password="un-mot-de-passe-sûr",
        display_name="Tom",
    )
    assert student.kind == User.Kind.STUDENT
    assert not student.email
    assert actions.group_role(student, klass) == "member"
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_join_gives_a_free_name_for_a_taken_one_and_refuses_a_weak_password(
    klass, teacher, student
):
    invitation = actions.create_invitation(klass, by=teacher)
    other = actions.join_as_new_student(
        invitation.code, username="LEA.4EB", password="un-mot-de-passe-sûr", display_name="Léa"
    )
    assert other != student and other.username.lower() != "lea.4eb"
    with pytest.raises(ValidationError):
        actions.join_as_new_student(
            invitation.code, username="nouveau", password="1234", display_name="N"
        )
    assert not User.objects.filter(username="nouveau").exists()


def test_expired_revoked_and_full_invitations_are_refused(klass, teacher):
    expired = Invitation.objects.create(
        group=klass, created_by=teacher, expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoked = actions.create_invitation(klass, by=teacher)
    actions.revoke_invitation(revoked, by=teacher)
    full = actions.create_invitation(klass, by=teacher, max_uses=1)
    actions.join_as_new_student(
        full.code, username="first", password="un-mot-de-passe-sûr", display_name="A"
    )
    for code in (expired.code, revoked.code, full.code, "NOPE1234"):
        with pytest.raises(ValidationError):
            actions.join_as_new_student(
                code, username=f"late{code}", password="un-mot-de-passe-sûr", display_name="B"
            )
    assert klass.memberships.count() == 2  # the teacher and the first student


def test_join_page_creates_the_student_and_signs_in(client, klass, teacher):
    invitation = actions.create_invitation(klass, by=teacher)
    url = reverse("accounts:join", args=[invitation.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "display_name": "Inès",
            "username": "ines",
            "password": "un-mot-de-passe-sûr",
            "password_again": "un-mot-de-passe-sûr",
        },
    )
    assert response.status_code == 302
    assert client.get(klass.get_absolute_url()).status_code == 200


def test_join_page_with_a_bad_code_says_so(client):
    response = client.get(reverse("accounts:join", args=["BADCODE1"]))
    assert response.status_code == 404
    assert "code" in response.content.decode().lower()


def test_signed_in_staff_joins_with_a_code(client, klass, teacher, other_teacher):
    invitation = actions.create_invitation(klass, by=teacher)
    client.force_login(other_teacher)
    response = client.post(reverse("accounts:join", args=[invitation.code]))
    assert response.status_code == 302
    assert actions.group_role(other_teacher, klass) == "member"


def test_last_owner_cannot_leave(klass, teacher):
    with pytest.raises(ValidationError):
        actions.remove_member(klass, teacher, by=teacher)


def test_student_may_leave_but_not_remove_others(klass, student, teacher):
    other = User.objects.create(username="other", kind="student")
    Membership.objects.create(group=klass, user=other)
    with pytest.raises(PermissionDenied):
        actions.remove_member(klass, other, by=student)
    actions.remove_member(klass, student, by=student)
    assert actions.group_role(student, klass) is None


def test_teacher_resets_a_student_password_but_not_a_stranger(
    klass, teacher, student, other_teacher
):
    actions.reset_student_password(student, "nouveau-mot-de-passe", by=teacher)
    student.refresh_from_db()
    assert student.check_password("nouveau-mot-de-passe")
    with pytest.raises(PermissionDenied):
        actions.reset_student_password(student, "encore-un-autre-mdp", by=other_teacher)


def test_archiving_a_class_revokes_its_codes(klass, teacher):
    invitation = actions.create_invitation(klass, by=teacher)
    actions.archive_group(klass, by=teacher)
    invitation.refresh_from_db()
    assert not invitation.is_usable


def test_manager_renames_the_class_and_search_follows(client, klass, teacher):
    client.force_login(teacher)
    response = client.post(
        reverse("accounts:group_settings", args=[klass.public_id]),
        {"name": "4e B — SVT", "description": "Sciences"},
    )
    assert response.status_code == 302
    klass.refresh_from_db()
    assert klass.name == "4e B — SVT"
    assert search(teacher, "SVT")["groups"][0].title == "4e B — SVT"


def test_student_cannot_open_class_settings(client, klass, student):
    client.force_login(student)
    assert client.get(reverse("accounts:group_settings", args=[klass.public_id])).status_code == 403
