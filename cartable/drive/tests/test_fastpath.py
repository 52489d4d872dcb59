"""The hand-written statements of the write path give what the ORM gives."""

from __future__ import annotations

import inspect

from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from cartable.accounts.actions import create_app_password
from cartable.drive import actions, fastpath, models, mounts
from cartable.drive.models import Activity, Node, hash_path
from cartable.drive.tests.conftest import put
from cartable.drive.webdav import auth


def test_prepared_lookup_matches_the_orm_and_is_compiled_once(teacher, my_root):
    folder = actions.create_folder(my_root, "docs", by=teacher)
    put(folder, "a.txt", b"a", by=teacher)
    space_id = my_root.space_id
    for path in ["/docs/a.txt", "/docs/missing.txt", "/docs"]:
        hashes = [hash_path(p) for p in mounts.ancestors_and_self(path)]
        fast = mounts._by_hashes(space_id, hashes)
        slow = list(mounts._nodes_by_hashes(space_id, hashes))
        assert sorted((n.pk, n.path, n.etag, n.mtime, n.size) for n in fast) == sorted(
            (n.pk, n.path, n.etag, n.mtime, n.size) for n in slow
        )
        for node in fast:
            assert node.space.pk == space_id  # select_related filled in
            assert (node.blob is None) == (node.blob_id is None)
    # Every shape was compiled, none fell back to the ORM.
    assert all(plan is not False for plan in mounts._by_hashes._local.compiled.values())
    with CaptureQueriesContext(connection) as ctx:
        mounts._by_hashes(space_id, [hash_path(""), hash_path("/docs")])
    assert len(ctx.captured_queries) == 1


def test_prepared_sign_in_query_checks_the_password_prefix(teacher):
    _, password = create_app_password(teacher, "test")
    prefix = password[: auth.PREFIX_LENGTH]
    [user] = auth._remembered_user(teacher.pk, prefix)
    assert user == teacher
    assert auth._remembered_user(teacher.pk, "nope" * 3) == []
    teacher.is_active = False
    teacher.save()
    assert auth._remembered_user(teacher.pk, prefix) == []
    assert all(plan is not False for plan in auth._remembered_user._local.compiled.values())


def test_insert_applies_defaults_and_auto_dates(teacher, my_root):
    node = put(my_root, "b.txt", b"bb", by=teacher)
    activity = Activity(
        space_id=my_root.space_id,
        node=node,
        verb=Activity.Verb.CREATED,
        path=node.path,
        data={"size": 2},
    )
    fastpath.insert(activity)
    saved = Activity.objects.get(pk=activity.pk)
    assert saved.created_at is not None
    assert saved.data == {"size": 2}
    assert Node.objects.get(pk=node.pk).path_hash == hash_path("/b.txt")


# The models fastpath.insert writes, and Node.save as fastpath.insert_node copies it.
FAST_INSERTED = ("Blob", "Node", "Activity")
NODE_SAVE = """    def save(self, *args: object, **kwargs: object) -> None:
        self.path_hash = hash_path(self.path)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
"""


def test_the_fast_inserted_models_have_nothing_the_fast_path_does_not_reproduce():
    """Fails when one of them gains a receiver of the save signals, a database default or a
    ``save()`` logic of its own: reproduce it in fastpath.py (or accept the slower
    ``Model.save``, which ``insert`` then uses), and update this test."""

    for name in FAST_INSERTED:
        assert fastpath.reproducible(getattr(models, name)), name
    assert inspect.getsource(Node.save) == NODE_SAVE


def test_insert_goes_through_save_for_a_model_it_cannot_reproduce(teacher, my_root):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    post_save.connect(receiver, sender=Activity)
    try:
        assert not fastpath.reproducible(Activity)
        node = put(my_root, "c.txt", b"c", by=teacher)
        activity = Activity(
            space_id=my_root.space_id, node=node, verb=Activity.Verb.CREATED, path=node.path
        )
        fastpath.insert(activity)
    finally:
        post_save.disconnect(receiver, sender=Activity)
    assert (activity.pk, True) in seen
    assert fastpath.reproducible(Activity)
