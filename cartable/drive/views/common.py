"""What every Drive page needs: loading a node for a person, turning Drive errors into
answers, breadcrumbs, and the rows of a listing."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cartable.accounts.models import User
from cartable.core.navigation import safe_next
from cartable.drive import access, errors
from cartable.drive.models import Activity, Favourite, Node, ShareLink
from cartable.drive.mounts import user_path_of

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def load(
    user: Visitor,
    public_id: str | uuid.UUID | None,
    need: str = "view",
    *,
    link: ShareLink | None = None,
) -> tuple[Node, frozenset[str]]:
    """The live node ``public_id`` if ``user`` may ``need`` it, with all they may do."""
    if public_id is None:  # a form that named no node
        raise errors.NotFound
    node = (
        Node.objects.select_related("space", "space__group", "blob")
        .filter(public_id=public_id, trashed=False)
        .first()
    )
    if node is None:
        raise errors.NotFound
    allowed = access.check(user, node, need, link=link)
    return node, allowed


def back(request: HttpRequest) -> str:
    """Where a refused form goes back to: ``next``, the page it came from, or Drive."""
    referer = request.headers.get("Referer", "")
    default = reverse("drive:home")
    if referer and urlsplit(referer).netloc == request.get_host():
        default = referer
    return safe_next(request, default)


def drive_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Drive's errors as the web's answers (its one mapping): 404 and 403 pages; for a form,
    its message and back; otherwise the message with the error's status."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except errors.NotFound as exc:
            raise Http404(exc.message) from exc
        except errors.Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except errors.DriveError as exc:
            if request.method == "POST":
                messages.error(request, exc.message)
                return redirect(back(request))
            return HttpResponse(
                exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
            )

    return wrapped


@dataclass
class Crumb:
    name: str
    url: str


def my_files() -> Crumb:
    return Crumb(_("My files"), reverse("drive:home"))


def display_name(node: Node) -> str:
    if getattr(node, "mount_name", ""):
        return str(node.mount_name)  # type: ignore[attr-defined]
    if node.is_root:
        group = node.space.group
        return group.name if group is not None else _("My files")
    return node.name


def breadcrumbs(user: Visitor, node: Node) -> list[Crumb]:
    """From "My files" to ``node``, as the person sees the path in their Drive."""
    chain = access.lineage(node)
    user_path = user_path_of(user, node) if isinstance(user, User) else None
    crumbs = [my_files()]
    if user_path is None:
        if not node.is_root or node.space.user_id != getattr(user, "pk", None):
            crumbs.append(Crumb(display_name(node), folder_url(node)))
        return crumbs
    segments = [s for s in user_path.split("/") if s]
    tail = chain[len(chain) - len(segments) :] if segments else []
    for segment, n in zip(segments, tail, strict=False):
        crumbs.append(Crumb(segment, folder_url(n)))
    return crumbs


def folder_url(node: Node) -> str:
    if node.is_folder:
        if node.is_root and node.space.user_id is not None and not node.space.group_id:
            return reverse("drive:home")
        return reverse("drive:folder", args=[node.public_id])
    return reverse("drive:file", args=[node.public_id])


def fold(text: str) -> str:
    """For matching names: case and accents ignored (« eleve » finds « Élève »)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


SORTS: dict[str, Callable[[Node], Any]] = {
    "name": lambda n: fold(display_name(n)),
    "size": lambda n: n.size,
    "date": lambda n: n.mtime,
}


def sort_nodes(nodes: list[Node], sort: str, order: str) -> list[Node]:
    key = SORTS.get(sort, SORTS["name"])
    ordered = sorted(nodes, key=key, reverse=order == "desc")
    # Folders first, whatever the order, as every file manager does.
    return [n for n in ordered if n.is_folder] + [n for n in ordered if not n.is_folder]


@dataclass
class Row:
    node: Node
    name: str
    url: str
    favourite: bool
    modified_by: str
    uploader: str
    where: str = ""
    # What the person may do with it: the actions its row offers.
    abilities: frozenset[str] = frozenset()
    # As the person sees it: a homework box's own (see ``access.dropper_views``).
    size: int = 0


def rows(
    user: Visitor,
    nodes: Iterable[Node],
    *,
    folder: Node | None = None,
    own: access.Access | None = None,
) -> list[Row]:
    """Listing rows with who changed each and, in a file drop folder, who handed it in; with
    ``own``, the person's access to ``folder``, what they may do with each. A fixed number of
    queries whatever the number of nodes (and one more per mount point at the Drive's root)."""
    nodes = list(nodes)
    allowed: dict[int, frozenset[str]] = {}
    if folder is not None and own is not None:
        below = [n for n in nodes if n.parent_id == folder.pk]
        allowed = access.children_abilities(user, folder, own, below)
        for mount in nodes:
            if mount.parent_id != folder.pk:
                allowed[mount.pk] = access.abilities(user, mount)
    ids = [n.pk for n in nodes]
    favourites = (
        set(Favourite.objects.filter(user=user, node_id__in=ids).values_list("node_id", flat=True))
        if isinstance(user, User)
        else set()
    )
    people = User.objects.in_bulk(
        {n.modified_by_id for n in nodes if n.modified_by_id}
        | {n.created_by_id for n in nodes if n.created_by_id}
    )
    # Who handed in each file, through a homework box or a file drop link.
    dropped: dict[int, str] = {}
    for node_id, label in Activity.objects.filter(
        node_id__in=ids, verb=Activity.Verb.DROPPED
    ).values_list("node_id", "actor_label"):
        if node_id is not None:
            dropped.setdefault(node_id, label)
    in_box = folder is not None and folder.file_drop
    as_seen = access.dropper_views(
        user, [n for n in nodes if n.is_folder and "drop" in allowed.get(n.pk, ())]
    )
    result = []
    for n in nodes:
        seen = as_seen.get(n.pk)
        changer = people.get(n.modified_by_id) if n.modified_by_id else None
        creator = people.get(n.created_by_id) if n.created_by_id else None
        uploader = ""
        if not n.is_folder and (in_box or n.pk in dropped):
            uploader = dropped.get(n.pk, "") or (creator.get_display_name() if creator else "")
            uploader = uploader or _("Anonymous")
        result.append(
            Row(
                node=n,
                name=display_name(n),
                url=folder_url(n),
                favourite=n.pk in favourites,
                # Who last changed a homework box is one of the others, whom a pupil never sees.
                modified_by=changer.get_display_name() if changer and not seen else "",
                uploader=uploader,
                abilities=allowed.get(n.pk, frozenset()),
                size=seen.size if seen else n.size,
            )
        )
    return result
