"""How Drive plugs into the platform: its place in the portal (list of tools, top bar, the
class page, the dashboard), search, "download my data", account deletion, retention, demo data
and jobs. Only ``DriveConfig.ready`` imports this module."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cartable.accounts.models import Group, User
from cartable.core.registry import (
    ClassSection,
    DashboardCard,
    DemoData,
    NavEntry,
    PersonalData,
    RetentionRule,
    SectionContent,
    SectionLink,
    Tool,
    registry,
)
from cartable.drive import demo, tasks
from cartable.drive.access import abilities, abilities_for, access_of
from cartable.drive.actions import privacy, retention
from cartable.drive.models import Node, Space
from cartable.drive.mounts import recent_files
from cartable.drive.search import DriveSearch
from cartable.drive.spaces import root_of


def _recent_files(user: User) -> list[dict[str, Any]]:
    return [
        {
            "title": node.name,
            "url": node.get_absolute_url(),
            "meta": date_format(localtime(node.mtime), "SHORT_DATETIME_FORMAT"),
        }
        for node in recent_files(user, 6)
    ]


def class_section(user: User, group: Group) -> SectionContent | None:
    """The class's folder and its homework boxes, as this person may open them; "New
    homework box" for whoever manages the folder."""
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
            root.get_absolute_url(),
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
        items.append(SectionLink(box.name, box.get_absolute_url(), meta=meta, icon="drop"))
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
    return Node.objects.filter(kind=Node.Kind.FILE, trashed=False).count()


def register() -> None:
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
        PersonalData(key="drive", export=privacy.export_files, erase=privacy.erase_files, order=40)
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
    tasks.register()
