"""What may this person do with this file or folder?

A node's role for a person is the best of: their role on the space (the owner of a personal
space; a class's owner, managers and members on its folder), grants on the node or any
folder above it (to them or to a group they are in), and the reach of the node or any folder
above it. Anonymous visitors come with a public link, which gives its role on its node and
everything below.

**File drop** folders (``Node.file_drop``) are homework boxes: there, whoever is below manager
may upload and sees only what they uploaded themselves; managers see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.auth.hashers import check_password
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from cartable.core.permissions import ability_table, reach_role
from cartable.core.roles import Reach, Role, best_role
from cartable.drive.errors import Forbidden, NotFound
from cartable.drive.models import Node, ShareLink, Space, hash_path

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ABILITIES = ability_table(
    viewer=["view", "download"],
    editor=["upload", "edit", "delete"],
    manager=["share", "manage"],
)
# What a non-manager may do in a file drop folder, and on the files they dropped there.
DROP_FOLDER = frozenset({"view", "upload", "drop"})
OWN_DROPPED_FILE = frozenset({"view", "download", "edit", "delete"})


def ancestor_paths(path: str) -> list[str]:
    """``"/a/b/c"`` → ``["", "/a", "/a/b"]``: the paths of the folders above."""
    if not path:
        return []
    parts = path.split("/")[1:]
    return [""] + ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]


def lineage(node: Node) -> list[Node]:
    """The node's folders from the root down, then the node itself; one query, none when
    the node was found with them (``mounts.resolve``) and has not moved since."""
    known = node.__dict__.get("_drive_lineage")
    if known is not None and known[0] == (node.space_id, node.path):
        chain: list[Node] = known[1]
        return chain
    paths = ancestor_paths(node.path)
    if not paths:
        return [node]
    above = Node.objects.filter(
        space_id=node.space_id, trashed=False, path_hash__in=[hash_path(p) for p in paths]
    )
    ordered = sorted(above, key=lambda n: len(n.path))
    return [*ordered, node]


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def space_role(user: Any, space: Space) -> Role | None:
    if not _signed_in(user):
        return None
    if space.user_id is not None:
        if space.user_id == user.pk:
            return Role.OWNER
        return Role.MANAGER if user.is_superuser else None
    group_role = user.group_roles().get(space.group_id)
    if group_role == "owner":
        return Role.OWNER
    if group_role == "manager":
        return Role.MANAGER
    if group_role is not None:
        return Role.VIEWER
    return Role.MANAGER if user.is_superuser else None


def _grant_roles(user: Any, node_ids: Iterable[int]) -> list[str]:
    from cartable.core.models import Grant

    memberships = user.group_roles()
    grants = (
        Grant.objects.filter(
            content_type=ContentType.objects.get_for_model(Node), object_id__in=list(node_ids)
        )
        .filter(Q(user=user) | Q(group_id__in=list(memberships)))
        .only("user_id", "group_id", "role", "manager_role")
    )
    roles = []
    for grant in grants:
        if grant.user_id is None and memberships.get(grant.group_id) in ("owner", "manager"):
            roles.append(grant.manager_role or grant.role)
        else:
            roles.append(grant.role)
    return roles


def grants_on_children(user: Any, folder: Node) -> dict[int, list[str | None]]:
    """The roles grants give ``user`` on each child of ``folder`` that has any; one query."""
    from cartable.core.models import Grant

    if not _signed_in(user):
        return {}
    memberships = user.group_roles()
    children = Node.objects.filter(parent_id=folder.pk, trashed=False).values("pk")
    found: dict[int, list[str | None]] = {}
    for object_id, user_id, group_id, role, manager_role in (
        Grant.objects.filter(
            content_type=ContentType.objects.get_for_model(Node), object_id__in=children
        )
        .filter(Q(user=user) | Q(group_id__in=list(memberships)))
        .values_list("object_id", "user_id", "group_id", "role", "manager_role")
    ):
        if user_id is None and memberships.get(group_id) in ("owner", "manager"):
            role = manager_role or role
        found.setdefault(object_id, []).append(role)
    return found


def link_is_usable(link: ShareLink) -> bool:
    return link.expires_at is None or link.expires_at > timezone.now()


def link_password_matches(link: ShareLink, password: str) -> bool:
    return not link.password or check_password(password, link.password)


@dataclass(frozen=True)
class Access:
    role: Role | None
    # Inside a file drop folder, without being its manager.
    dropping: bool = False
    link: ShareLink | None = None


def access_of(user: Any, node: Node, *, link: ShareLink | None = None) -> Access:
    signed_in = _signed_in(user)
    own_role = space_role(user, node.space) if signed_in else None
    if own_role == Role.OWNER and link is None:
        # Nothing gives more, and an owner never just drops files: no need to look further.
        return Access(role=Role.OWNER)
    chain = lineage(node)
    roles: list[str | None] = []
    if link is not None and link_is_usable(link) and any(n.pk == link.node_id for n in chain):
        roles.append(link.role if not link.file_drop else Role.EDITOR)
    if signed_in:
        roles.append(own_role)
        roles.extend(_grant_roles(user, [n.pk for n in chain]))
    for n in chain:
        if n.reach != Reach.RESTRICTED:
            roles.append(reach_role(user, n, None))
    role = best_role(*roles)
    dropping = bool(
        role is not None
        and role < Role.MANAGER
        and (any(n.file_drop for n in chain) or (link is not None and link.file_drop))
    )
    return Access(role=role, dropping=dropping, link=link)


def abilities(user: Any, node: Node, *, link: ShareLink | None = None) -> frozenset[str]:
    access = access_of(user, node, link=link)
    return abilities_for(access, node, user)


class NodeFacts(Protocol):
    """What :func:`abilities_for` reads of a node (a ``Node``, or a listing's lighter row)."""

    @property
    def is_folder(self) -> bool: ...

    @property
    def created_by_id(self) -> int | None: ...


def abilities_for(access: Access, node: NodeFacts, user: Any) -> frozenset[str]:
    if access.role is None:
        return frozenset()
    if access.dropping:
        if node.is_folder:
            return DROP_FOLDER
        if _signed_in(user) and node.created_by_id == user.pk:
            return OWN_DROPPED_FILE
        return frozenset()
    table = ABILITIES[access.role]
    if access.link is not None and access.link.hide_download:
        table = table - {"download"}
    return table


class ChildFacts(NodeFacts, Protocol):
    """What :func:`children_abilities` reads of a child (a ``Node``, or a lighter row)."""

    @property
    def pk(self) -> int: ...

    @property
    def reach(self) -> str: ...

    @property
    def file_drop(self) -> bool: ...


def _grants_on(user: Any, node_ids: list[int]) -> dict[int, list[str | None]]:
    """The roles grants give ``user`` on each of these nodes that has any; one query."""
    from cartable.core.models import Grant

    memberships = user.group_roles()
    found: dict[int, list[str | None]] = {}
    for object_id, user_id, group_id, role, manager_role in (
        Grant.objects.filter(
            content_type=ContentType.objects.get_for_model(Node), object_id__in=node_ids
        )
        .filter(Q(user=user) | Q(group_id__in=list(memberships)))
        .values_list("object_id", "user_id", "group_id", "role", "manager_role")
    ):
        if user_id is None and memberships.get(group_id) in ("owner", "manager"):
            role = manager_role or role
        found.setdefault(object_id, []).append(role)
    return found


def children_abilities(
    user: Any, folder: Node, own: Access, children: Sequence[ChildFacts]
) -> dict[int, frozenset[str]]:
    """What ``user`` may do on each child of ``folder``, whose access is ``own``: what the
    folder gives, raised by grants on the child or by its reach, narrowed in a file drop
    folder, as :func:`access_of` decides it node by node and WebDAV's listing child by child.
    A fixed number of queries whatever the number of children: the Drive's pages offer each
    row's actions from it."""
    # What a child adds to the folder's access: grants on it, its own reach, a file drop.
    special: dict[int, list[str | None]] = {}
    if own.role != Role.OWNER and _signed_in(user):
        special = _grants_on(user, [child.pk for child in children])
    chain_drops = own.role != Role.OWNER and any(n.file_drop for n in lineage(folder))
    plain: dict[tuple[bool, bool], frozenset[str]] = {}
    found: dict[int, frozenset[str]] = {}
    for child in children:
        extra = special.get(child.pk)
        if extra is None and (child.reach != Reach.RESTRICTED or child.file_drop):
            extra = []
        if extra is not None:
            roles = [own.role, *extra]
            if child.reach != Reach.RESTRICTED:
                roles.append(reach_role(user, child, None))
            role = best_role(*roles)
            dropping = bool(
                role is not None and role < Role.MANAGER and (chain_drops or child.file_drop)
            )
            found[child.pk] = abilities_for(Access(role, dropping, own.link), child, user)
        else:
            mine = child.created_by_id == getattr(user, "pk", None)
            key = (child.is_folder, mine)
            if key not in plain:
                plain[key] = abilities_for(own, child, user)
            found[child.pk] = plain[key]
    return found


def check(user: Any, node: Node, need: str, *, link: ShareLink | None = None) -> frozenset[str]:
    """Raise NotFound when the person may not even see the node, Forbidden when they may
    see it but not do ``need``; return their abilities otherwise."""
    allowed = abilities(user, node, link=link)
    if "view" not in allowed:
        raise NotFound
    if need not in allowed:
        raise Forbidden
    return allowed
