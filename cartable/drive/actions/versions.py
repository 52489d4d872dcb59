"""Versions and favourites."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cartable.accounts.models import User
from cartable.drive import access
from cartable.drive.actions.base import (
    _actor,
    _changed,
    _record,
    _touch,
)
from cartable.drive.models import (
    Activity,
    Favourite,
    Node,
    Version,
    new_etag,
)


def versions(node: Node) -> QuerySet[Version]:
    return node.versions.select_related("author")


def restore_version(version: Version, *, by: User) -> Node:
    """The version becomes the current content; the current content becomes a version."""
    node = version.node
    access.check(by, node, "edit")
    with transaction.atomic():
        Version.objects.create(
            node=node,
            blob_id=node.blob_id or 0,
            size=node.size,
            mtime=node.mtime,
            author_id=node.modified_by_id,
        )
        delta = version.size - node.size
        node.blob_id = version.blob_id
        node.size = version.size
        node.mtime = timezone.now()
        node.etag = new_etag()
        node.modified_by = _actor(by)
        node.save()
        version.delete()
        _touch(node.space_id, access.ancestor_paths(node.path), delta)
        _record(Activity.Verb.RESTORED, node, by, version=str(version.mtime))
        _changed(node.space, node.parent)
    return node


def set_favourite(user: User, node: Node, on: bool) -> None:
    access.check(user, node, "view")
    if on:
        Favourite.objects.get_or_create(user=user, node=node)
    else:
        Favourite.objects.filter(user=user, node=node).delete()
