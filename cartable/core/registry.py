"""The registries through which tools plug into the platform.

``core`` and ``portal`` only read these; each app fills them from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django_tasks.base import Task

    from cartable.accounts.models import Group, User
    from cartable.core.types import Visitor


@dataclass(frozen=True)
class DashboardCard:
    """A tool's card on the dashboard. ``items`` returns what to list for a user."""

    key: str
    title: Any
    description: Any
    url_name: str
    icon: str
    order: int = 100
    items: Callable[[User], Iterable[dict[str, Any]]] | None = None
    counter: Callable[[], int] | None = None


@dataclass(frozen=True)
class SearchResult:
    provider: str
    title: str
    url: str
    excerpt: str = ""
    kind: Any = ""
    rank: float = 0.0


class SearchProvider(Protocol):
    key: str
    label: Any

    def search(self, user: User, query: str, limit: int) -> list[SearchResult]: ...


@dataclass(frozen=True)
class PersonalData:
    """A tool's part of "download my data" and "delete my account".

    ``export`` writes files for the user under the given prefix into the zip writer
    (``add(name, bytes_or_iterable)``); ``erase`` deletes or anonymises the user's data by the
    tool's own rule and must be safe to run twice.
    """

    key: str
    export: Callable[[User, Callable[[str, Any], None]], None]
    erase: Callable[[User], None]
    order: int = 100


@dataclass(frozen=True)
class RetentionRule:
    """Run daily by the retention job; returns how many things it removed."""

    key: str
    description: Any
    run: Callable[[], int]


@dataclass(frozen=True)
class DemoData:
    """A tool's part of ``cartable demo``: given the demo's people and class, make what a
    visitor should find in the tool; idempotent. Returns lines to print."""

    key: str
    create: Callable[[dict[str, Any]], Iterable[str]]
    order: int = 100


@dataclass(frozen=True)
class Tool:
    """A tool's line in the portal's list of tools: the home page and the guide show the
    tools that registered one, and only those. ``icon`` is a static file's path (an SVG
    drawn with ``currentColor``)."""

    key: str
    name: Any
    description: Any
    url_name: str
    icon: str
    order: int = 100


def signed_in(user: Visitor | None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@dataclass(frozen=True)
class NavEntry:
    """A tool's entry in the top bar, shown to whom ``shown_to`` accepts (everyone signed
    in by default) and marked current on the pages of its URL namespaces."""

    key: str
    label: Any
    url_name: str
    namespaces: tuple[str, ...]
    order: int = 100
    shown_to: Callable[[Visitor | None], bool] = signed_in


@dataclass(frozen=True)
class SectionLink:
    """Something of the class in a tool (its folder, a pad…), or an action (``action``:
    "New pad for this class") offered because the person may do it."""

    title: Any
    url: str
    meta: Any = ""
    icon: str = ""


@dataclass(frozen=True)
class SectionContent:
    items: list[SectionLink]
    actions: list[SectionLink] = field(default_factory=list)
    # Said when there are no items yet.
    empty: Any = ""


@dataclass(frozen=True)
class ClassSection:
    """What a class (or group) has in a tool, on the class's page, which is the class's hub.

    ``content(user, group)`` is called for a member (or an administrator) of the group; it
    lists what this person may open and the actions this person may take, from the tool's own
    ``abilities``, and returns None to leave the section out.
    """

    key: str
    title: Any
    content: Callable[[User, Group], SectionContent | None]
    order: int = 100


@dataclass
class Registry:
    cards: dict[str, DashboardCard] = field(default_factory=dict)
    search: dict[str, SearchProvider] = field(default_factory=dict)
    personal_data: dict[str, PersonalData] = field(default_factory=dict)
    retention: dict[str, RetentionRule] = field(default_factory=dict)
    demo: dict[str, DemoData] = field(default_factory=dict)
    tools: dict[str, Tool] = field(default_factory=dict)
    nav: dict[str, NavEntry] = field(default_factory=dict)
    class_sections: dict[str, ClassSection] = field(default_factory=dict)
    # Jobs by name (cartable.core.jobs): django_tasks Task objects.
    tasks: dict[str, Task[..., Any]] = field(default_factory=dict)

    def add_card(self, card: DashboardCard) -> None:
        self.cards[card.key] = card

    def add_search(self, provider: SearchProvider) -> None:
        self.search[provider.key] = provider

    def add_personal_data(self, handler: PersonalData) -> None:
        self.personal_data[handler.key] = handler

    def add_retention(self, rule: RetentionRule) -> None:
        self.retention[rule.key] = rule

    def add_demo(self, handler: DemoData) -> None:
        self.demo[handler.key] = handler

    def add_tool(self, tool: Tool) -> None:
        self.tools[tool.key] = tool

    def add_nav(self, entry: NavEntry) -> None:
        self.nav[entry.key] = entry

    def add_class_section(self, section: ClassSection) -> None:
        self.class_sections[section.key] = section

    def ordered_tools(self) -> list[Tool]:
        return sorted(self.tools.values(), key=lambda t: (t.order, t.key))

    def ordered_nav(self) -> list[NavEntry]:
        return sorted(self.nav.values(), key=lambda e: (e.order, e.key))

    def ordered_class_sections(self) -> list[ClassSection]:
        return sorted(self.class_sections.values(), key=lambda s: (s.order, s.key))

    def add_task(self, name: str, task: Task[..., Any]) -> None:
        """A job that :func:`cartable.core.jobs.later` enqueues by ``name``."""
        self.tasks[name] = task

    def ordered_cards(self) -> list[DashboardCard]:
        return sorted(self.cards.values(), key=lambda c: (c.order, c.key))

    def ordered_personal_data(self) -> list[PersonalData]:
        return sorted(self.personal_data.values(), key=lambda h: (h.order, h.key))

    def ordered_demo(self) -> list[DemoData]:
        return sorted(self.demo.values(), key=lambda h: (h.order, h.key))


registry = Registry()
