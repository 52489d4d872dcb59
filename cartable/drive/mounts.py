"""Each person's view of Drive: one tree, as the Nextcloud clients expect.

A person's root is the root of their personal space, with, beside their own files, one
folder per class or group they belong to (that group's space) and every file or folder shared
with them (mounted at the root, as Nextcloud does). A mounted name that collides with
another gets `` (2)``, `` (3)``… in a stable order.

User paths are what clients send (``/Maths 4e B/cours.pdf``); space paths are where nodes
live in their space (``/cours.pdf`` in the class's space).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from cartable.drive.errors import InvalidName, NotFound
from cartable.drive.models import Node, Space, hash_path

MAX_NAME = 255
_FORBIDDEN_CHARS = {"/", "\\"} | {chr(c) for c in range(32)} | {"\x7f"}


def clean_name(name: str) -> str:
    """A name as stored: NFC; refused when it could not be a file name everywhere."""
    name = unicodedata.normalize("NFC", name)
    if name in (".", "..") or not name.strip(" "):
        raise InvalidName
    if len(name) > MAX_NAME or any(ch in _FORBIDDEN_CHARS for ch in name):
        raise InvalidName
    return name


def split_path(path: str) -> list[str]:
    """``"/a//b/"`` → ``["a", "b"]``; refuses ``..`` and other names no client may use."""
    parts = [p for p in unicodedata.normalize("NFC", path).split("/") if p not in ("", ".")]
    for part in parts:
        clean_name(part)
    return parts


@dataclass
class Mount:
    name: str
    node: Node
    # How it comes to be here: "group" (a class or group folder) or "share".
    kind: str


@dataclass
class Location:
    user_path: str
    space: Space
    space_path: str
    name: str
    node: Node | None
    parent: Node | None
    mount: Mount | None = None
    # When the path names a mount point itself (the class folder at the user's root).
    is_mount_point: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.node is not None


def personal_space(user: Any) -> Space:
    from cartable.drive.actions import personal_space as get

    return get(user)


def _dedupe(names: list[str], taken: set[str]) -> list[str]:
    result = []
    for name in names:
        candidate, n = name, 2
        while candidate in taken:
            candidate = f"{name} ({n})"
            n += 1
        taken.add(candidate)
        result.append(candidate)
    return result


def mounts(user: Any) -> list[Mount]:
    """The class folders and shares mounted at ``user``'s root; cached on the user object."""
    cached: list[Mount] | None = getattr(user, "_drive_mounts", None)
    if cached is not None:
        return cached
    from cartable.accounts.models import Group
    from cartable.core.models import Grant
    from cartable.drive.actions import group_space, personal_space, root_of

    own = personal_space(user)
    group_ids = list(user.group_roles())
    groups = list(Group.objects.filter(pk__in=group_ids).order_by("name", "pk"))
    group_roots = [root_of(group_space(g)) for g in groups]
    seen_spaces = {own.pk} | {r.space_id for r in group_roots}
    granted_ids = (
        Grant.objects.filter(content_type=ContentType.objects.get_for_model(Node))
        .filter(Q(user=user) | Q(group_id__in=group_ids))
        .values_list("object_id", flat=True)
    )
    shared = [
        n
        for n in Node.objects.filter(pk__in=list(granted_ids), trashed=False)
        .select_related("space")
        .order_by("name", "pk")
        if n.space_id not in seen_spaces
    ]
    wanted = [(g.name.replace("/", "-").strip() or "-") for g in groups] + [n.name for n in shared]
    root = root_of(own)
    taken = set(
        Node.objects.filter(parent=root, trashed=False, name__in=wanted).values_list(
            "name", flat=True
        )
    )
    names = _dedupe(wanted, taken)
    result = [Mount(name, node, "group") for name, node in zip(names, group_roots, strict=False)]
    result += [
        Mount(name, node, "share")
        for name, node in zip(names[len(group_roots) :], shared, strict=True)
    ]
    user._drive_mounts = result
    return result


def forget_mounts(user: Any) -> None:
    user.__dict__.pop("_drive_mounts", None)


def _lookup(space: Space, path: str, parent_path: str | None) -> tuple[Node | None, Node | None]:
    hashes = [hash_path(path)] + ([hash_path(parent_path)] if parent_path is not None else [])
    found = {
        n.path: n
        for n in Node.objects.filter(
            space=space, trashed=False, path_hash__in=hashes
        ).select_related("space")
    }
    node = found.get(path)
    parent = found.get(parent_path) if parent_path is not None else None
    return node, parent


def resolve(user: Any, path: str) -> Location:
    """Where ``path`` of ``user``'s view lies; the node may not exist (for a PUT or MKCOL)."""
    parts = split_path(path)
    user_path = "/" + "/".join(parts) if parts else ""
    if parts:
        for mount in mounts(user):
            if mount.name == parts[0]:
                base = mount.node.path
                rest = parts[1:]
                space_path = base + "".join("/" + p for p in rest)
                if not rest:
                    node, parent = _lookup(mount.node.space, space_path, None)
                    return Location(
                        user_path,
                        mount.node.space,
                        space_path,
                        mount.name,
                        node,
                        None,
                        mount,
                        is_mount_point=True,
                    )
                parent_path = space_path.rsplit("/", 1)[0]
                node, parent = _lookup(mount.node.space, space_path, parent_path)
                return Location(
                    user_path, mount.node.space, space_path, rest[-1], node, parent, mount
                )
    space = personal_space(user)
    space_path = user_path
    own_parent = space_path.rsplit("/", 1)[0] if parts else None
    node, parent = _lookup(space, space_path, own_parent)
    if not parts and node is None:
        raise NotFound
    return Location(user_path, space, space_path, parts[-1] if parts else "", node, parent)


def user_path_of(user: Any, node: Node) -> str | None:
    """Where ``node`` appears in ``user``'s view, or None when it does not."""
    own = personal_space(user)
    if node.space_id == own.pk:
        return node.path
    best: Mount | None = None
    for mount in mounts(user):
        m = mount.node
        if (
            m.space_id == node.space_id
            and (node.path == m.path or node.path.startswith(m.path + "/"))
            and (best is None or len(m.path) > len(best.node.path))
        ):
            best = mount
    if best is None:
        return None
    return "/" + best.name + node.path[len(best.node.path) :]


def children(user: Any, folder: Node, *, dropping: bool = False) -> list[Node]:
    """The live children of ``folder``; at the user's root, the mount points too (each with a
    ``mount_name`` attribute). In a file drop folder, non-managers see only their own files."""
    qs = Node.objects.filter(parent=folder, trashed=False).select_related("space")
    if dropping:
        qs = qs.filter(created_by=user) if getattr(user, "is_authenticated", False) else qs.none()
    items = list(qs.order_by("name"))
    own = personal_space(user) if getattr(user, "is_authenticated", False) else None
    if own is not None and folder.space_id == own.pk and folder.parent_id is None:
        for mount in mounts(user):
            mount.node.mount_name = mount.name  # type: ignore[attr-defined]
            mount.node.mount_kind = mount.kind  # type: ignore[attr-defined]
            items.append(mount.node)
    return items
