"""Homework boxes: a class folder in which students hand in work and see only their own.

The rule itself lives in ``cartable.drive.access`` (``Node.file_drop``); this is the action
that turns a folder into one, or back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cartable.drive import access, errors
from cartable.drive.models import Node


def set_file_drop(node: Node, on: bool, *, by: Any) -> Node:
    if not node.is_folder:
        raise errors.Conflict
    access.check(by, node, "manage")
    with transaction.atomic():
        Node.objects.filter(pk=node.pk).update(file_drop=on)
        node.file_drop = on
    return node
