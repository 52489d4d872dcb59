import pytest
from django.core.files.storage import default_storage

from cartable.accounts.actions import create_group
from cartable.drive import actions
from cartable.drive.errors import Conflict, InvalidName, PreconditionFailed, QuotaExceeded
from cartable.drive.models import Activity, Blob, Node, Space, Version

from .conftest import put, read


def test_personal_space_has_one_root(teacher):
    space = actions.personal_space(teacher)
    assert actions.personal_space(teacher).pk == space.pk
    root = actions.root_of(space)
    assert root.is_folder and root.path == "" and root.parent is None


def test_class_gets_its_folder_when_created(teacher):
    group = create_group(teacher, "5e A")
    assert Space.objects.filter(group=group).exists()


def test_write_read_and_checksums(teacher, my_root):
    node = put(my_root, "cours.txt", b"hello", teacher)
    assert read(node) == b"hello"
    assert node.blob.sha1 == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
    assert node.blob.md5 == "5d41402abc4b2a76b9719d911017c592"
    assert node.blob.adler32 == "062c0215"
    assert node.mime_type == "text/plain"
    assert Space.objects.get(pk=node.space_id).used == 5
    my_root.refresh_from_db()
    assert my_root.size == 5


def test_folder_sizes_and_etags_change_up_the_tree(teacher, my_root):
    a = actions.create_folder(my_root, "a", by=teacher)
    b = actions.create_folder(a, "b", by=teacher)
    etags = {n.pk: Node.objects.get(pk=n.pk).etag for n in (my_root, a, b)}
    put(b, "f.bin", b"x" * 10, teacher)
    for n in (my_root, a, b):
        n.refresh_from_db()
        assert n.etag != etags[n.pk]
        assert n.size == 10


def test_overwrite_keeps_previous_version(teacher, my_root):
    node = put(my_root, "notes.md", b"v1", teacher)
    node2 = put(my_root, "notes.md", b"version 2", teacher)
    assert node2.pk == node.pk
    assert read(node2) == b"version 2"
    (old,) = actions.versions(node2)
    with actions.open_blob(old.blob) as f:
        assert f.read() == b"v1"
    assert Space.objects.get(pk=node.space_id).used == 2 + 9
    restored = actions.restore_version(old, by=teacher)
    assert read(restored) == b"v1"
    assert [v.size for v in actions.versions(restored)] == [9]


def test_etag_conditions(teacher, my_root):
    node = put(my_root, "a.txt", b"1", teacher)
    with pytest.raises(PreconditionFailed):
        put(my_root, "a.txt", b"2", teacher, if_match='"not-the-etag"')
    with pytest.raises(PreconditionFailed):
        put(my_root, "a.txt", b"2", teacher, if_none_match="*")
    with pytest.raises(PreconditionFailed):
        put(my_root, "new.txt", b"2", teacher, if_match="*")
    put(my_root, "a.txt", b"2", teacher, if_match=f'"{node.etag}"')


def test_refused_write_leaves_no_blob(teacher, my_root, django_capture_on_commit_callbacks):
    put(my_root, "a.txt", b"1", teacher)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PreconditionFailed):
        put(my_root, "a.txt", b"2", teacher, if_none_match="*")
    assert Blob.objects.count() == 1


def test_quota_refuses_before_storing(teacher, my_root, settings):
    settings.DRIVE_QUOTA = 10
    put(my_root, "a", b"12345", teacher)
    with pytest.raises(QuotaExceeded):
        put(my_root, "b", b"123456", teacher)
    with pytest.raises(QuotaExceeded):
        actions.new_writer(my_root.space, expected_size=100)
    assert not Node.objects.filter(name="b").exists()


def test_quota_gives_up_old_versions_first(teacher, my_root, settings):
    settings.DRIVE_QUOTA = 10
    put(my_root, "a", b"1234", teacher)
    put(my_root, "a", b"5678", teacher)  # 8 used, one version of 4
    node = put(my_root, "a", b"abcd", teacher)  # needs 4 more: the old version goes
    assert Space.objects.get(pk=node.space_id).used <= 10
    assert Version.objects.filter(node=node).count() == 1


def test_names(teacher, my_root):
    for bad in ("", ".", "..", "a/b", "a\x00b", "x" * 256, "   "):
        with pytest.raises(InvalidName):
            actions.create_folder(my_root, bad, by=teacher)
    node = actions.create_folder(my_root, "Cafe\u0301 été 🎒 notes", by=teacher)
    assert node.name == "Café été 🎒 notes"
    with pytest.raises(Conflict):
        actions.create_folder(my_root, "Café été 🎒 notes", by=teacher)


def test_very_long_paths(teacher, my_root):
    folder = my_root
    for i in range(20):
        folder = actions.create_folder(folder, f"{i:02d}" + "é" * 198, by=teacher)
    node = put(folder, "deep.txt", b"deep", teacher)
    assert len(node.path) > 4000
    assert Node.objects.get(space=node.space, path_hash=node.path_hash).pk == node.pk


def test_move_and_rename_rewrite_paths_below(teacher, my_root):
    a = actions.create_folder(my_root, "a", by=teacher)
    b = actions.create_folder(a, "b", by=teacher)
    f = put(b, "f.txt", b"abc", teacher)
    dest = actions.create_folder(my_root, "dest", by=teacher)
    moved, replaced = actions.move(a, dest, "a2", by=teacher)
    assert not replaced
    f.refresh_from_db()
    assert f.path == "/dest/a2/b/f.txt"
    dest.refresh_from_db()
    my_root.refresh_from_db()
    assert dest.size == 3 and my_root.size == 3
    with pytest.raises(Conflict):
        actions.move(moved, Node.objects.get(pk=b.pk), "x", by=teacher)
    assert Activity.objects.filter(verb="moved").exists()


def test_move_overwrite(teacher, my_root):
    a = put(my_root, "a.txt", b"a", teacher)
    put(my_root, "b.txt", b"bb", teacher)
    with pytest.raises(Conflict):
        actions.move(a, my_root, "b.txt", by=teacher)
    node, replaced = actions.move(a, my_root, "b.txt", by=teacher, overwrite=True)
    assert replaced and read(node) == b"a"
    assert actions.trash_items(my_root.space).count() == 1


def test_copy_is_deep_and_shares_blobs(teacher, my_root):
    a = actions.create_folder(my_root, "a", by=teacher)
    f = put(a, "f.txt", b"abc", teacher)
    copy, _ = actions.copy(a, my_root, "a copy", by=teacher)
    copied = Node.objects.get(path="/a copy/f.txt")
    assert copied.blob_id == f.blob_id and copied.pk != f.pk
    assert copy.is_folder
    assert Space.objects.get(pk=a.space_id).used == 6
    with pytest.raises(Conflict):
        actions.copy(a, a, "inside", by=teacher)


def test_move_between_spaces_moves_the_quota(teacher, my_root, class_root):
    f = put(my_root, "f.txt", b"12345", teacher)
    actions.move(f, class_root, "f.txt", by=teacher)
    assert Space.objects.get(pk=my_root.space_id).used == 0
    assert Space.objects.get(pk=class_root.space_id).used == 5
    f.refresh_from_db()
    assert f.space_id == class_root.space_id and f.owner_group_id is not None


def test_interrupted_write_leaves_nothing(teacher, my_root):
    def chunks():
        yield b"a" * 1000
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        actions.write_file(my_root, "partial.bin", chunks(), by=teacher)
    assert not Node.objects.filter(name="partial.bin").exists()
    assert Blob.objects.count() == 0
    _, files = (
        default_storage.listdir("drive/blobs")
        if default_storage.exists("drive/blobs")
        else ([], [])
    )
    assert files == []


def test_a_tree_is_at_most_a_hundred_levels_deep(teacher, my_root):
    """Every access check reads the folders above a node, and every write updates them: the
    work grows with the square of the depth (at 2 000 levels of long names, 0.7 s and 500 MB
    for one request), and nothing bounded it. Nothing goes deeper than 100 levels: not a
    folder, not a file, not what a move or a copy brings."""
    folder = my_root
    for i in range(actions.MAX_DEPTH - 1):
        folder = actions.create_folder(folder, f"d{i}", by=teacher)
    last = actions.create_folder(folder, "cent", by=teacher)
    assert last.path.count("/") == actions.MAX_DEPTH
    with pytest.raises(InvalidName):
        actions.create_folder(last, "trop", by=teacher)
    with pytest.raises(InvalidName):
        put(last, "trop.txt", b"x", teacher)
    two = actions.create_folder(my_root, "deux", by=teacher)
    actions.create_folder(two, "niveaux", by=teacher)
    with pytest.raises(InvalidName):
        actions.move(two, folder, "deux", by=teacher)
    with pytest.raises(InvalidName):
        actions.copy(two, folder, "deux", by=teacher)
    put(folder, "au fond.txt", b"ok", teacher)
