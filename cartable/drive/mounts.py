"""Each person's view of Drive: one tree, as the Nextcloud clients expect.

A person's root is the root of their personal space, with, beside their own files, one
folder per class or group they belong to (that group's space) and every file or folder shared
with them (mounted at the root, as Nextcloud does). A mounted name that collides with
another gets `` (2)``, `` (3)``… in a stable order.

User paths are what clients send (``/Maths 4e B/cours.pdf``); space paths are where nodes
live in their space (``/cours.pdf`` in the class's space).
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q, QuerySet

from cartable.accounts.models import Group, User
from cartable.core.models import Grant
from cartable.drive import fastpath
from cartable.drive.access import ancestor_paths, below, visible_among, visible_below
from cartable.drive.errors import InvalidName, NotFound
from cartable.drive.models import Node, ShareLink, Space, hash_path
from cartable.drive.spaces import group_space, personal_space

if TYPE_CHECKING:
    from cartable.core.types import Visitor

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


# How long a mount table stays in the cache; its key changes when it goes out of date.
TABLE_SECONDS = 3600


@dataclass
class _Wanted:
    """A mount before name collisions are settled: ``name`` is what it would like to be."""

    name: str
    kind: str
    space_id: int
    node_id: int
    # Shares: the node, loaded fresh for each request (it may have been renamed or moved).
    node: Node | None = None


def _group_name(name: str) -> str:
    return name.replace("/", "-").strip() or "-"


def _compute_table(user: User) -> tuple[list[tuple[str, int, int]], list[int]]:
    group_ids = list(user.group_roles())
    groups = list(Group.objects.filter(pk__in=group_ids).order_by("name", "pk"))
    spaces = dict(Space.objects.filter(group_id__in=group_ids).values_list("group_id", "pk"))
    for group in groups:
        if group.pk not in spaces:
            spaces[group.pk] = group_space(group).pk
    roots = dict(
        Node.objects.filter(
            space_id__in=list(spaces.values()), parent__isnull=True, trashed=False
        ).values_list("space_id", "pk")
    )
    mounted = [
        (_group_name(g.name), spaces[g.pk], roots[spaces[g.pk]])
        for g in groups
        if spaces[g.pk] in roots
    ]
    granted = sorted(
        set(
            Grant.objects.filter(content_type=ContentType.objects.get_for_model(Node))
            .filter(Q(user=user) | Q(group_id__in=group_ids))
            .values_list("object_id", flat=True)
        )
    )
    return mounted, granted


def _table(user: User) -> tuple[list[tuple[str, int, int]], list[int]]:
    """(group folders as (name, space id, root id), ids of the nodes shared with ``user``),
    from the cache when the user's ``mounts_version`` has not changed since."""
    own = personal_space(user)
    key = f"drive:mounts:{own.public_id}:{own.mounts_version}"
    table: tuple[list[tuple[str, int, int]], list[int]] | None = cache.get(key)
    if table is None:
        table = _compute_table(user)
        cache.set(key, table, TABLE_SECONDS)
    return table


def _wanted(user: User) -> list[_Wanted]:
    cached: list[_Wanted] | None = getattr(user, "_drive_wanted", None)
    if cached is not None:
        return cached
    own = personal_space(user)
    groups, granted = _table(user)
    result = [_Wanted(name, "group", space_id, root_id) for name, space_id, root_id in groups]
    if granted:
        seen = {own.pk} | {space_id for _, space_id, _ in groups}
        shared = (
            Node.objects.filter(pk__in=granted, trashed=False)
            .select_related("space")
            .order_by("name", "pk")
        )
        result += [
            _Wanted(n.name, "share", n.space_id, n.pk, n) for n in shared if n.space_id not in seen
        ]
    # A cache on the user object for the request, which User does not declare.
    user._drive_wanted = result  # type: ignore[attr-defined]
    return result


def _settled(user: User, wanted: list[_Wanted]) -> list[str]:
    """The names the mounts get: a name taken by the user's own files gets `` (2)``…"""
    own = personal_space(user)
    names = [w.name for w in wanted]
    taken = set(
        Node.objects.filter(
            space_id=own.pk, trashed=False, path_hash__in=[hash_path("/" + n) for n in names]
        ).values_list("name", flat=True)
    )
    return _dedupe(names, taken)


def _could_be(segment: str, name: str) -> bool:
    return segment == name or (segment.startswith(name + " (") and segment.endswith(")"))


def mounts(user: User) -> list[Mount]:
    """The class folders and shares mounted at ``user``'s root; cached on the user object."""
    cached: list[Mount] | None = getattr(user, "_drive_mounts", None)
    if cached is not None:
        return cached
    wanted = _wanted(user)
    names = _settled(user, wanted) if wanted else []
    root_ids = [w.node_id for w in wanted if w.node is None]
    roots = Node.objects.select_related("space").in_bulk(root_ids) if root_ids else {}
    result = []
    for name, w in zip(names, wanted, strict=True):
        node = w.node if w.node is not None else roots.get(w.node_id)
        if node is not None:
            result.append(Mount(name, node, w.kind))
    user._drive_mounts = result  # type: ignore[attr-defined]  # per request, as above
    return result


def scope(user: User) -> Q:
    """The nodes of ``user``'s Drive: their space, their classes' and groups' folders, and
    each shared item with what is below it. A first cut for search and recent files: what
    they show still goes through ``access.visible_among`` (homework boxes)."""
    q = Q(space=personal_space(user))
    for mount in mounts(user):
        m = mount.node
        if mount.kind == "group":
            q |= Q(space_id=m.space_id)
        else:
            q |= Q(space_id=m.space_id) & (Q(pk=m.pk) | Q(path__startswith=m.path + "/"))
    return q


def forget_mounts(user: User) -> None:
    """Drops what this user object remembers of its mounts. ``delattr`` reaches the user
    behind ``request.user`` too (a lazy object's own ``__dict__`` is not the user's)."""
    for attr in ("_drive_mounts", "_drive_wanted", "_drive_space"):
        with contextlib.suppress(AttributeError):
            delattr(user, attr)


def ancestors_and_self(path: str) -> list[str]:
    """``"/a/b"`` → ``["", "/a", "/a/b"]``."""
    return [*ancestor_paths(path), path]


def _nodes_by_hashes(space_id: int, hashes: list[str]) -> QuerySet[Node]:
    return Node.objects.filter(
        space_id=space_id, trashed=False, path_hash__in=hashes
    ).select_related("space", "blob")


# Compiled once per thread and depth: every WebDAV request looks a path up.
_by_hashes = fastpath.Prepared(_nodes_by_hashes)


def _lookup(space_id: int, path: str) -> dict[str, Node]:
    """The live nodes at ``path`` and at every folder above it, by path; one query.

    Each node found with all the folders above it remembers them (``access.lineage`` then
    needs no query of its own).
    """
    paths = ancestors_and_self(path)
    found = {n.path: n for n in _by_hashes(space_id, [hash_path(p) for p in paths])}
    chain: list[Node] = []
    for p in paths:
        node = found.get(p)
        if node is None:
            break
        chain.append(node)
        node._drive_lineage = ((node.space_id, node.path), list(chain))  # type: ignore[attr-defined]
    return found


def _located(
    user_path: str,
    space: Space | None,
    space_id: int,
    space_path: str,
    name: str,
    mount: Mount | None,
    is_mount_point: bool,
) -> Location:
    found = _lookup(space_id, space_path)
    node = found.get(space_path)
    parent = None if is_mount_point or not space_path else found.get(space_path.rsplit("/", 1)[0])
    if space is None:
        known = node or parent or found.get("")
        space = known.space if known is not None else Space.objects.get(pk=space_id)
    if mount is not None:
        # The mount's own node as just loaded (with its lineage); a group folder's root is
        # known only from here.
        base = found.get(mount.node.path)
        if base is None:
            raise NotFound
        mount.node = base
    return Location(user_path, space, space_path, name, node, parent, mount, is_mount_point)


def resolve(user: User, path: str) -> Location:
    """Where ``path`` of ``user``'s view lies; the node may not exist (for a PUT or MKCOL)."""
    parts = split_path(path)
    user_path = "/" + "/".join(parts) if parts else ""
    if parts:
        wanted = _wanted(user)
        if any(_could_be(parts[0], w.name) for w in wanted):
            for name, w in zip(_settled(user, wanted), wanted, strict=True):
                if name != parts[0]:
                    continue
                # A group folder's root is found with the rest of the path below.
                base = w.node if w.node is not None else Node(pk=0, space_id=w.space_id, path="")
                mount = Mount(name, base, w.kind)
                rest = parts[1:]
                space_path = base.path + "".join("/" + p for p in rest)
                return _located(
                    user_path,
                    None,
                    w.space_id,
                    space_path,
                    rest[-1] if rest else name,
                    mount,
                    not rest,
                )
    space = personal_space(user)
    location = _located(
        user_path, space, space.pk, user_path, parts[-1] if parts else "", None, False
    )
    if not parts and location.node is None:
        raise NotFound
    return location


def user_path_of(user: User, node: Node) -> str | None:
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


def children(user: Visitor, folder: Node, *, link: ShareLink | None = None) -> list[Node]:
    """What ``user`` (or a link's holder) sees in ``folder`` (``access.visible_below``: in a
    file drop folder, non-managers see only their own); at the user's root, the mount points
    too (each with a ``mount_name`` attribute)."""
    query = below(folder, 1).select_related("space").order_by("name")
    items = visible_below(user, folder, link=link, query=query)
    if (
        isinstance(user, User)
        and folder.space_id == personal_space(user).pk
        and folder.parent_id is None
    ):
        for mount in mounts(user):
            mount.node.mount_name = mount.name  # type: ignore[attr-defined]
            mount.node.mount_kind = mount.kind  # type: ignore[attr-defined]
            items.append(mount.node)
    return items


def recent_files(user: User, limit: int) -> list[Node]:
    """The files ``user`` sees, the last changed first (another pupil's homework left out)."""
    recent = list(
        Node.objects.filter(scope(user), kind=Node.Kind.FILE, trashed=False)
        .select_related("space")
        .order_by("-mtime")[: limit * 2]
    )
    return visible_among(user, recent)[:limit]
