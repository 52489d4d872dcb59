"""Nextcloud's OCS share API (``apps/files_sharing/api/v1``) on Cartable's shares.

Share types: 0 a user, 1 a group (a class or team, named by its public id), 3 a public link.
Nextcloud's permission bits (1 read, 2 update, 4 create, 8 delete, 16 share) map to roles:
read alone is viewer; any of update/create/delete is editor; share on a folder is manager
(editors cannot share in Cartable); create alone on a link is a file drop.

Share ids: Cartable keeps user and group shares (``Grant``) apart from links
(``ShareLink``), in two tables whose ids overlap; Nextcloud clients need one number (the
Android app parses it as an integer). A grant's share id is ``2 × its id``, a link's
``2 × its id + 1``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time
from typing import Any, TypeVar

from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from cartable.accounts.models import Group, User
from cartable.core.models import Grant
from cartable.core.roles import Role
from cartable.drive.access import abilities, visible_below
from cartable.drive.actions import sharing
from cartable.drive.errors import DriveError, NotFound
from cartable.drive.models import Node, ShareLink
from cartable.drive.mounts import resolve, user_path_of
from cartable.drive.nextcloud.ocs import OcsError, ocs_view
from cartable.drive.nextcloud.status import server_url

T = TypeVar("T")

USER, GROUP, LINK = 0, 1, 3
READ, UPDATE, CREATE, DELETE, SHARE = 1, 2, 4, 8, 16
ALL = READ | UPDATE | CREATE | DELETE | SHARE
FOLDER_MIME = "httpd/unix-directory"


def permissions_of(role: str, node: Node, *, file_drop: bool = False) -> int:
    if file_drop:
        return CREATE
    if role in (Role.MANAGER, Role.OWNER):
        return ALL if node.is_folder else READ | UPDATE | SHARE
    if role == Role.EDITOR:
        return READ | UPDATE | CREATE | DELETE if node.is_folder else READ | UPDATE
    return READ


def role_of(permissions: int, node: Node) -> Role:
    if permissions & SHARE and node.is_folder:
        return Role.MANAGER
    if permissions & (UPDATE | CREATE | DELETE):
        return Role.EDITOR
    if permissions & READ:
        return Role.VIEWER
    raise OcsError(400, "Invalid permissions")


def encode_id(share: Grant | ShareLink) -> int:
    return share.pk * 2 + (1 if isinstance(share, ShareLink) else 0)


def decode_id(share_id: str) -> Grant | ShareLink:
    number = _small_int(share_id)
    if number is None or number < 0:
        raise OcsError(404, "Wrong share ID, share does not exist")
    pk, is_link = divmod(number, 2)
    share: Grant | ShareLink | None
    if is_link:
        share = ShareLink.objects.select_related("node__space", "created_by").filter(pk=pk).first()
    else:
        share = (
            Grant.objects.select_related("user", "group", "granted_by")
            .filter(pk=pk, content_type=sharing.node_type())
            .first()
        )
    if share is None:
        raise OcsError(404, "Wrong share ID, share does not exist")
    return share


def _node_of(share: Grant | ShareLink) -> Node:
    if isinstance(share, ShareLink):
        node = share.node
    else:
        node = Node.objects.select_related("space").filter(pk=share.object_id).first()  # type: ignore[assignment]
    if node is None or node.trashed:
        raise OcsError(404, "Wrong share ID, share does not exist")
    return node


def _may_see(user: User, share: Grant | ShareLink, node: Node) -> bool:
    if isinstance(share, Grant) and (
        share.user_id == user.pk or (share.group_id and share.group_id in user.group_roles())
    ):
        return True
    return "share" in abilities(user, node)


def link_url(request: HttpRequest, link: ShareLink) -> str:
    try:
        path = reverse("drive:link", args=[link.token])
    except NoReverseMatch:
        path = f"/drive/s/{link.token}"
    return server_url(request) + path


def _stamp(value: datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def describe(request: HttpRequest, user: User, share: Grant | ShareLink, node: Node) -> dict:
    """One share as Nextcloud describes it; paths are those of ``user``'s view."""
    owner = share.created_by if isinstance(share, ShareLink) else share.granted_by
    file_owner = node.owner or owner
    path = user_path_of(user, node)
    if path is None:
        path = "/" + node.name
    parent_id = node.parent_id or node.pk
    data: dict[str, Any] = {
        "id": str(encode_id(share)),
        "share_type": LINK if isinstance(share, ShareLink) else USER if share.user_id else GROUP,
        "uid_owner": owner.username if owner else "",
        "displayname_owner": owner.get_display_name() if owner else "",
        "uid_file_owner": file_owner.username if file_owner else "",
        "displayname_file_owner": file_owner.get_display_name() if file_owner else "",
        "stime": _stamp(share.created_at),
        "parent": None,
        "expiration": None,
        "token": None,
        "note": "",
        "label": "",
        "path": path or "/",
        "item_type": "folder" if node.is_folder else "file",
        "mimetype": FOLDER_MIME
        if node.is_folder
        else (node.mime_type or "application/octet-stream"),
        "has_preview": False,
        "storage_id": f"cartable::{node.space.public_id}",
        "storage": node.space_id,
        "item_source": node.pk,
        "file_source": node.pk,
        "file_parent": parent_id,
        "file_target": "/" + node.name,
        "item_size": node.size,
        "item_mtime": _stamp(node.mtime),
        "mail_send": 0,
        "hide_download": 0,
        "attributes": None,
        "can_edit": "share" in abilities(user, node),
        "can_delete": "share" in abilities(user, node),
    }
    if isinstance(share, ShareLink):
        data.update(
            {
                "permissions": permissions_of(share.role, node, file_drop=share.file_drop),
                "share_with": None,
                "share_with_displayname": "",
                "token": share.token,
                "url": link_url(request, share),
                "label": share.label,
                "hide_download": 1 if share.hide_download else 0,
                "password": "***" if share.password else None,
                "expiration": share.expires_at.strftime("%Y-%m-%d 00:00:00")
                if share.expires_at
                else None,
            }
        )
        if share.password:
            data["share_with"] = "***"
    elif share.user_id:
        data.update(
            {
                "permissions": permissions_of(share.role, node),
                "share_with": share.user.username,  # type: ignore[union-attr]
                "share_with_displayname": share.user.get_display_name(),  # type: ignore[union-attr]
            }
        )
    else:
        data.update(
            {
                "permissions": permissions_of(share.role, node),
                "share_with": str(share.group.public_id),  # type: ignore[union-attr]
                "share_with_displayname": share.group.name,  # type: ignore[union-attr]
            }
        )
    return data


def _node_at(user: User, path: str) -> Node:
    try:
        location = resolve(user, path)
    except DriveError:
        raise OcsError(404, "Wrong path, file/folder does not exist") from None
    node = location.node
    if node is None or "view" not in abilities(user, node):
        raise OcsError(404, "Wrong path, file/folder does not exist")
    return node


def _small_int(value: str | None) -> int | None:
    """A parameter's number, None unless it is one an id or a bit field can be (the database
    stores 64 bits; int() alone takes thousands of digits and other scripts' digits)."""
    text = (value or "").strip()
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        return None
    return int(text)


def _permissions(value: str) -> int:
    number = _small_int(value)
    if number is None:
        raise OcsError(400, "Invalid permissions")
    return number


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


def _expiry(value: str | None) -> datetime | None:
    """Nextcloud sends ``YYYY-MM-DD`` (sometimes with a time): the link ends that day."""
    if not value:
        return None
    invalid = OcsError(404, "Invalid date, date format must be YYYY-MM-DD")
    if len(value) > 64:
        raise invalid
    try:
        # Both raise ValueError for a well-formed impossible date (2024-13-45).
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value[:10])
            if day is None:
                raise invalid
            moment = datetime.combine(day, time(23, 59, 59))
    except ValueError:
        raise invalid from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _shares_on(nodes: list[Node]) -> list[Grant | ShareLink]:
    ids = [n.pk for n in nodes]
    grants = list(
        Grant.objects.filter(content_type=sharing.node_type(), object_id__in=ids)
        .select_related("user", "group", "granted_by")
        .order_by("pk")
    )
    links = list(
        ShareLink.objects.filter(node_id__in=ids)
        .select_related("node__space", "created_by")
        .order_by("pk")
    )
    return [*grants, *links]


def _list(request: HttpRequest, user: User) -> list[dict]:
    params = request.GET
    if _flag(params.get("shared_with_me")):
        found: list[Grant | ShareLink] = list(sharing.received(user))
        if params.get("path"):
            node = _node_at(user, params["path"])
            found = [s for s in found if isinstance(s, Grant) and s.object_id == node.pk]
    elif params.get("path"):
        node = _node_at(user, params["path"])
        nodes = visible_below(user, node, depth=1) if _flag(params.get("subfiles")) else [node]
        found = _shares_on(nodes)
        if not _flag(params.get("reshares")):
            found = [s for s in found if _sharer_id(s) == user.pk]
    else:
        grants = Grant.objects.filter(content_type=sharing.node_type(), granted_by=user)
        links = ShareLink.objects.filter(created_by=user)
        found = [
            *grants.select_related("user", "group", "granted_by").order_by("pk"),
            *links.select_related("node__space", "created_by").order_by("pk"),
        ]
    result = []
    nodes_by_id = {
        n.pk: n
        for n in Node.objects.filter(
            pk__in=[s.node_id if isinstance(s, ShareLink) else s.object_id for s in found],
            trashed=False,
        ).select_related("space", "owner")
    }
    for share in found:
        target = nodes_by_id.get(share.node_id if isinstance(share, ShareLink) else share.object_id)
        if target is not None and _may_see(user, share, target):
            result.append(describe(request, user, share, target))
    return result


def _sharer_id(share: Grant | ShareLink) -> int | None:
    return share.created_by_id if isinstance(share, ShareLink) else share.granted_by_id


def _create(request: HttpRequest, user: User) -> dict:
    data = _params(request)
    node = _node_at(user, data.get("path", ""))
    share_type = _small_int(data.get("shareType"))
    if share_type is None:
        raise OcsError(400, "Unknown share type")
    permissions = data.get("permissions")
    share: Grant | ShareLink
    if share_type in (USER, GROUP):
        if permissions:
            role = role_of(_permissions(permissions), node)
        else:
            # Nextcloud's default is "everything": as much as the sharer may give.
            mine = sharing.own_role(user, node) or Role.VIEWER
            role = Role.MANAGER if mine == Role.MANAGER and node.is_folder else Role.EDITOR
            if mine == Role.VIEWER:
                role = Role.VIEWER
        with_ = data.get("shareWith", "")
        # The sharer's right first: what follows depends on the recipient alone.
        sharing.check_share(user, node, role)
        if share_type == USER:
            # Nobody, and someone the sharer may not share with, get the same answer by the
            # same query (accounts.sharees): the API does not tell who has an account.
            try:
                recipient = sharing.find_sharee(user, username=with_)
            except NotFound:
                raise OcsError(404, "Please specify a valid user") from None
            share = sharing.share_with_user(node, recipient, role, by=user)
        else:
            share = sharing.share_with_group(node, _group(user, with_), role, by=user)
    elif share_type == LINK:
        file_drop = permissions is not None and _permissions(permissions) == CREATE
        role = Role.VIEWER
        if _flag(data.get("publicUpload")) or (
            permissions
            and not file_drop
            and role_of(_permissions(permissions), node) != Role.VIEWER
        ):
            role = Role.EDITOR
        share = sharing.create_link(
            node,
            by=user,
            role=role,
            file_drop=file_drop,
            password=data.get("password", ""),
            expires_at=_expiry(data.get("expireDate")),
            label=data.get("label", ""),
            hide_download=_flag(data.get("hideDownload")),
        )
    else:
        raise OcsError(400, "Unknown share type")
    return describe(request, user, share, node)


def _group(user: User, identifier: str) -> Group:
    try:
        return sharing.find_group(user, identifier)
    except NotFound:
        raise OcsError(404, "Please specify a valid group") from None


def _update(request: HttpRequest, user: User, share: Grant | ShareLink, node: Node) -> dict:
    data = _params(request)
    if isinstance(share, Grant):
        if data.get("permissions"):
            sharing.update_grant(share, role_of(_permissions(data["permissions"]), node), by=user)
        return describe(request, user, share, node)
    changes: dict[str, Any] = {}
    if data.get("permissions"):
        permissions = _permissions(data["permissions"])
        changes["file_drop"] = permissions == CREATE
        if not changes["file_drop"]:
            changes["role"] = role_of(permissions, node)
            if changes["role"] == Role.MANAGER:
                changes["role"] = Role.EDITOR
    if "publicUpload" in data:
        changes["role"] = Role.EDITOR if _flag(data["publicUpload"]) else Role.VIEWER
        changes.setdefault("file_drop", False)
    if "password" in data:
        changes["password"] = data["password"]
    if "expireDate" in data:
        changes["expires_at"] = _expiry(data["expireDate"])
    if "label" in data:
        changes["label"] = data["label"]
    if "hideDownload" in data:
        changes["hide_download"] = _flag(data["hideDownload"])
    sharing.update_link(share, by=user, **changes)
    return describe(request, user, share, node)


def _params(request: HttpRequest) -> dict[str, str]:
    """The request's parameters: query string, then a form or JSON body (for POST and PUT)."""
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
    if request.content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):  # RecursionError: nested past the decoder's depth
            raise OcsError(400, "Invalid JSON") from None
        if isinstance(body, dict):
            params.update(
                {
                    k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                    for k, v in body.items()
                }
            )
    elif request.method == "POST":
        params.update((k, str(v)) for k, v in request.POST.items())
    elif request.body:
        form = QueryDict(request.body, encoding="utf-8")
        params.update((k, str(v)) for k, v in form.items())
    # No text field of the database holds a NUL (PostgreSQL refuses it): refused here, as
    # Django's forms refuse it, rather than failing further down.
    if any("\x00" in k or "\x00" in v for k, v in params.items()):
        raise OcsError(400, "Parameters cannot contain a NUL character")
    return params


def _errors(call: Callable[[], T]) -> T:
    """Drive's errors as OCS answers (the API's one mapping): OCS knows 403 and 404; anything
    else is a bad request (400)."""
    try:
        return call()
    except DriveError as error:
        raise OcsError(error.status if error.status in (403, 404) else 400, error.message) from None


@ocs_view()
def shares(request: HttpRequest, user: User) -> Any:
    if request.method == "GET":
        return _errors(lambda: _list(request, user))
    if request.method == "POST":
        return _errors(lambda: _create(request, user))
    raise OcsError(405, "Method not allowed")


@ocs_view()
def share(request: HttpRequest, user: User, share_id: str) -> Any:
    found = decode_id(share_id)
    node = _node_of(found)
    if not _may_see(user, found, node):
        raise OcsError(404, "Wrong share ID, share does not exist")
    if request.method == "GET":
        return [describe(request, user, found, node)]
    if request.method == "PUT":
        return _errors(lambda: _update(request, user, found, node))
    if request.method == "DELETE":
        _errors(lambda: sharing.unshare(found, by=user))
        return []
    raise OcsError(405, "Method not allowed")


@ocs_view()
def sharees(request: HttpRequest, user: User) -> dict:
    search = request.GET.get("search", "").strip()
    try:
        limit = max(1, min(int(request.GET.get("perPage", "25")), 50))
    except ValueError:
        limit = 25
    types = request.GET.getlist("shareType[]") or request.GET.getlist("shareType")
    wanted = {n for n in map(_small_int, types) if n is not None} or {USER, GROUP}
    users: list[dict] = []
    groups: list[dict] = []
    exact: dict[str, list] = {"users": [], "groups": []}
    if search and USER in wanted:
        for person in sharing.sharees(user, search, limit):
            entry = {
                "label": person.get_display_name(),
                "subline": "",
                "icon": "icon-user",
                "value": {"shareType": USER, "shareWith": person.username},
                "shareWithDisplayNameUnique": person.username,
                "status": [],
            }
            is_exact = search.lower() in (person.username.lower(), (person.email or "").lower())
            (exact["users"] if is_exact else users).append(entry)
    if search and GROUP in wanted:
        mine = sharing.sharee_groups(user).filter(name__icontains=search)
        for group in mine.order_by("name")[:limit]:
            entry = {
                "label": group.name,
                "icon": "icon-group",
                "value": {"shareType": GROUP, "shareWith": str(group.public_id)},
            }
            (exact["groups"] if group.name.lower() == search.lower() else groups).append(entry)
    empty: list = []
    return {
        "exact": {
            **exact,
            "remotes": empty,
            "remote_groups": empty,
            "emails": empty,
            "circles": empty,
            "rooms": empty,
            "lookup": empty,
        },
        "users": users,
        "groups": groups,
        "remotes": empty,
        "remote_groups": empty,
        "emails": empty,
        "circles": empty,
        "rooms": empty,
        "lookup": empty,
        "lookupEnabled": False,
    }
