"""Properties of files and folders for PROPFIND: live ones (RFC 4918, RFC 4331 quotas,
Nextcloud's ``oc:`` and ``nc:``) and dead ones (set by clients with PROPPATCH).

A listing is answered with a bounded number of queries whatever its size: what a property
needs beyond the node itself (blobs for checksums, owners, favourites, shares, dead
properties, locks) is loaded once for every entry, and only when asked for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.http import http_date

from cartable.accounts.models import User
from cartable.core.models import Grant
from cartable.drive import access
from cartable.drive.actions import free_bytes
from cartable.drive.models import Blob, DeadProperty, Favourite, Lock, Node, ShareLink, Space
from cartable.drive.webdav import davxml, locks
from cartable.drive.webdav.davxml import DAV, NC, OC, PropName, element
from cartable.drive.webdav.davxml import text as esc


class Listed:
    """A child of a listed folder, with what its properties need and no more: a
    PROPFIND of 10 000 entries does not build 10 000 model instances."""

    __slots__ = (
        "pk",
        "kind",
        "name",
        "path",
        "size",
        "mime_type",
        "etag",
        "mtime",
        "created_at",
        "blob_id",
        "space_id",
        "parent_id",
        "owner_id",
        "created_by_id",
        "reach",
        "reach_role",
        "structure_id",
        "file_drop",
        "link_token",
        "link_expires_at",
        "space",
        "is_folder",
        "is_root",
    )
    FIELDS = __slots__[:20]
    pk: int
    kind: str
    name: str
    path: str
    size: int
    mime_type: str
    etag: str
    mtime: datetime
    created_at: datetime
    blob_id: int | None
    space_id: int
    parent_id: int | None
    owner_id: int | None
    created_by_id: int | None
    reach: str
    reach_role: str
    structure_id: int | None
    file_drop: bool
    link_token: str
    link_expires_at: datetime | None
    space: Space
    is_folder: bool
    is_root: bool

    def __init__(self, row: tuple[Any, ...], space: Space) -> None:
        for attr, value in zip(self.FIELDS, row, strict=True):
            setattr(self, attr, value)
        self.space = space
        self.is_folder = self.kind == Node.Kind.FOLDER
        self.is_root = self.parent_id is None


NodeLike = Node | Listed


@dataclass
class Entry:
    """One resource of a PROPFIND answer."""

    href: str
    node: NodeLike
    abilities: frozenset[str]
    # Seen at the user's root although it lives elsewhere: "group" or "share".
    mount_kind: str | None = None
    # Segments of the href below the tree's prefix, for lock roots.
    segments: list[str] = field(default_factory=list)


def instance_id() -> str:
    """A stable identifier of this Cartable, as Nextcloud's ``instanceid`` (in ``oc:id``)."""
    digest = hashlib.sha256(f"instance:{settings.SECRET_KEY}".encode()).hexdigest()
    return "oc" + digest[:10]


def permissions(entry: Entry, shared: bool) -> str:
    """Nextcloud's permission letters: S shared, R re-shareable, M mounted, G readable,
    D deletable, N renamable, V movable, W writable (files), C and K create files and
    folders (folders)."""
    allowed = entry.abilities
    node = entry.node
    letters = ""
    if shared:
        letters += "S"
    if "share" in allowed:
        letters += "R"
    if entry.mount_kind:
        letters += "M"
    if "view" in allowed:
        letters += "G"
    # A mount point can be neither deleted nor moved by the person it is mounted for.
    if "delete" in allowed and not entry.mount_kind and not node.is_root:
        letters += "DNV"
    if node.is_folder:
        if "upload" in allowed:
            letters += "CK"
    elif "edit" in allowed:
        letters += "W"
    return letters


class Context:
    """What the entries of one answer share, loaded on first need."""

    def __init__(
        self,
        user: User,
        entries: list[Entry],
        lock_root: Callable[[Entry, Lock], str],
        listed: Node | None = None,
    ) -> None:
        self.user = user
        self.entries = entries
        # The folder whose children are among the entries (their ids are not listed in
        # queries, which select them by parent instead).
        self.listed = listed
        # The href of a lock's root, seen from an entry it covers.
        self.lock_root = lock_root
        self._loaded: set[str] = set()
        self.dead: dict[int, dict[PropName, str]] = {}
        self.favourites: set[int] = set()
        self.shares: dict[int, set[int]] = {}
        self.locks: dict[tuple[int, str], list[Lock]] = {}
        self.blobs: dict[int, tuple[str, str, str]] = {}
        # Permission letters of ordinary entries, by what they depend on.
        self.letters: dict[tuple[frozenset[str], bool, bool], str] = {}
        self.owners: dict[int, tuple[str, str]] = {}
        self._space_free: dict[int, int | None] = {}
        self.dropped: dict[int, access.DropperView] = {}

    def _of_entries(self, field: str = "node_id") -> Q:
        """Rows whose ``field`` (a node id) is one of the entries'."""
        if self.listed is None:
            return Q(**{f"{field}__in": [e.node.pk for e in self.entries]})
        others = [e.node.pk for e in self.entries if e.node.parent_id != self.listed.pk]
        children = Node.objects.filter(parent_id=self.listed.pk, trashed=False).values("pk")
        return Q(**{f"{field}__in": others}) | Q(**{f"{field}__in": children})

    def load(self, what: str) -> None:
        if what in self._loaded:
            return
        self._loaded.add(what)
        if what == "dead":
            for node_id, namespace, name, value in DeadProperty.objects.filter(
                self._of_entries()
            ).values_list("node_id", "namespace", "name", "value"):
                self.dead.setdefault(node_id, {})[(namespace, name)] = value
        elif what == "blob":
            query = Q(pk__in={e.node.blob_id for e in self.entries if e.node.blob_id})
            if self.listed is not None:
                query = Q(
                    pk__in={
                        e.node.blob_id
                        for e in self.entries
                        if e.node.blob_id and e.node.parent_id != self.listed.pk
                    }
                ) | Q(
                    pk__in=Node.objects.filter(
                        parent_id=self.listed.pk, trashed=False, blob__isnull=False
                    ).values("blob_id")
                )
            for pk, sha1, md5, adler32 in Blob.objects.filter(query).values_list(
                "pk", "sha1", "md5", "adler32"
            ):
                self.blobs[pk] = (sha1, md5, adler32)
        elif what == "owner":
            owner_ids = {e.node.owner_id for e in self.entries if e.node.owner_id}
            for owner in get_user_model().objects.filter(pk__in=owner_ids):
                self.owners[owner.pk] = (owner.username, owner.get_display_name())
        elif what == "favourite":
            self.favourites = set(
                Favourite.objects.filter(self._of_entries(), user=self.user).values_list(
                    "node_id", flat=True
                )
            )
        elif what == "shares":
            node_type = ContentType.objects.get_for_model(Node)
            for object_id, user_id in Grant.objects.filter(
                self._of_entries("object_id"), content_type=node_type
            ).values_list("object_id", "user_id"):
                self.shares.setdefault(object_id, set()).add(0 if user_id else 1)
            for node_id in ShareLink.objects.filter(self._of_entries()).values_list(
                "node_id", flat=True
            ):
                self.shares.setdefault(node_id, set()).add(3)
        elif what == "dropped":
            self.dropped = access.dropper_views(
                self.user, [e.node for e in self.entries if _drops_into(e)]
            )
        elif what == "locks":
            seen: set[tuple[int, str]] = set()
            for entry in self.entries:
                node = entry.node
                folder_path = node.path if node.is_folder else node.path.rsplit("/", 1)[0]
                key = (node.space_id, folder_path)
                if key in seen:
                    continue
                seen.add(key)
                by_path = locks.locks_in(node.space_id, folder_path)
                for e in self.entries:
                    if e.node.space_id == node.space_id:
                        found = locks.applying(by_path, e.node.path)
                        self.locks[(e.node.space_id, e.node.path)] = found

    def free(self, space: Space) -> int | None:
        if space.pk not in self._space_free:
            self._space_free[space.pk] = free_bytes(space)
        return self._space_free[space.pk]


def _etag(node: NodeLike) -> str:
    return f'"{node.etag}"'


_HTTP_DATES: dict[int, str] = {}


def http_date_of(moment: datetime) -> str:
    """RFC 9110's date of ``moment``; remembered by the second, as a listing has many
    entries of the same second."""
    second = int(moment.timestamp())
    found = _HTTP_DATES.get(second)
    if found is None:
        if len(_HTTP_DATES) > 4096:
            _HTTP_DATES.clear()
        found = _HTTP_DATES[second] = http_date(second)
    return found


def _drops_into(entry: Entry) -> bool:
    return entry.node.is_folder and "drop" in entry.abilities


def _as_seen(entry: Entry, ctx: Context) -> access.DropperView | None:
    """A homework box (or the person's own folder in one) as this person sees it: what the
    others handed in counts in neither its size nor its ETag."""
    if not _drops_into(entry):
        return None
    ctx.load("dropped")
    return ctx.dropped.get(entry.node.pk)


def _getetag(entry: Entry, ctx: Context) -> str:
    seen = _as_seen(entry, ctx)
    return esc(f'"{seen.etag}"' if seen else _etag(entry.node))


def _last_modified(entry: Entry, ctx: Context) -> str:
    return http_date_of(entry.node.mtime)


def _folder_size(entry: Entry, ctx: Context) -> int:
    seen = _as_seen(entry, ctx)
    return seen.size if seen else entry.node.size


def _creation(entry: Entry, ctx: Context) -> str:
    return entry.node.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _length(entry: Entry, ctx: Context) -> str | None:
    return None if entry.node.is_folder else str(entry.node.size)


def _content_type(entry: Entry, ctx: Context) -> str | None:
    if entry.node.is_folder:
        return None
    return esc(entry.node.mime_type or "application/octet-stream")


def _resourcetype(entry: Entry, ctx: Context) -> str:
    return "<d:collection/>" if entry.node.is_folder else ""


def _displayname(entry: Entry, ctx: Context) -> str:
    name = getattr(entry.node, "mount_name", None) or entry.node.name
    return esc(name)


def _lockdiscovery(entry: Entry, ctx: Context) -> str:
    ctx.load("locks")
    found = ctx.locks.get((entry.node.space_id, entry.node.path), [])
    return "".join(locks.activelock_xml(lock, ctx.lock_root(entry, lock)) for lock in found)


def _supportedlock(entry: Entry, ctx: Context) -> str:
    return locks.SUPPORTED_LOCK


def _quota_used(entry: Entry, ctx: Context) -> str | None:
    return str(_folder_size(entry, ctx)) if entry.node.is_folder else None


def _quota_available(entry: Entry, ctx: Context) -> str | None:
    if not entry.node.is_folder:
        return None
    free = ctx.free(entry.node.space)
    # RFC 4331 has no "unlimited"; Nextcloud answers -3 for it.
    return "-3" if free is None else str(free)


def _fileid(entry: Entry, ctx: Context) -> str:
    return str(entry.node.pk)


def _oc_id(entry: Entry, ctx: Context) -> str:
    return f"{entry.node.pk:08d}{instance_id()}"


def _oc_permissions(entry: Entry, ctx: Context) -> str:
    ctx.load("shares")
    shared = bool(ctx.shares.get(entry.node.pk))
    if entry.mount_kind or entry.node.is_root:
        return permissions(entry, shared)
    key = (entry.abilities, entry.node.is_folder, shared)
    found = ctx.letters.get(key)
    if found is None:
        found = ctx.letters[key] = permissions(entry, shared)
    return found


def _oc_size(entry: Entry, ctx: Context) -> str:
    return str(_folder_size(entry, ctx))


def _checksums(entry: Entry, ctx: Context) -> str | None:
    node = entry.node
    if node.is_folder or not node.blob_id:
        return None
    ctx.load("blob")
    found = ctx.blobs.get(node.blob_id)
    if found is None:
        return None
    sha1, md5, adler32 = found
    parts = [f"SHA1:{sha1}", f"MD5:{md5}"]
    if adler32:
        parts.append(f"ADLER32:{adler32}")
    return f"<oc:checksum>{' '.join(parts)}</oc:checksum>"


def _favorite(entry: Entry, ctx: Context) -> str:
    ctx.load("favourite")
    return "1" if entry.node.pk in ctx.favourites else "0"


def _owner_id(entry: Entry, ctx: Context) -> str | None:
    ctx.load("owner")
    owner = ctx.owners.get(entry.node.owner_id or 0)
    return esc(owner[0]) if owner is not None else None


def _owner_name(entry: Entry, ctx: Context) -> str | None:
    ctx.load("owner")
    owner = ctx.owners.get(entry.node.owner_id or 0)
    return esc(owner[1]) if owner is not None else None


def _share_types(entry: Entry, ctx: Context) -> str:
    ctx.load("shares")
    kinds = sorted(ctx.shares.get(entry.node.pk, ()))
    return "".join(f"<oc:share-type>{k}</oc:share-type>" for k in kinds)


def _has_preview(entry: Entry, ctx: Context) -> str:
    mime = entry.node.mime_type or ""
    return "true" if mime.startswith("image/") or mime == "application/pdf" else "false"


def _mount_type(entry: Entry, ctx: Context) -> str:
    return "shared" if entry.mount_kind == "share" else "group" if entry.mount_kind else ""


def _creation_time(entry: Entry, ctx: Context) -> str:
    return str(int(entry.node.created_at.timestamp()))


def _upload_time(entry: Entry, ctx: Context) -> str:
    return str(int(entry.node.created_at.timestamp())) if not entry.node.is_folder else "0"


Getter = Callable[[Entry, Context], "str | None"]

LIVE: dict[PropName, Getter] = {
    (DAV, "displayname"): _displayname,
    (DAV, "getcontentlength"): _length,
    (DAV, "getcontenttype"): _content_type,
    (DAV, "getetag"): _getetag,
    (DAV, "getlastmodified"): _last_modified,
    (DAV, "creationdate"): _creation,
    (DAV, "resourcetype"): _resourcetype,
    (DAV, "supportedlock"): _supportedlock,
    (DAV, "lockdiscovery"): _lockdiscovery,
    (DAV, "quota-available-bytes"): _quota_available,
    (DAV, "quota-used-bytes"): _quota_used,
    (OC, "fileid"): _fileid,
    (OC, "id"): _oc_id,
    (OC, "permissions"): _oc_permissions,
    (OC, "size"): _oc_size,
    (OC, "checksums"): _checksums,
    (OC, "favorite"): _favorite,
    (OC, "owner-id"): _owner_id,
    (OC, "owner-display-name"): _owner_name,
    (OC, "share-types"): _share_types,
    (NC, "has-preview"): _has_preview,
    (NC, "mount-type"): _mount_type,
    (NC, "creation_time"): _creation_time,
    (NC, "upload_time"): _upload_time,
}
# What allprop returns besides dead properties (RFC 4918 §9.1: those of this specification).
ALLPROP = [
    (DAV, "displayname"),
    (DAV, "getcontentlength"),
    (DAV, "getcontenttype"),
    (DAV, "getetag"),
    (DAV, "getlastmodified"),
    (DAV, "creationdate"),
    (DAV, "resourcetype"),
    (DAV, "supportedlock"),
    (DAV, "lockdiscovery"),
]
# Live properties a client may not set or remove (all of them: none is writable here).
PROTECTED = set(LIVE)


def _tags(name: PropName) -> tuple[str, str, str]:
    """The opening and closing tags of a property, and its empty element."""
    full = element(name, "\x00")
    start, end = full.split("\x00")
    return start, end, element(name)


def responses(
    ctx: Context, kind: str, names: Iterable[PropName], include: Iterable[PropName] = ()
) -> Iterable[str]:
    """The ``<d:response>`` of every entry, for a PROPFIND of ``kind``."""
    names = list(names)
    if kind != "prop" or any(n not in LIVE for n in names):
        ctx.load("dead")
    wanted = list(dict.fromkeys([*ALLPROP, *include])) if kind == "allprop" else names
    getters = [(name, LIVE.get(name), *_tags(name)) for name in wanted]
    for entry in ctx.entries:
        dead = ctx.dead.get(entry.node.pk, {})
        if kind == "propname":
            found = [element(n) for n, g in LIVE.items() if g(entry, ctx) is not None]
            found += [element(n) for n in dead]
            yield davxml.response(entry.href, {200: found})
            continue
        ok: list[str] = []
        missing: list[str] = []
        for name, getter, start, end, empty in getters:
            if getter is not None:
                inner = getter(entry, ctx)
                if inner is None:
                    if kind == "prop":
                        missing.append(empty)
                    continue
                ok.append(f"{start}{inner}{end}" if inner else empty)
            elif name in dead:
                ok.append(dead[name])
            elif kind == "prop":
                missing.append(empty)
        if kind == "allprop":
            ok.extend(v for n, v in dead.items() if n not in LIVE)
        yield davxml.response(entry.href, {200: ok, 404: missing})
