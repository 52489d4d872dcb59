import pytest

from cartable.drive import actions
from cartable.drive.errors import InvalidName
from cartable.drive.mounts import children, resolve, user_path_of

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
    from cartable.drive.mounts import forget_mounts, mounts

    forget_mounts(teacher)
    assert [m.name for m in mounts(teacher)] == ["4e B (2)"]


@pytest.mark.parametrize("path", ["/../x", "/a/../../b", "/a/\x00"])
def test_no_escape(teacher, path):
    with pytest.raises(InvalidName):
        resolve(teacher, path)
