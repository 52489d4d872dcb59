"""What a new file or folder is open to before anyone shares it, and how the share dialog
says who has access."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser

from cartable.core.roles import Reach
from cartable.drive import actions
from cartable.drive.access import abilities
from cartable.drive.actions import sharing
from cartable.drive.tests.conftest import put

pytestmark = pytest.mark.django_db


def test_new_files_are_open_to_their_space_only_and_get_no_link(
    teacher, colleague, other_teacher, student, klass, my_root, class_root
):
    folder = actions.create_folder(class_root, "Séquence 2", by=teacher)
    handout = put(folder, "fiche.txt", b"x", teacher)
    draft = put(my_root, "brouillon.txt", b"x", teacher)
    for node in (folder, handout, draft):
        assert node.reach == Reach.RESTRICTED
        assert not node.links.exists()
    assert "view" in abilities(student, handout) and "edit" not in abilities(student, handout)
    assert "share" in abilities(teacher, handout)
    for outsider in (colleague, other_teacher, AnonymousUser()):
        assert not abilities(outsider, handout)
    for outsider in (colleague, other_teacher, student, AnonymousUser()):
        assert not abilities(outsider, draft)


def _dialog(client, node):
    html = client.get(f"/drive/n/{node.public_id}/share").content.decode()
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_share_dialog_says_who_has_access_now(client, teacher, colleague, klass, class_root):
    handout = put(class_root, "fiche.txt", b"x", teacher)
    client.force_login(teacher)
    text = _dialog(client, handout)
    assert "Qui y a accès maintenant" in text
    assert "Les élèves de 4e B peuvent le voir et ses enseignants le gérer" in text
    sharing.share_with_user(handout, colleague, "editor", by=teacher)
    assert "Ahmed Benali peut le modifier" in _dialog(client, handout)
