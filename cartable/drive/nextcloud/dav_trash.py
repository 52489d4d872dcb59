"""Nextcloud's trash bin and versions over DAV, as the desktop and mobile apps use them.

Trash bin, ``/remote.php/dav/trashbin/<user>/``: ``trash/`` lists what the person deleted
(in their own space, and in class folders they manage or where they deleted it) with
``nc:trashbin-filename``, ``nc:trashbin-original-location`` and ``nc:trashbin-deletion-time``;
MOVE of ``trash/<item>`` to ``restore/<name>`` restores it, DELETE purges it (or, on
``trash/`` itself, empties the person's own trash). An item is named ``<name>.d<time>``
as in Nextcloud, with the node's id added: ``<name>.d<time>.<id>``.

Versions, ``/remote.php/dav/versions/<user>/versions/<file id>/``: PROPFIND lists the kept
versions of a file the person may see (each named by its id), GET reads one, COPY or MOVE
to ``/versions/<user>/restore/target`` makes it the current content.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.utils.http import http_date

from cartable.accounts.models import User
from cartable.core.http import user_bytes_headers
from cartable.drive import access, actions
from cartable.drive.models import Node, Space, Version
from cartable.drive.mounts import mounts, user_path_of
from cartable.drive.webdav import davxml
from cartable.drive.webdav.davxml import text as esc
from cartable.drive.webdav.errors import drive_errors
from cartable.drive.webdav.headers import BadHeader, ForeignDestination, destination_path
from cartable.drive.webdav.http import (
    DavError,
    ListedTree,
    Request,
    Response,
    Tree,
    register,
    run_sync,
)
from cartable.drive.webdav.transfer import stream

_ITEM = re.compile(r"^(?P<name>.*)\.d(?P<time>\d+)\.(?P<id>\d+)$")
FOLDER = "<d:resourcetype><d:collection/></d:resourcetype>"


class _Owned(ListedTree):
    def __init__(self, request: Request, owner: str) -> None:
        # Signed in by ``auth`` before any tree is made.
        self.user: User = request.user
        if unquote(owner) != self.user.username:
            raise DavError(403, message="This is not your folder.")

    def destination(self, request: Request) -> list[str]:
        try:
            raw = destination_path(request.header("destination"), request.host)
        except ForeignDestination:
            raise DavError(502) from None
        except BadHeader as exc:
            raise DavError(400, message=str(exc)) from None
        segments = request.segments_of(raw)
        if segments is None:
            raise DavError(403, message="The destination is outside this folder tree.")
        return segments


def _file_props(node_size: int, mtime: float, etag: str) -> list[str]:
    return [
        "<d:resourcetype/>",
        f"<d:getcontentlength>{node_size}</d:getcontentlength>",
        f"<d:getlastmodified>{http_date(mtime)}</d:getlastmodified>",
        f'<d:getetag>"{esc(etag)}"</d:getetag>',
    ]


# --- trash bin ---------------------------------------------------------------------------


class TrashTree(_Owned):
    def spaces(self) -> list[Space]:
        own = actions.personal_space(self.user)
        return [own] + [m.node.space for m in mounts(self.user) if m.kind == "group"]

    def items(self) -> list[Node]:
        found = []
        for space in self.spaces():
            for node in actions.trash_items(space):
                try:
                    actions.check_trash_access(node, self.user)
                except Exception:  # noqa: BLE001, S112 - not theirs to see  # nosec B112
                    continue
                found.append(node)
        return found

    def item(self, name: str) -> Node:
        match = _ITEM.match(name)
        if match is None:
            raise DavError(404)
        node = Node.objects.select_related("space").filter(pk=int(match["id"])).first()
        if node is None or node.trashed_at is None:
            raise DavError(404)
        with drive_errors():
            actions.check_trash_access(node, self.user)
        return node

    @staticmethod
    def item_name(node: Node) -> str:
        stamp = int(node.trashed_at.timestamp()) if node.trashed_at else 0
        return f"{node.name}.d{stamp}.{node.pk}"

    def propfind(self, request: Request, depth: str) -> bytes:
        segments = request.segments
        if not segments:
            answers = [davxml.response(request.href([], True), {200: [FOLDER]})]
            if depth != "0":
                answers += [
                    davxml.response(request.href([name], True), {200: [FOLDER]})
                    for name in ("trash", "restore")
                ]
            return davxml.multistatus(answers)
        if segments[0] == "restore" and len(segments) == 1:
            return davxml.multistatus(
                [davxml.response(request.href(segments, True), {200: [FOLDER]})]
            )
        if segments[0] != "trash" or len(segments) > 2:
            raise DavError(404)
        if len(segments) == 2:
            node = self.item(segments[1])
            return davxml.multistatus([self.entry(request, node)])
        answers = [davxml.response(request.href(segments, True), {200: [FOLDER]})]
        if depth != "0":
            answers += [self.entry(request, node) for node in self.items()]
        return davxml.multistatus(answers)

    def entry(self, request: Request, node: Node) -> str:
        where = node.trashed_from or node.path
        seen = user_path_of(self.user, Node(space=node.space, path=where)) or where
        stamp = int(node.trashed_at.timestamp()) if node.trashed_at else 0
        props = [FOLDER if node.is_folder else "<d:resourcetype/>"]
        props += [
            f"<d:getcontentlength>{node.size}</d:getcontentlength>",
            f"<d:getlastmodified>{http_date(node.mtime.timestamp())}</d:getlastmodified>",
            f'<d:getetag>"{esc(node.etag)}"</d:getetag>',
            f"<oc:fileid>{node.pk}</oc:fileid>",
            f"<oc:size>{node.size}</oc:size>",
            f"<nc:trashbin-filename>{esc(node.name)}</nc:trashbin-filename>",
            f"<nc:trashbin-original-location>{esc(seen.lstrip('/'))}</nc:trashbin-original-location>",
            f"<nc:trashbin-deletion-time>{stamp}</nc:trashbin-deletion-time>",
        ]
        if not node.is_folder:
            props.append(
                f"<d:getcontenttype>{esc(node.mime_type or 'application/octet-stream')}</d:getcontenttype>"
            )
        return davxml.response(
            request.href(["trash", self.item_name(node)], node.is_folder), {200: props}
        )

    async def do_move(self, request: Request) -> Response:
        await run_sync(self.move, request)
        return Response(201)

    def move(self, request: Request) -> None:
        if len(request.segments) != 2 or request.segments[0] != "trash":
            raise DavError(403)
        node = self.item(request.segments[1])
        target = self.destination(request)
        if len(target) != 2 or target[0] != "restore":
            raise DavError(403, message="Restore by moving the item into restore/.")
        with drive_errors():
            actions.restore(node, by=self.user)

    async def do_delete(self, request: Request) -> Response:
        await run_sync(self.delete, request)
        return Response(204)

    def delete(self, request: Request) -> None:
        segments = request.segments
        if segments == ["trash"]:
            with drive_errors():
                actions.empty_trash(actions.personal_space(self.user), by=self.user)
            return
        if len(segments) != 2 or segments[0] != "trash":
            raise DavError(403)
        node = self.item(segments[1])
        with drive_errors():
            actions.purge(node, by=self.user)


# --- versions ----------------------------------------------------------------------------


class VersionsTree(_Owned):
    def node(self, file_id: str) -> Node:
        if not file_id.isdigit():
            raise DavError(404)
        node = Node.objects.select_related("space").filter(pk=int(file_id), trashed=False).first()
        if node is None or node.is_folder:
            raise DavError(404)
        with drive_errors():
            access.check(self.user, node, "view")
        return node

    def version(self, segments: list[str]) -> Version:
        node = self.node(segments[1])
        if not segments[2].isdigit():
            raise DavError(404)
        version = actions.versions(node).filter(pk=int(segments[2])).select_related("blob").first()
        if version is None:
            raise DavError(404)
        return version

    def propfind(self, request: Request, depth: str) -> bytes:
        segments = request.segments
        if not segments or (segments[0] in ("versions", "restore") and len(segments) == 1):
            return davxml.multistatus(
                [davxml.response(request.href(segments, True), {200: [FOLDER]})]
            )
        if segments[0] != "versions" or len(segments) > 3:
            raise DavError(404)
        if len(segments) == 3:
            return davxml.multistatus([self.entry(request, self.version(segments), segments[1])])
        node = self.node(segments[1])
        answers = [davxml.response(request.href(segments, True), {200: [FOLDER]})]
        if depth != "0":
            answers += [self.entry(request, v, segments[1]) for v in actions.versions(node)]
        return davxml.multistatus(answers)

    def entry(self, request: Request, version: Version, file_id: str) -> str:
        props = _file_props(version.size, version.mtime.timestamp(), f"v{version.pk}")
        props.append("<d:getcontenttype>application/octet-stream</d:getcontenttype>")
        if version.author is not None:
            props.append(f"<nc:version-author>{esc(version.author.username)}</nc:version-author>")
        if version.label:
            props.append(f"<nc:version-label>{esc(version.label)}</nc:version-label>")
        return davxml.response(request.href(["versions", file_id, str(version.pk)]), {200: props})

    async def do_get(self, request: Request) -> Response:
        segments = request.segments
        if len(segments) != 3 or segments[0] != "versions":
            raise DavError(404)
        version = await run_sync(self.readable, segments)
        headers = {
            **user_bytes_headers("application/octet-stream", version.node.name),
            "Content-Length": str(version.size),
            "ETag": f'"v{version.pk}"',
        }
        if request.method == "HEAD" or version.size == 0:
            return Response(200, b"", headers)
        return Response(200, stream(version.blob.storage_name, 0, version.size), headers)

    async def do_head(self, request: Request) -> Response:
        return await self.do_get(request)

    def readable(self, segments: list[str]) -> Version:
        version = self.version(segments)
        with drive_errors():
            access.check(self.user, version.node, "download")
        return version

    async def do_copy(self, request: Request) -> Response:
        await run_sync(self.restore, request)
        return Response(204)

    async def do_move(self, request: Request) -> Response:
        return await self.do_copy(request)

    def restore(self, request: Request) -> None:
        segments = request.segments
        if len(segments) != 3 or segments[0] != "versions":
            raise DavError(403)
        version = self.version(segments)
        if self.destination(request)[:1] != ["restore"]:
            raise DavError(403, message="Restore by copying the version into restore/.")
        with drive_errors():
            actions.restore_version(version, by=self.user)


def _trash(request: Request, match: re.Match[str]) -> Tree:
    return TrashTree(request, match.group("user"))


def _versions(request: Request, match: re.Match[str]) -> Tree:
    return VersionsTree(request, match.group("user"))


register(r"^(?P<prefix>/remote\.php/dav/trashbin/(?P<user>[^/]+))(?P<rest>/.*)?$", _trash)
register(r"^(?P<prefix>/remote\.php/dav/versions/(?P<user>[^/]+))(?P<rest>/.*)?$", _versions)
