"""Homework boxes: a class folder in which students hand in work and see only their own.

The rule itself lives in ``cartable.drive.access`` (``Node.file_drop``); these are the actions
that turn a folder into one, or back, and make a new one.
"""

from __future__ import annotations

from django.db import transaction

from cartable.accounts.models import User
from cartable.drive import access, actions, errors
from cartable.drive.models import Node


def set_file_drop(node: Node, on: bool, *, by: User) -> Node:
    if not node.is_folder:
        raise errors.Conflict
    access.check(by, node, "manage")
    with transaction.atomic():
        Node.objects.filter(pk=node.pk).update(file_drop=on)
        node.file_drop = on
    return node


def create_homework_box(parent: Node, name: str, *, by: User) -> Node:
    """A new folder of a class's folder, made a homework box at once: whoever may manage the
    class's folder may (a pupil never has a homework box of their own)."""
    access.check(by, parent, "manage")
    if parent.space.group_id is None:
        raise errors.Forbidden
    with transaction.atomic():
        box = actions.create_folder(parent, name, by=by)
        return set_file_drop(box, True, by=by)
