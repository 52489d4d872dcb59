from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cartable.accounts.models import Membership
from cartable.core.models import Grant
from cartable.core.roles import Reach
from cartable.drive import access, actions
from cartable.drive.errors import Forbidden, NotFound
from cartable.drive.models import Node, ShareLink
from cartable.drive.mounts import children
from cartable.testing.factories import StudentFactory

from .conftest import put


def _grant(node, *, user=None, group=None, role="viewer"):
    return Grant.objects.create(
        content_type=ContentType.objects.get_for_model(Node),
        object_id=node.pk,
        user=user,
        group=group,
        role=role,
    )


def test_owner_does_everything(teacher, my_root):
    assert access.abilities(teacher, my_root) >= {"view", "upload", "delete", "share", "manage"}


@pytest.mark.parametrize("persona", ["colleague", "other_teacher", "student", "guest"])
def test_others_see_nothing_of_my_files(request, persona, teacher, my_root):
    f = put(my_root, "private.txt", b"secret", teacher)
    who = request.getfixturevalue(persona)
    assert access.abilities(who, f) == frozenset()
    with pytest.raises(NotFound):
        access.check(who, f, "view")


def test_grant_on_a_folder_reaches_below(teacher, colleague, other_teacher, my_root):
    shared = actions.create_folder(my_root, "shared", by=teacher)
    inner = put(actions.create_folder(shared, "in", by=teacher), "f.txt", b"1", teacher)
    _grant(shared, user=colleague, role="editor")
    assert "edit" in access.abilities(colleague, inner)
    assert "share" not in access.abilities(colleague, inner)
    assert access.abilities(other_teacher, inner) == frozenset()


def test_class_folder_by_class_role(teacher, student, colleague, class_root):
    doc = put(class_root, "cours.pdf", b"%PDF", teacher)
    assert access.abilities(student, doc) == {"view", "download"}
    with pytest.raises(Forbidden):
        actions.trash(doc, by=student)
    assert "manage" in access.abilities(teacher, doc)
    assert access.abilities(colleague, doc) == frozenset()


def test_file_drop_folder_students_see_only_their_own(teacher, klass, student, class_root):
    other = StudentFactory(username="tom.4eb", display_name="Tom", structure=klass.structure)
    Membership.objects.create(group=klass, user=other, role="member")
    box = actions.create_folder(class_root, "Devoir 1", by=teacher)
    box.file_drop = True
    box.save()
    mine = put(box, "lea.pdf", b"lea", student)
    put(box, "tom.pdf", b"tom", other)
    # Same name as someone else's file: a new name, never an overwrite.
    again = put(box, "tom.pdf", b"lea too", student)
    assert again.name == "tom (2).pdf"

    drop = access.access_of(student, box).dropping
    assert drop
    assert {n.name for n in children(student, box)} == {"lea.pdf", "tom (2).pdf"}
    assert access.abilities(student, mine) >= {"view", "download"}
    tom_file = Node.objects.get(name="tom.pdf")
    assert access.abilities(student, tom_file) == frozenset()
    assert {n.name for n in children(teacher, box)} == {"lea.pdf", "tom.pdf", "tom (2).pdf"}
    assert actions.Activity.objects.filter(verb="dropped").count() == 3


def test_public_link_roles(teacher, guest, my_root):
    folder = actions.create_folder(my_root, "public", by=teacher)
    f = put(folder, "f.txt", b"1", teacher)
    link = ShareLink.objects.create(node=folder, token="t" * 32, role="viewer")
    assert access.abilities(guest, f, link=link) == {"view", "download"}
    assert access.abilities(guest, my_root, link=link) == frozenset()
    link.hide_download = True
    assert access.abilities(guest, f, link=link) == {"view"}

    link.expires_at = timezone.now() - timedelta(seconds=1)
    assert access.abilities(guest, f, link=link) == frozenset()


def test_drop_link_uploads_without_seeing(teacher, guest, my_root):
    box = actions.create_folder(my_root, "box", by=teacher)
    put(box, "secret.txt", b"x", teacher)
    link = ShareLink.objects.create(node=box, token="d" * 32, role="editor", file_drop=True)
    # "download": a zip of the box, which holds what the visitor sees of it (nothing).
    assert access.abilities(guest, box, link=link) == {"view", "download", "upload", "drop"}
    assert access.readable_below(guest, box, link=link) == []
    node, _ = actions.write_file(box, "hw.pdf", [b"hw"], by=guest, link=link, actor_label="Léa")
    assert access.abilities(guest, node, link=link) == frozenset()
    assert actions.Activity.objects.get(verb="dropped").actor_label == "Léa"


def test_structure_reach_for_colleagues_not_students(teacher, colleague, student, my_root):
    folder = actions.create_folder(my_root, "school", by=teacher)
    folder.reach = Reach.STRUCTURE
    folder.save()
    assert "view" in access.abilities(colleague, folder)
    assert access.abilities(student, folder) == frozenset()
