"""How Drive plugs into the platform: its place in the portal (list of tools, top bar, the
class page), search, "download my data", account deletion, retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cartable.core.registry import (
    ClassSection,
    DashboardCard,
    DemoData,
    NavEntry,
    PersonalData,
    RetentionRule,
    SearchResult,
    SectionContent,
    SectionLink,
    Tool,
    registry,
)
from cartable.core.search import excerpt
from cartable.drive import retention


def node_url(node: Any) -> str:
    try:
        if not node.is_folder:
            return reverse("drive:file", args=[node.public_id])
        if node.is_root and node.space.user_id is not None:
            return reverse("drive:home")
        return reverse("drive:folder", args=[node.public_id])
    except NoReverseMatch:
        return "/drive/"


def _recent_files(user: Any) -> list[dict[str, Any]]:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    from cartable.drive.access import visible_among
    from cartable.drive.models import Node

    recent = list(
        Node.objects.filter(visible_nodes_q(user), kind=Node.Kind.FILE, trashed=False)
        .select_related("space")
        .order_by("-mtime")[:12]
    )
    return [
        {
            "title": node.name,
            "url": node_url(node),
            "meta": date_format(localtime(node.mtime), "SHORT_DATETIME_FORMAT"),
        }
        for node in visible_among(user, recent)[:6]
    ]


def class_section(user: Any, group: Any) -> SectionContent | None:
    """The class's folder and its homework boxes, as this person may open them; "New
    homework box" for whoever manages the folder."""
    from cartable.drive.access import abilities, abilities_for, access_of
    from cartable.drive.actions import root_of
    from cartable.drive.models import Node, Space

    space = Space.objects.filter(group=group).first()
    if space is None:
        return None
    root = root_of(space)
    allowed = abilities(user, root)
    if "view" not in allowed:
        return None
    items = [
        SectionLink(
            _("Class folder"),
            node_url(root),
            meta=_("The class's documents, for every member"),
            icon="folder",
        )
    ]
    boxes = Node.objects.filter(space=space, file_drop=True, trashed=False).order_by("name")
    for box in boxes:
        state = access_of(user, box)
        if "view" not in abilities_for(state, box, user):
            continue
        meta: Any
        if state.dropping:
            meta = _("Homework box: hand in your work here")
        else:
            handed_in = Node.objects.filter(
                space=space, path__startswith=box.path + "/", kind=Node.Kind.FILE, trashed=False
            ).count()
            meta = ngettext(
                "Homework box: %(count)d file handed in",
                "Homework box: %(count)d files handed in",
                handed_in,
            ) % {"count": handed_in}
        items.append(SectionLink(box.name, node_url(box), meta=meta, icon="drop"))
    actions = []
    if "manage" in allowed:
        actions.append(
            SectionLink(
                _("New homework box"),
                reverse("drive:new_folder", args=[root.public_id]) + "?box=1",
                icon="plus",
            )
        )
    return SectionContent(items, actions)


def _file_count() -> int:
    from cartable.drive.models import Node

    return Node.objects.filter(kind=Node.Kind.FILE, trashed=False).count()


def visible_nodes_q(user: Any) -> Q:
    """The nodes ``user`` sees in their Drive, before the homework boxes' rule
    (``access.visible_among``) leaves out what others handed in."""
    from cartable.drive.mounts import scope

    return scope(user)


class DriveSearch:
    """Names of files and folders (straight from the tree, always current)."""

    key = "drive"
    label = _("Drive")
    kind = _("File")

    def search(self, user: Any, query: str, limit: int) -> list[SearchResult]:
        from cartable.drive.access import visible_among
        from cartable.drive.models import Node

        if not getattr(user, "is_authenticated", False):
            return []
        words = [w for w in query.split() if w]
        if not words:
            return []
        name_q = Q()
        for word in words:
            name_q &= Q(name__icontains=word)
        found = list(
            Node.objects.filter(visible_nodes_q(user), name_q, trashed=False, parent__isnull=False)
            .select_related("space")
            .order_by("-mtime")[: limit * 3]
        )
        results = []
        # File drop folders show each pupil only their own files.
        for node in visible_among(user, found):
            results.append(
                SearchResult(
                    provider=self.key,
                    title=node.name,
                    url=node_url(node),
                    excerpt=excerpt(node.path.lstrip("/"), query),
                    kind=_("Folder") if node.is_folder else self.kind,
                )
            )
            if len(results) >= limit:
                return results
        from cartable.drive.indexing import drive_text

        seen = {r.url for r in results}
        for hit in drive_text.search(user, query, limit - len(results)):
            if hit.url not in seen:
                results.append(hit)
        return results


def _iter_blob(blob: Any) -> Iterator[bytes]:
    from cartable.drive.blobs import open_blob

    with open_blob(blob) as fh:
        while chunk := fh.read(1024 * 1024):
            yield chunk


def export_files(user: Any, add: Any) -> None:
    """The user's own files, as they are, under their folders."""
    from cartable.drive.actions import personal_space
    from cartable.drive.models import Node

    space = personal_space(user)
    files = Node.objects.filter(space=space, trashed=False, kind=Node.Kind.FILE).select_related(
        "blob"
    )
    for node in files.iterator():
        if node.blob is not None:
            add(node.path.lstrip("/"), _iter_blob(node.blob))


def erase_files(user: Any) -> None:
    """Personal files go; what the user put in class folders stays, given to the class owner."""
    from cartable.accounts.models import Membership
    from cartable.drive.actions import collect_blobs
    from cartable.drive.models import Node, Space, Version

    space = Space.objects.filter(user=user).first()
    if space is not None:
        blob_ids = set(
            Node.objects.filter(space=space, blob__isnull=False).values_list("blob_id", flat=True)
        ) | set(Version.objects.filter(node__space=space).values_list("blob_id", flat=True))
        space.delete()
        collect_blobs(blob_ids)
    owners = dict(
        Membership.objects.filter(role="owner")
        .exclude(user=user)
        .values_list("group_id", "user_id")
    )
    for node in Node.objects.filter(created_by=user, space__group__isnull=False).select_related(
        "space"
    ):
        node.created_by_id = owners.get(node.space.group_id or 0)
        node.save(update_fields=["created_by"])


def register() -> None:
    from cartable.drive import demo

    registry.add_demo(DemoData("drive", demo.create, order=40))
    registry.add_card(
        DashboardCard(
            key="drive",
            title=_("Drive"),
            description=_("Your documents and your classes' folders, shared and synced."),
            url_name="drive:home",
            icon="drive",
            order=40,
            items=_recent_files,
            counter=_file_count,
        )
    )
    registry.add_tool(
        Tool(
            key="drive",
            name=_("Drive"),
            description=_(
                "Store, hand in and share files; sync them with your computer and phone."
            ),
            url_name="drive:home",
            icon="drive/tool.svg",
            order=40,
        )
    )
    registry.add_nav(NavEntry("drive", _("Drive"), "drive:home", namespaces=("drive",), order=40))
    registry.add_class_section(ClassSection("drive", _("Drive"), class_section, order=40))
    registry.add_search(DriveSearch())
    registry.add_personal_data(
        PersonalData(key="drive", export=export_files, erase=erase_files, order=40)
    )
    for key, description, run in [
        (
            "drive-trash",
            _("Drive items in the trash for more than CARTABLE_DRIVE_TRASH_DAYS"),
            retention.purge_old_trash,
        ),
        ("drive-versions", _("Old Drive versions, thinned"), retention.thin_versions),
        ("drive-blobs", _("Drive contents nothing refers to"), retention.purge_orphan_blobs),
        ("drive-uploads", _("Unfinished Drive uploads"), retention.purge_expired_uploads),
        ("drive-locks", _("Expired WebDAV locks"), retention.purge_expired_locks),
    ]:
        registry.add_retention(RetentionRule(key, description, run))
