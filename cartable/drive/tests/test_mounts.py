import pytest
from django.utils.functional import SimpleLazyObject

from cartable.accounts.actions import create_group
from cartable.accounts.models import Membership
from cartable.core.models import Grant
from cartable.core.roles import Role
from cartable.drive import actions
from cartable.drive.errors import InvalidName
from cartable.drive.mounts import children, forget_mounts, mounts, resolve, user_path_of

from .conftest import put


def test_root_lists_own_files_and_class_folders(teacher, klass, my_root):
    put(my_root, "mine.txt", b"1", teacher)
    names = {getattr(n, "mount_name", n.name) for n in children(teacher, my_root)}
    assert names == {"mine.txt", "4e B"}


def test_resolve_into_a_class_folder(teacher, student, class_root):
    put(class_root, "cours.txt", b"1", teacher)
    loc = resolve(student, "/4e B/cours.txt")
    assert loc.node is not None and loc.space.pk == class_root.space_id
    assert user_path_of(student, loc.node) == "/4e B/cours.txt"
    missing = resolve(student, "/4e B/new.txt")
    assert missing.node is None and missing.parent.pk == class_root.pk


def test_mount_names_never_hide_own_files(teacher, klass, my_root):
    actions.create_folder(my_root, "4e B", by=teacher)

    forget_mounts(teacher)
    assert [m.name for m in mounts(teacher)] == ["4e B (2)"]


def test_forget_mounts_reaches_the_user_behind_request_user(teacher, klass, my_root):
    lazy = SimpleLazyObject(lambda: teacher)
    assert [m.name for m in mounts(lazy)] == ["4e B"]
    actions.create_folder(my_root, "4e B", by=teacher)

    forget_mounts(lazy)

    assert [m.name for m in mounts(lazy)] == ["4e B (2)"]


@pytest.mark.parametrize("path", ["/../x", "/a/../../b", "/a/\x00"])
def test_no_escape(teacher, path):
    with pytest.raises(InvalidName):
        resolve(teacher, path)


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _names(user):
    return [m.name for m in mounts_of(_fresh(user))]


def mounts_of(user):
    return mounts(user)


def test_a_new_class_appears_at_once_though_the_mount_table_is_cached(teacher, klass, my_root):
    assert _names(teacher) == ["4e B"]
    create_group(teacher, "3e A")
    assert _names(teacher) == ["3e A", "4e B"]


def test_leaving_a_class_removes_its_folder_at_once(teacher, klass, student):
    assert _names(student) == ["4e B"]
    Membership.objects.filter(user=student).delete()
    assert _names(student) == []
    loc = resolve(_fresh(student), "/4e B/x.txt")
    assert loc.space.pk == actions.personal_space(student).pk and loc.parent is None


def test_renaming_a_class_renames_its_folder(teacher, klass):
    assert _names(teacher) == ["4e B"]
    klass.name = "4e B bis"
    klass.save()
    assert _names(teacher) == ["4e B bis"]


def test_sharing_and_unsharing_show_at_once(teacher, other_teacher, my_root):
    folder = actions.create_folder(my_root, "Partagé", by=teacher)
    assert _names(other_teacher) == []
    grant = Grant.objects.create(target=folder, user=other_teacher, role=Role.VIEWER)
    assert _names(other_teacher) == ["Partagé"]
    actions.move(folder, my_root, "Renommé", by=teacher)
    assert _names(other_teacher) == ["Renommé"]
    assert resolve(_fresh(other_teacher), "/Renommé").node.pk == folder.pk
    grant.delete()
    assert _names(other_teacher) == []


def test_a_cached_mount_gives_way_to_an_own_folder_of_its_name(teacher, klass, my_root):
    assert resolve(_fresh(teacher), "/4e B").is_mount_point
    actions.create_folder(my_root, "4e B", by=teacher)
    assert not resolve(_fresh(teacher), "/4e B").is_mount_point
    assert resolve(_fresh(teacher), "/4e B (2)").is_mount_point
