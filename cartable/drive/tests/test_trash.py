import pytest

from cartable.drive import actions
from cartable.drive.errors import NotFound
from cartable.drive.models import Blob, Node, Space

from .conftest import put, read


def test_trash_and_restore_a_folder(teacher, my_root):
    a = actions.create_folder(my_root, "a", by=teacher)
    put(a, "f.txt", b"abc", teacher)
    actions.trash(a, by=teacher)
    my_root.refresh_from_db()
    assert my_root.size == 0
    # The name is free again.
    again = actions.create_folder(my_root, "a", by=teacher)
    (item,) = actions.trash_items(my_root.space)
    restored = actions.restore(item, by=teacher)
    assert restored.name == "a (2)"
    assert read(Node.objects.get(path="/a (2)/f.txt")) == b"abc"
    assert again.pk != restored.pk


def test_separately_deleted_child_stays_in_trash(teacher, my_root):
    a = actions.create_folder(my_root, "a", by=teacher)
    x = put(a, "x.txt", b"x", teacher)
    put(a, "y.txt", b"y", teacher)
    actions.trash(x, by=teacher)
    actions.trash(Node.objects.get(pk=a.pk), by=teacher)
    items = {n.name: n for n in actions.trash_items(my_root.space)}
    actions.restore(items["a"], by=teacher)
    assert Node.objects.filter(path="/a/y.txt", trashed=False).exists()
    assert not Node.objects.filter(path="/a/x.txt", trashed=False).exists()
    actions.restore(items["x.txt"], by=teacher)
    assert Node.objects.filter(path="/a/x.txt", trashed=False).exists()


def test_purge_frees_space_and_blobs(teacher, my_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f = put(my_root, "f.txt", b"abc", teacher)
        put(my_root, "f.txt", b"abcd", teacher)
        actions.trash(Node.objects.get(pk=f.pk), by=teacher)
        assert Space.objects.get(pk=f.space_id).used == 7
        assert actions.empty_trash(my_root.space, by=teacher) == 1
    assert Space.objects.get(pk=f.space_id).used == 0
    assert Blob.objects.count() == 0


def test_copy_keeps_blob_alive_after_purge(teacher, my_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f = put(my_root, "f.txt", b"abc", teacher)
        c, _ = actions.copy(f, my_root, "g.txt", by=teacher)
        actions.trash(Node.objects.get(pk=f.pk), by=teacher)
        actions.empty_trash(my_root.space, by=teacher)
    assert read(Node.objects.get(pk=c.pk)) == b"abc"


def test_others_cannot_restore_my_trash(teacher, colleague, my_root):
    f = put(my_root, "f.txt", b"abc", teacher)
    actions.trash(f, by=teacher)
    item = actions.trash_items(my_root.space).get()
    with pytest.raises(NotFound):
        actions.restore(item, by=colleague)
    with pytest.raises(NotFound):
        actions.purge(item, by=colleague)
