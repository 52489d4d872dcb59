"""How Pad plugs into the platform registries."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cartable.core.registry import (
    ClassSection,
    DashboardCard,
    DemoData,
    NavEntry,
    PersonalData,
    SectionContent,
    SectionLink,
    Tool,
    registry,
)
from cartable.core.search import IndexedProvider


def _my_pads(user: Any) -> list[dict[str, Any]]:
    from cartable.core.permissions import visible
    from cartable.pad.models import Pad

    pads = visible(user, Pad.objects.all()).order_by("-last_edited_at", "-created_at")[:6]
    return [{"title": p.display_title, "url": p.get_absolute_url(), "meta": ""} for p in pads]


def class_section(user: Any, group: Any) -> SectionContent | None:
    """The class's pads (made for it or shared with it) that this person may open, and "New
    pad for this class" for whoever may create one."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    from cartable.core.models import Grant
    from cartable.core.permissions import visible
    from cartable.pad.access import may_create_pad
    from cartable.pad.models import Pad

    shared = Grant.objects.filter(
        content_type=ContentType.objects.get_for_model(Pad), group=group
    ).values("object_id")
    pads = visible(user, Pad.objects.filter(Q(owner_group=group) | Q(pk__in=shared))).order_by(
        "-last_edited_at", "-created_at"
    )[:20]
    items = [
        SectionLink(
            p.display_title,
            p.get_absolute_url(),
            meta=date_format(localtime(p.last_edited_at or p.created_at), "SHORT_DATETIME_FORMAT"),
            icon="pad",
        )
        for p in pads
    ]
    actions = []
    if may_create_pad(user, group):
        actions.append(
            SectionLink(
                _("New pad for this class"),
                reverse("pad:index") + f"?group={group.public_id}",
                icon="plus",
            )
        )
    return SectionContent(items, actions, empty=_("No pad for this class yet."))


def _pad_count() -> int:
    from cartable.pad.models import Pad

    return Pad.objects.count()


class PadSearch(IndexedProvider):
    key = "pad"
    label = _("Pads")
    kind = _("Pad")

    def visible_keys(self, user: Any, keys: list[str]) -> set[str]:
        from cartable.core.permissions import visible
        from cartable.pad.models import Pad

        pks = [int(k) for k in keys if k.isdigit()]
        return {
            str(pk)
            for pk in visible(user, Pad.objects.filter(pk__in=pks)).values_list("pk", flat=True)
        }


pad_search = PadSearch()


def index_pad(pad: Any) -> None:
    pad_search.index(
        pad.pk,
        title=pad.display_title,
        body=pad.text,
        url=pad.get_absolute_url(),
        owner_id=pad.owner_id,
    )


def export_pads(user: Any, add: Any) -> None:
    """Every pad the user wrote in, as text (and HTML once the converters know the pad)."""
    from cartable.pad.models import Pad, PadRevision

    author = getattr(user, "pad_author", None)
    if author is None:
        return
    pad_ids = PadRevision.objects.filter(author=author).values_list("pad_id", flat=True).distinct()
    for pad in Pad.objects.filter(pk__in=pad_ids):
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in pad.pad_id)
        add(f"{safe}.txt", pad.text)
        try:
            from cartable.pad.convert import export_html

            add(f"{safe}.html", export_html(pad))
        except ImportError:
            pass


def erase_author(user: Any) -> None:
    """Authorship is anonymised; the text of shared pads stays."""
    from cartable.pad.models import Pad, PadAuthor

    PadAuthor.objects.filter(user=user).update(user=None, name="", mapper=None)
    # Pads the user alone owned and nobody else wrote in go with the account.
    for pad in Pad.objects.filter(owner=user, owner_group__isnull=True):
        others = (
            pad.revisions.exclude(author__isnull=True)
            .exclude(author__user__isnull=True)
            .exclude(author__user=user)
            .exists()
        )
        if not others and pad.reach in ("restricted",):
            from cartable.pad.actions import delete_pad

            delete_pad(pad)


def register() -> None:
    from cartable.pad import demo

    registry.add_card(
        DashboardCard(
            key="pad",
            title=_("Pad"),
            description=_("Write together in real time, colour-coded by author."),
            url_name="pad:index",
            icon="pad",
            order=30,
            items=_my_pads,
            counter=_pad_count,
        )
    )
    registry.add_tool(
        Tool(
            key="pad",
            name=_("Pad"),
            description=_("Write a text together in real time, each author in their colour."),
            url_name="pad:index",
            icon="pad/tool.svg",
            order=30,
        )
    )
    registry.add_nav(NavEntry("pad", _("Pad"), "pad:index", namespaces=("pad",), order=30))
    registry.add_class_section(ClassSection("pad", _("Pads"), class_section, order=30))
    registry.add_search(pad_search)
    registry.add_demo(DemoData("pad", demo.create, order=50))
    registry.add_personal_data(
        PersonalData(key="pad", export=export_pads, erase=erase_author, order=30)
    )
