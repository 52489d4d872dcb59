from datetime import timedelta

import pytest
from django.utils import timezone

from cartable.accounts.actions import create_group
from cartable.core.models import Notification
from cartable.drive import access, actions
from cartable.drive.actions import sharing
from cartable.drive.errors import Forbidden, InvalidName, NotFound
from cartable.drive.models import Activity
from cartable.testing.factories import UserFactory

from .conftest import put


@pytest.fixture
def folder(teacher, my_root):
    return actions.create_folder(my_root, "Séquence 3", by=teacher)


def test_teacher_shares_a_folder_with_a_colleague_who_is_told(teacher, colleague, folder):
    sharing.share_with_user(folder, colleague, "editor", by=teacher)
    assert "edit" in access.abilities(colleague, folder)
    assert "share" not in access.abilities(colleague, folder)
    assert Notification.objects.get(recipient=colleague).kind == "drive.shared"
    assert Activity.objects.filter(node=folder, verb="shared").exists()


def test_sharing_again_changes_the_role_without_a_second_notification(teacher, colleague, folder):
    sharing.share_with_user(folder, colleague, "viewer", by=teacher)
    grant = sharing.share_with_user(folder, colleague, "manager", by=teacher)
    assert grant.role == "manager"
    assert Notification.objects.filter(recipient=colleague).count() == 1


def test_editor_cannot_reshare(teacher, colleague, other_teacher, folder):
    sharing.share_with_user(folder, colleague, "editor", by=teacher)
    with pytest.raises(Forbidden):
        sharing.share_with_user(folder, other_teacher, "viewer", by=colleague)


@pytest.mark.parametrize("persona", ["other_teacher", "student", "guest"])
def test_stranger_cannot_share_my_folder(request, persona, teacher, colleague, folder):
    who = request.getfixturevalue(persona)
    with pytest.raises(NotFound):
        sharing.share_with_user(folder, colleague, "viewer", by=who)
    with pytest.raises(NotFound):
        sharing.create_link(folder, by=who)


def test_manager_of_a_shared_folder_shares_on_but_not_as_owner(teacher, colleague, folder):
    third = UserFactory(username="nora", structure=teacher.structure)
    sharing.share_with_user(folder, colleague, "manager", by=teacher)
    sharing.share_with_user(folder, third, "editor", by=colleague)
    with pytest.raises(InvalidName):
        sharing.share_with_user(folder, third, "owner", by=colleague)


def test_student_cannot_share_the_class_folder(teacher, student, colleague, class_root):
    doc = put(class_root, "cours.pdf", b"%PDF", teacher)
    with pytest.raises(Forbidden):
        sharing.share_with_user(doc, colleague, "viewer", by=student)
    with pytest.raises(Forbidden):
        sharing.create_link(doc, by=student)


def test_manager_role_only_on_folders(teacher, colleague, my_root):
    doc = put(my_root, "a.txt", b"a", teacher)
    with pytest.raises(InvalidName):
        sharing.share_with_user(doc, colleague, "manager", by=teacher)


def test_class_shares_give_members_the_role(teacher, klass, student, folder):
    sharing.share_with_group(folder, klass, "viewer", by=teacher)
    assert access.abilities(student, folder) == {"view", "download"}
    assert Notification.objects.filter(recipient=student).exists()


def test_cannot_share_with_a_group_one_is_not_in(teacher, other_teacher, folder):
    theirs = create_group(other_teacher, "2nde 1")
    # As for a group that does not exist: the answer does not tell which.
    with pytest.raises(NotFound):
        sharing.share_with_group(folder, theirs, "viewer", by=teacher)


def test_file_drop_link_only_on_folders_and_is_upload_only(teacher, my_root, folder, guest):
    doc = put(my_root, "a.txt", b"a", teacher)
    with pytest.raises(InvalidName):
        sharing.create_link(doc, by=teacher, file_drop=True)
    link = sharing.create_link(folder, by=teacher, file_drop=True)
    assert access.abilities(guest, folder, link=link) == access.DROP_FOLDER
    put(folder, "copie-de-lea.pdf", b"%PDF", teacher)
    assert (
        access.abilities(guest, actions.live_child(folder, "copie-de-lea.pdf"), link=link)
        == frozenset()
    )


def test_link_password_is_hashed_and_expiry_in_the_future(teacher, folder):
    link = sharing.create_link(folder, by=teacher, password="sortie-au-musee")
    assert link.password != "sortie-au-musee"
    assert access.link_password_matches(link, "sortie-au-musee")
    with pytest.raises(InvalidName):
        sharing.update_link(link, by=teacher, expires_at=timezone.now() - timedelta(days=1))
    sharing.update_link(link, by=teacher, password="")
    assert access.link_password_matches(link, "")


def test_recipient_may_leave_a_share_but_not_end_someone_elses(teacher, colleague, folder):
    third = UserFactory(username="nora", structure=teacher.structure)
    mine = sharing.share_with_user(folder, colleague, "viewer", by=teacher)
    theirs = sharing.share_with_user(folder, third, "viewer", by=teacher)
    with pytest.raises(Forbidden):
        sharing.unshare(theirs, by=colleague)
    sharing.unshare(mine, by=colleague)
    assert access.abilities(colleague, folder) == frozenset()
    assert Activity.objects.filter(node=folder, verb="unshared").exists()
