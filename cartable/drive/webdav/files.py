"""The files tree: each person's view of Drive at ``/remote.php/dav/files/<user>/`` and
``/remote.php/webdav/``, with every method of WebDAV classes 1 and 2.

Each handler does its database work in one or two calls to ``run_sync`` (a thread of the
pool), and moves bytes in between without holding a thread or a database connection.
Changes go through :mod:`cartable.drive.actions`; what only WebDAV has (locks, dead
properties) through this package's own small modules.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from django.db import transaction

from cartable.accounts.models import User
from cartable.core.roles import Role
from cartable.drive import access, actions, mounts
from cartable.drive.errors import (
    DriveError,
)
from cartable.drive.models import Lock, Node
from cartable.drive.webdav import davxml, deadprops, locks, props, transfer
from cartable.drive.webdav.errors import drive_errors
from cartable.drive.webdav.headers import (
    INFINITY,
    BadHeader,
    ForeignDestination,
    destination_path,
    parse_depth,
    parse_lock_token,
    parse_overwrite,
    parse_timeout,
)
from cartable.drive.webdav.http import DavError, Request, Response, Tree, register, run_sync
from cartable.drive.webdav.ifheader import BadIfHeader, ResourceState, evaluate, parse_if

DAV_CLASSES = "1, 2"
# Names that need no percent-encoding in an href.
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")


class FilesTree(Tree):
    def __init__(self, request: Request, owner: str | None) -> None:
        # Signed in by ``auth`` before any tree is made.
        self.user: User = request.user
        if owner is not None and unquote(owner) != self.user.username:
            raise DavError(403, message="This is not your folder.")

    # --- shared steps --------------------------------------------------------------------

    def locate(self, segments: list[str]) -> mounts.Location:
        with drive_errors():
            location = mounts.resolve(self.user, "/" + "/".join(segments))
        # In a homework box, what other pupils handed in is not there for a pupil.
        return actions.as_seen(location, by=self.user)

    def existing(self, request: Request, need: str = "view") -> tuple[mounts.Location, Node]:
        location = self.locate(request.segments)
        if location.node is None:
            raise DavError(404)
        own = access.access_of(self.user, location.node)
        allowed = access.abilities_for(own, location.node, self.user)
        # Kept for handlers that need more than ``need`` (GET: "download").
        location.extra["access"] = own
        location.extra["abilities"] = allowed
        if "view" not in allowed:
            raise DavError(404)
        if need not in allowed:
            raise DavError(403)
        return location, location.node

    def href(self, request: Request, segments: list[str], node: Node | None) -> str:
        return request.href(segments, collection=node is not None and node.is_folder)

    def lock_root(self, request: Request, segments: list[str], path: str, lock: Lock) -> str:
        """The href of ``lock``'s root, seen from the resource at ``segments`` (``path``)."""
        below = path.count("/") - lock.path.count("/") if lock.path else path.count("/")
        root = segments[: len(segments) - below] if below > 0 else segments
        return request.href(root, collection=lock.path != path or below > 0)

    def state(self, request: Request, tag: str | None, location: mounts.Location) -> ResourceState:
        """A resource's ETag and lock tokens, for the If header."""
        if tag is not None:
            segments = request.segments_of(urlsplit(tag).path)
            if segments is None:
                return ResourceState(None, frozenset())
            try:
                location = self.locate(segments)
            except (DriveError, DavError):
                return ResourceState(None, frozenset())
        node = location.node
        tokens = frozenset(
            lock.token for lock in locks.covering(location.space.pk, location.space_path)
        )
        return ResourceState(f'"{node.etag}"' if node is not None else None, tokens)

    def conditions(self, request: Request, location: mounts.Location) -> set[str]:
        """Checks the If header (412 when false); returns the lock tokens it submits."""
        value = request.header("if")
        node = location.node
        etag = f'"{node.etag}"' if node is not None else None
        if_match = request.header("if-match")
        if if_match is not None and request.method not in ("GET", "HEAD", "PUT"):
            tags = {t.strip() for t in if_match.split(",")}
            if etag is None or ("*" not in tags and etag not in tags):
                raise DavError(412)
        if_none_match = request.header("if-none-match")
        if if_none_match is not None and request.method not in ("GET", "HEAD", "PUT"):
            tags = {t.strip() for t in if_none_match.split(",")}
            if etag is not None and ("*" in tags or etag in tags):
                raise DavError(412)
        if not value:
            return set()
        try:
            header = parse_if(value)
        except BadIfHeader:
            raise DavError(400, message="bad If header") from None
        if not evaluate(header, lambda tag: self.state(request, tag, location)):
            raise DavError(412)
        return header.tokens

    def unlocked(
        self,
        location: mounts.Location,
        tokens: set[str],
        *,
        below: bool = False,
        parent: bool = False,
    ) -> None:
        """423 unless the request may change ``location`` (and what is below it); with
        ``parent``, also add or remove a member of its folder (as ``parent_unlocked``, in
        the same query)."""
        if not locks.may_be_locked(location.space):
            return
        found = locks.covering(location.space.pk, location.space_path, below=below)
        if not locks.may_write(found, self.user, tokens):
            raise DavError(423, "lock-token-submitted")
        if parent and not location.is_mount_point and location.space_path:
            parent_path = location.space_path.rsplit("/", 1)[0]
            above = [lock for lock in found if locks.covers(lock, parent_path)]
            if not locks.may_write(above, self.user, tokens):
                raise DavError(423, "lock-token-submitted")

    def parent_unlocked(self, location: mounts.Location, tokens: set[str]) -> None:
        """423 unless the request may add or remove a member of the location's folder."""
        if location.is_mount_point or not location.space_path:
            return
        parent_path = location.space_path.rsplit("/", 1)[0]
        if not locks.may_be_locked(location.space):
            return
        found = locks.covering(location.space.pk, parent_path)
        if not locks.may_write(found, self.user, tokens):
            raise DavError(423, "lock-token-submitted")

    # --- methods -------------------------------------------------------------------------

    async def do_options(self, request: Request) -> Response:
        return Response(
            200,
            headers={
                "DAV": DAV_CLASSES,
                "MS-Author-Via": "DAV",
                "Allow": ", ".join(self.allowed_methods()),
                "Accept-Ranges": "bytes",
            },
        )

    async def do_propfind(self, request: Request) -> Response:
        try:
            depth = parse_depth(request.header("depth"))
        except BadHeader:
            raise DavError(400, message="bad Depth") from None
        if depth == INFINITY:
            raise DavError(403, "propfind-finite-depth")
        try:
            query = davxml.parse_propfind(davxml.parse(await request.body()))
        except davxml.BadXML:
            raise DavError(400, message="bad XML") from None
        body = await run_sync(self.propfind, request, depth, query)
        return Response.xml(body)

    def propfind(self, request: Request, depth: int, query: davxml.Propfind) -> bytes:
        location, node = self.existing(request)
        self.conditions(request, location)
        segments = request.segments
        own: access.Access = location.extra["access"]
        entries = [
            props.Entry(
                self.href(request, segments, node),
                node,
                location.extra["abilities"],
                location.mount.kind if location.is_mount_point and location.mount else None,
                segments,
            )
        ]
        listed = None
        if depth == 1 and node.is_folder:
            listed = node
            entries += self.listing(request, segments, node, own)
        context = props.Context(
            self.user,
            entries,
            lambda entry, lock: self.lock_root(request, entry.segments, entry.node.path, lock),
            listed,
        )
        return davxml.multistatus(props.responses(context, query.kind, query.names, query.include))

    def listing(
        self, request: Request, segments: list[str], folder: Node, own: access.Access
    ) -> list[props.Entry]:
        """The entries of ``folder``'s children (and, at the root, of the mount points): one
        query for the folder's own children, whatever their number."""
        user = self.user
        query = access.below(folder, 1)
        base = request.href(segments, collection=True).rstrip("/") + "/"
        listed = [
            props.Listed(row, folder.space)
            for row in query.order_by("name").values_list(*props.Listed.FIELDS)
        ]
        # What a child adds to the folder's access (grants on it) matters below manager only.
        high = own.role is not None and own.role >= Role.MANAGER
        grants = {} if high or not listed else access.grants_within(user, query)
        entries = []
        for child, state in access.sift(user, folder.pk, own, listed, grants):
            name = child.name
            quoted = name if _PLAIN.fullmatch(name) else quote(name, safe="")
            href = base + quoted + "/" if child.is_folder else base + quoted
            allowed = access.abilities_for(state, child, user)
            entries.append(props.Entry(href, child, allowed, None, [*segments, name]))
        own_space = actions.personal_space(user) if user.is_authenticated else None
        if own_space is not None and folder.space_id == own_space.pk and folder.is_root:
            for mount in mounts.mounts(user):
                child_segments = [*segments, mount.name]
                mount.node.mount_name = mount.name  # type: ignore[attr-defined]
                entries.append(
                    props.Entry(
                        self.href(request, child_segments, mount.node),
                        mount.node,
                        access.abilities(user, mount.node),
                        mount.kind,
                        child_segments,
                    )
                )
        return entries

    async def do_proppatch(self, request: Request) -> Response:
        try:
            changes = davxml.parse_proppatch(davxml.parse(await request.body()))
        except davxml.BadXML:
            raise DavError(400, message="bad XML") from None
        return Response.xml(await run_sync(self.proppatch, request, changes))

    def proppatch(self, request: Request, changes: list[davxml.PropChange]) -> bytes:
        location, node = self.existing(request)
        tokens = self.conditions(request, location)
        with drive_errors():
            access.check(self.user, node, "edit")
        self.unlocked(location, tokens)
        refused = [c for c in changes if c.name in props.PROTECTED]
        results: dict[int, list[str]] = {}
        if refused:
            results[403] = [davxml.element(c.name) for c in refused]
            results[424] = [davxml.element(c.name) for c in changes if c not in refused]
        else:
            deadprops.apply(node, changes, by=self.user)
            results[200] = [davxml.element(c.name) for c in changes]
        href = self.href(request, request.segments, node)
        return davxml.multistatus([davxml.response(href, results)])

    async def do_mkcol(self, request: Request) -> Response:
        if request.has_body:
            await request.drain()
            raise DavError(415, message="MKCOL with a body is not supported")
        await run_sync(self.mkcol, request)
        return Response(201)

    def mkcol(self, request: Request) -> None:
        location = self.locate(request.segments)
        if location.node is not None:
            raise DavError(405, message="already exists")
        if location.parent is None:
            raise DavError(409, message="no parent folder")
        tokens = self.conditions(request, location)
        self.unlocked(location, tokens)
        self.parent_unlocked(location, tokens)
        with drive_errors():
            actions.create_folder(location.parent, location.name, by=self.user)

    async def do_get(self, request: Request) -> Response:
        return await transfer.get(self, request)

    async def do_head(self, request: Request) -> Response:
        return await transfer.get(self, request)

    async def do_put(self, request: Request) -> Response:
        return await transfer.put(self, request)

    async def do_delete(self, request: Request) -> Response:
        await run_sync(self.delete, request)
        return Response(204)

    def delete(self, request: Request) -> None:
        location = self.locate(request.segments)
        node = location.node
        if node is None:
            raise DavError(404)
        if node.is_root or location.is_mount_point:
            raise DavError(403, message="This folder cannot be deleted.")
        tokens = self.conditions(request, location)
        self.unlocked(location, tokens, below=True)
        self.parent_unlocked(location, tokens)
        with drive_errors(), transaction.atomic():
            actions.trash(node, by=self.user)
            locks.forget(location.space.pk, location.space_path)

    async def do_copy(self, request: Request) -> Response:
        return await self.copy_or_move(request, move=False)

    async def do_move(self, request: Request) -> Response:
        return await self.copy_or_move(request, move=True)

    async def copy_or_move(self, request: Request, *, move: bool) -> Response:
        try:
            raw = destination_path(request.header("destination"), request.host)
            overwrite = parse_overwrite(request.header("overwrite"))
            depth = parse_depth(request.header("depth"))
        except ForeignDestination:
            raise DavError(502, message="The destination is on another server.") from None
        except BadHeader as exc:
            raise DavError(400, message=str(exc)) from None
        if depth == 1 or (move and depth != INFINITY):
            raise DavError(400, message="bad Depth")
        segments = request.segments_of(raw)
        if segments is None:
            raise DavError(502, message="The destination is outside this folder tree.")
        created = await run_sync(self.copy_or_move_sync, request, segments, overwrite, depth, move)
        return Response(201 if created else 204)

    def copy_or_move_sync(
        self, request: Request, segments: list[str], overwrite: bool, depth: int, move: bool
    ) -> bool:
        source, node = self.existing(request)
        target = self.locate(segments)
        if target.space.pk == source.space.pk and target.space_path == source.space_path:
            raise DavError(403, message="The source and the destination are the same.")
        if target.parent is None and not target.is_mount_point:
            raise DavError(409, message="The destination folder does not exist.")
        if target.is_mount_point or (move and (node.is_root or source.is_mount_point)):
            raise DavError(403)
        if target.node is not None and not overwrite:
            raise DavError(412, message="The destination exists.")
        tokens = self.conditions(request, source)
        if move:
            self.unlocked(source, tokens, below=True)
            self.parent_unlocked(source, tokens)
        if target.node is not None:
            self.unlocked(target, tokens, below=True)
        self.parent_unlocked(target, tokens)
        parent = target.parent
        assert parent is not None  # noqa: S101 - checked above
        existed = target.node is not None
        with drive_errors(), transaction.atomic():
            if move:
                actions.move(node, parent, target.name, by=self.user, overwrite=overwrite)
                locks.forget(source.space.pk, source.space_path)
            elif depth == 0 and node.is_folder:
                if target.node is not None:
                    actions.trash(target.node, by=self.user)
                copied = actions.create_folder(parent, target.name, by=self.user)
                deadprops.copy(node, copied)
            else:
                actions.copy(node, parent, target.name, by=self.user, overwrite=overwrite)
        return not existed

    async def do_lock(self, request: Request) -> Response:
        try:
            depth = parse_depth(request.header("depth"))
        except BadHeader:
            raise DavError(400, message="bad Depth") from None
        if depth == 1:
            raise DavError(400, message="bad Depth")
        try:
            root = davxml.parse(await request.body())
            info = davxml.parse_lockinfo(root) if root is not None else None
        except davxml.BadXML:
            raise DavError(400, message="bad XML") from None
        timeout = parse_timeout(request.header("timeout"))
        return await run_sync(self.lock, request, info, depth == INFINITY, timeout)

    def lock(
        self, request: Request, info: davxml.LockInfo | None, infinite: bool, timeout: int
    ) -> Response:
        location = self.locate(request.segments)
        tokens = self.conditions(request, location)
        href = self.href(request, request.segments, location.node)
        if info is None:
            # A refresh: the If header names the lock.
            found = [
                lock
                for lock in locks.covering(location.space.pk, location.space_path)
                if lock.token in tokens
            ]
            if not found:
                raise DavError(412, "lock-token-matches-request-uri")
            lock = locks.refresh(found[0], timeout)
            root = self.lock_root(request, request.segments, location.space_path, lock)
            return self.lock_answer(lock, root, 200)
        created = False
        with drive_errors(), transaction.atomic():
            if location.node is None:
                if location.parent is None:
                    raise DavError(409, message="no parent folder")
                self.parent_unlocked(location, tokens)
            else:
                access.check(self.user, location.node, "edit")
            try:
                lock = locks.create(
                    space_id=location.space.pk,
                    path=location.space_path,
                    user=self.user,
                    exclusive=info.exclusive,
                    infinite=infinite and (location.node is None or location.node.is_folder),
                    timeout=timeout,
                    owner_xml=info.owner_xml,
                )
            except locks.LockConflict:
                raise DavError(423, "no-conflicting-lock") from None
            except locks.TooManyLocks:
                raise DavError(507, message="Too many locks: unlock files first.") from None
            if location.node is None:
                assert location.parent is not None  # noqa: S101 - checked above
                actions.write_file(location.parent, location.name, [], by=self.user)
                created = True
        return self.lock_answer(lock, href, 201 if created else 200)

    def lock_answer(self, lock: Lock, root: str, status: int) -> Response:
        body = davxml.prop_document(
            f"<d:lockdiscovery>{locks.activelock_xml(lock, root)}</d:lockdiscovery>"
        )
        return Response.xml(body, status, **{"Lock-Token": f"<{lock.token}>"})

    async def do_unlock(self, request: Request) -> Response:
        token = parse_lock_token(request.header("lock-token"))
        if not token:
            raise DavError(400, message="no Lock-Token")
        await run_sync(self.unlock, request, token)
        return Response(204)

    def unlock(self, request: Request, token: str) -> None:
        location = self.locate(request.segments)
        for lock in locks.covering(location.space.pk, location.space_path):
            if lock.token == token:
                if lock.user_id is not None and lock.user_id != self.user.pk:
                    raise DavError(403, message="This lock is someone else's.")
                lock.delete()
                return
        raise DavError(409, "lock-token-matches-request-uri")


def _files(request: Request, match: re.Match[str]) -> Tree:
    return FilesTree(request, match.group("user"))


def _legacy(request: Request, match: re.Match[str]) -> Tree:
    return FilesTree(request, None)


register(
    r"^(?P<prefix>/remote\.php/dav/files/(?P<user>[^/]+))(?P<rest>/.*)?$",
    _files,
    small_put=transfer.put_small,
)
register(r"^(?P<prefix>/remote\.php/webdav)(?P<rest>/.*)?$", _legacy, small_put=transfer.put_small)
