"""What may this person do with this file or folder?

A node's role for a person is the best of: their role on the space (the owner of a personal
space; a class's owner, managers and members on its folder), grants on the node or any
folder above it (to them or to a group they are in), and the reach of the node or any folder
above it. Anonymous visitors come with a public link, which gives its role on its node and
everything below.

**File drop** folders (``Node.file_drop``) are homework boxes: there, whoever is below manager
may upload and sees only what they uploaded themselves; managers see everything. Below a drop
folder, a person sees a node only when it and every folder between it and the drop folder were
created by them (``Access.hidden`` otherwise): another pupil's folder is as invisible as their
files. A file drop link makes its node a drop folder for whoever uses the link.

**One rule for what is below a folder.** :func:`visible_below` (and :func:`sift`, for rows a
caller has already read) say what a person sees below a folder; listings, copy, move, zip,
WebDAV and the Nextcloud endpoints use it, and :func:`visible_among` answers the same for
scattered nodes (search, recent files, the dashboard). They agree with :func:`access_of` on
each node: whatever one of them shows, ``abilities`` lets the person view.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeGuard, TypeVar

from django.contrib.auth.hashers import check_password
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core.models import Grant
from cartable.core.permissions import Reachable, ability_table, reach_role
from cartable.core.roles import Reach, Role, best_role
from cartable.drive.errors import Forbidden, NotFound
from cartable.drive.models import Node, ShareLink, Space, hash_path

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cartable.accounts.models import User
    from cartable.core.types import Visitor

ABILITIES = ability_table(
    viewer=["view", "download"],
    editor=["upload", "edit", "delete"],
    manager=["share", "manage"],
)
# What a non-manager may do in a file drop folder, and on the files they dropped there.
# Downloading the folder (a zip) gives what they see of it: their own files.
DROP_FOLDER = frozenset({"view", "download", "upload", "drop"})
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


def _signed_in(user: Visitor | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def space_role(user: Visitor, space: Space) -> Role | None:
    if not _signed_in(user):
        return None
    if space.user_id is not None:
        if space.user_id == user.pk:
            return Role.OWNER
        return Role.MANAGER if user.is_superuser else None
    group_role = user.group_roles().get(space.group_id) if space.group_id is not None else None
    if group_role == "owner":
        return Role.OWNER
    if group_role == "manager":
        return Role.MANAGER
    if group_role is not None:
        return Role.VIEWER
    return Role.MANAGER if user.is_superuser else None


def _grants_by_node(user: User, node_ids: Iterable[int]) -> dict[int, list[str | None]]:
    """The roles grants give ``user`` on each of ``node_ids`` that has any; one query."""
    memberships = user.group_roles()
    grants = Grant.objects.filter(
        content_type=ContentType.objects.get_for_model(Node), object_id__in=list(node_ids)
    ).filter(Q(user=user) | Q(group_id__in=list(memberships)))
    return _roles_by_object(grants, memberships)


def _roles_by_object(
    grants: QuerySet[Grant], memberships: dict[int, str]
) -> dict[int, list[str | None]]:
    found: dict[int, list[str | None]] = {}
    for object_id, user_id, group_id, role, manager_role in grants.values_list(
        "object_id", "user_id", "group_id", "role", "manager_role"
    ):
        if user_id is None and memberships.get(group_id) in ("owner", "manager"):
            role = manager_role or role
        found.setdefault(object_id, []).append(role)
    return found


def grants_within(user: Visitor, scope: QuerySet[Node]) -> dict[int, list[str | None]]:
    """The roles grants give ``user`` on each node of ``scope`` that has any; one query."""
    if not _signed_in(user):
        return {}
    memberships = user.group_roles()
    grants = Grant.objects.filter(
        content_type=ContentType.objects.get_for_model(Node), object_id__in=scope.values("pk")
    ).filter(Q(user=user) | Q(group_id__in=list(memberships)))
    return _roles_by_object(grants, memberships)


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
    # Dropping, and below the drop folder on a line that is not all the person's own.
    hidden: bool = False
    # For what lies below: a drop folder (or a file drop link's node) is at or above the node,
    # and everything below the topmost one down to the node was created by this person.
    in_drop: bool = False
    own_line: bool = True


def _drops_here(node: RowFacts, link: ShareLink | None) -> bool:
    return bool(node.file_drop or (link is not None and link.file_drop and node.pk == link.node_id))


def _step(
    user_id: int | None, above: tuple[bool, bool], node: RowFacts, link: ShareLink | None
) -> tuple[bool, bool]:
    """(in_drop, own_line) at ``node``, from those of its folder."""
    in_drop, own_line = above
    if in_drop:
        return True, own_line and user_id is not None and node.created_by_id == user_id
    return _drops_here(node, link), True


def _decided(role: Role | None, in_drop: bool, own_line: bool, link: ShareLink | None) -> Access:
    dropping = bool(role is not None and role < Role.MANAGER and in_drop)
    return Access(
        role=role,
        dropping=dropping,
        link=link,
        hidden=dropping and not own_line,
        in_drop=in_drop,
        own_line=own_line,
    )


def _user_id(user: Visitor) -> int | None:
    return user.pk if _signed_in(user) else None


def access_of(user: Visitor, node: Node, *, link: ShareLink | None = None) -> Access:
    member = user if _signed_in(user) else None
    own_role = space_role(member, node.space) if member is not None else None
    if own_role == Role.OWNER and link is None:
        # Nothing gives more, and an owner never just drops files: no need to look further.
        return Access(role=Role.OWNER)
    chain = lineage(node)
    grants = _grants_by_node(member, [n.pk for n in chain]) if member is not None else {}
    return _access_along(user, chain, own_role, grants, link)


def _access_along(
    user: Visitor,
    chain: list[Node],
    own_role: Role | None,
    grants: dict[int, list[str | None]],
    link: ShareLink | None,
) -> Access:
    """The access ``user`` has to the last node of ``chain`` (its folders from the root down,
    then itself), given their role on its space and the grants on the chain's nodes."""
    covering = (
        link
        if link is not None and link_is_usable(link) and any(n.pk == link.node_id for n in chain)
        else None
    )
    roles: list[str | None] = [own_role]
    if covering is not None:
        roles.append(covering.role if not covering.file_drop else Role.EDITOR)
    line = (False, True)
    uid = _user_id(user)
    for n in chain:
        roles.extend(grants.get(n.pk, ()))
        if n.reach != Reach.RESTRICTED:
            roles.append(reach_role(user, n, None))
        line = _step(uid, line, n, covering)
    return _decided(best_role(*roles), *line, link)


def abilities(user: Visitor, node: Node, *, link: ShareLink | None = None) -> frozenset[str]:
    access = access_of(user, node, link=link)
    return abilities_for(access, node, user)


class NodeFacts(Protocol):
    """What :func:`abilities_for` reads of a node (a ``Node``, or a listing's lighter row)."""

    @property
    def is_folder(self) -> bool: ...

    @property
    def created_by_id(self) -> int | None: ...


def abilities_for(access: Access, node: NodeFacts, user: Visitor) -> frozenset[str]:
    if access.role is None or access.hidden:
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


def check(user: Visitor, node: Node, need: str, *, link: ShareLink | None = None) -> frozenset[str]:
    """Raise NotFound when the person may not even see the node, Forbidden when they may
    see it but not do ``need``; return their abilities otherwise."""
    allowed = abilities(user, node, link=link)
    if "view" not in allowed:
        raise NotFound
    if need not in allowed:
        raise Forbidden
    return allowed


# --- What a person sees below a folder, and among scattered nodes --------------------------


class RowFacts(NodeFacts, Reachable, Protocol):
    """What :func:`sift` reads of a node below the folder (a ``Node`` or a lighter row)."""

    @property
    def pk(self) -> int: ...

    @property
    def parent_id(self) -> int | None: ...

    @property
    def path(self) -> str: ...

    @property
    def file_drop(self) -> bool: ...

    @property
    def reach(self) -> str: ...


class FolderFacts(Protocol):
    """What :func:`dropper_views` reads of a folder (a ``Node`` or a lighter row)."""

    @property
    def pk(self) -> int: ...

    @property
    def space_id(self) -> int: ...

    @property
    def path(self) -> str: ...


R = TypeVar("R", bound=RowFacts)


def sift(
    user: Visitor,
    folder_pk: int,
    own: Access,
    rows: Iterable[R],
    grants: dict[int, list[str | None]],
) -> list[tuple[R, Access]]:
    """The rows ``user`` sees, with their access to each: ``rows`` are live nodes below the
    folder ``folder_pk``, on which the person has ``own``; ``grants`` are the roles grants give
    them on those rows (:func:`grants_within`). A row is seen when the person may view it and
    sees its folder: what a listing shows, folder after folder."""
    uid = _user_id(user)
    states: dict[int, Access] = {folder_pk: own}
    seen_ids = {folder_pk}
    seen: list[tuple[R, Access]] = []
    for row in sorted(rows, key=lambda r: r.path.count("/")):
        above = states.get(row.parent_id or 0)
        if above is None:
            continue
        extra = grants.get(row.pk)
        if above.role is not None and above.role >= Role.MANAGER:
            # Grants give no more than manager, and managers never just drop files.
            state = above
        elif (
            extra is None
            and row.reach == Reach.RESTRICTED
            and not above.in_drop
            and not _drops_here(row, own.link)
        ):
            # Nothing here changes what the folder gives (most rows of a big listing).
            state = above
        else:
            roles = [above.role, *(extra or ())]
            if row.reach != Reach.RESTRICTED:
                roles.append(reach_role(user, row, None))
            line = _step(uid, (above.in_drop, above.own_line), row, own.link)
            state = _decided(best_role(*roles), *line, own.link)
        states[row.pk] = state
        if row.parent_id in seen_ids and "view" in abilities_for(state, row, user):
            seen_ids.add(row.pk)
            seen.append((row, state))
    return seen


def below(folder: Node, depth: int | None = None) -> QuerySet[Node]:
    """The live nodes below ``folder``: its children (``depth=1``) or everything."""
    if depth == 1:
        return Node.objects.filter(parent_id=folder.pk, trashed=False)
    return Node.objects.filter(
        space_id=folder.space_id, trashed=False, path__startswith=folder.path + "/"
    )


def seen_below(
    user: Visitor,
    folder: Node,
    *,
    link: ShareLink | None = None,
    depth: int | None = None,
    query: QuerySet[Node] | None = None,
) -> list[tuple[Node, Access]]:
    """What ``user`` (or a link's holder) sees below ``folder``, each folder before what it
    holds (in ``query``'s order otherwise), with their access to each; nothing when they may
    not view the folder. ``query``: :func:`below` with the caller's ordering and joins."""
    own = access_of(user, folder, link=link)
    if "view" not in abilities_for(own, folder, user):
        return []
    if query is None:
        query = below(folder, depth)
    rows = list(query)
    high = own.role is not None and own.role >= Role.MANAGER
    grants = {} if high or not rows else grants_within(user, query)
    return sift(user, folder.pk, own, rows, grants)


def visible_below(
    user: Visitor,
    folder: Node,
    *,
    link: ShareLink | None = None,
    depth: int | None = None,
    query: QuerySet[Node] | None = None,
) -> list[Node]:
    """The one answer to "what does this person see below this folder?"."""
    return [n for n, _ in seen_below(user, folder, link=link, depth=depth, query=query)]


def readable_below(
    user: Visitor,
    folder: Node,
    *,
    link: ShareLink | None = None,
    query: QuerySet[Node] | None = None,
) -> list[Node]:
    """What of :func:`visible_below` the person may take a copy of: its folders, and the files
    they may download (copies and zips take these), in path order."""
    kept = [
        n
        for n, state in seen_below(user, folder, link=link, query=query)
        if n.is_folder or "download" in abilities_for(state, n, user)
    ]
    return sorted(kept, key=lambda n: n.path)


def hides_below(user: Visitor, folder: Node, *, link: ShareLink | None = None) -> bool:
    """Whether something below ``folder`` is hidden from ``user`` (or a link's holder): a
    folder moved or deleted takes all."""
    own = access_of(user, folder, link=link)
    if own.role is not None and own.role >= Role.MANAGER:
        return False
    seen = seen_below(user, folder, link=link)
    return below(folder).count() != len(seen)


def accesses(user: Visitor, nodes: list[Node]) -> list[Access]:
    """:func:`access_of` for each of ``nodes`` (with their ``space``), in a fixed number of
    queries: for search results, recent files and other scattered nodes."""
    if not nodes:
        return []
    wanted: dict[int, set[str]] = {}
    for n in nodes:
        wanted.setdefault(n.space_id, set()).update(hash_path(p) for p in ancestor_paths(n.path))
    query = Q()
    for space_id, hashes in wanted.items():
        if hashes:
            query |= Q(space_id=space_id, path_hash__in=sorted(hashes))
    above = (
        {(a.space_id, a.path): a for a in Node.objects.filter(query, trashed=False)}
        if query
        else {}
    )
    chains = [
        [
            *(above[(n.space_id, p)] for p in ancestor_paths(n.path) if (n.space_id, p) in above),
            n,
        ]
        for n in nodes
    ]
    member = user if _signed_in(user) else None
    grants = (
        _grants_by_node(member, {c.pk for chain in chains for c in chain})
        if member is not None
        else {}
    )
    roles: dict[int, Role | None] = {}
    result = []
    for n, chain in zip(nodes, chains, strict=True):
        if n.space_id not in roles:
            roles[n.space_id] = space_role(member, n.space) if member is not None else None
        result.append(_access_along(user, chain, roles[n.space_id], grants, None))
    return result


@dataclass(frozen=True)
class DropperView:
    """A folder as someone who only drops files into it sees it: the size and ETag of what
    they see below it, so that neither tells when or how much the others handed in (a
    folder's own time does not change with what it holds)."""

    size: int
    etag: str


def dropper_views(user: Visitor, folders: Sequence[FolderFacts]) -> dict[int, DropperView]:
    """For each of ``folders`` that ``user`` sees with the ``drop`` ability (a homework box,
    or their own folder in one; see :func:`abilities_for`), what they see of it. One query
    for them all."""
    uid = _user_id(user)
    if uid is None or not folders:
        return {}
    query = Q()
    for folder in folders:
        query |= Q(space_id=folder.space_id, path__startswith=folder.path + "/")
    rows = sorted(
        Node.objects.filter(query, trashed=False).values_list(
            "pk", "parent_id", "created_by_id", "kind", "size", "etag", "path"
        ),
        key=lambda row: row[6].count("/"),
    )
    views = {}
    for folder in folders:
        seen, size = {folder.pk}, 0
        digest = hashlib.sha1(str(folder.pk).encode(), usedforsecurity=False)
        for pk, parent_id, created_by_id, kind, node_size, etag, path in rows:
            if parent_id not in seen or created_by_id != uid:
                continue
            seen.add(pk)
            if kind == Node.Kind.FOLDER:
                digest.update(f"\0{path}".encode())
            else:
                size += node_size
                digest.update(f"\0{path}\0{etag}".encode())
        views[folder.pk] = DropperView(size=size, etag=digest.hexdigest()[:32])
    return views


def visible_among(user: Visitor, nodes: list[Node]) -> list[Node]:
    """Those of ``nodes`` that ``user`` may view, in the same order."""
    return [
        n
        for n, a in zip(nodes, accesses(user, nodes), strict=True)
        if "view" in abilities_for(a, n, user)
    ]


def children_abilities(
    user: Visitor, folder: Node, own: Access, children: Sequence[RowFacts]
) -> dict[int, frozenset[str]]:
    """What ``user`` may do on each child of ``folder`` they see, their access to the folder
    being ``own``: the listing's rule (:func:`sift`), so that a page offers on each row what
    the person may do there. A fixed number of queries whatever the number of children."""
    high = own.role is not None and own.role >= Role.MANAGER
    grants = (
        _grants_by_node(user, [c.pk for c in children])
        if children and not high and _signed_in(user)
        else {}
    )
    return {
        row.pk: abilities_for(state, row, user)
        for row, state in sift(user, folder.pk, own, children, grants)
    }
