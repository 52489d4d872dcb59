"""The registries through which tools plug into the platform.

``core`` and ``portal`` only read these; each app fills them from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cartable.accounts.models import User


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


@dataclass
class Registry:
    cards: dict[str, DashboardCard] = field(default_factory=dict)
    search: dict[str, SearchProvider] = field(default_factory=dict)
    personal_data: dict[str, PersonalData] = field(default_factory=dict)
    retention: dict[str, RetentionRule] = field(default_factory=dict)
    demo: dict[str, DemoData] = field(default_factory=dict)
    # Jobs by name (cartable.core.jobs): django_tasks Task objects.
    tasks: dict[str, Any] = field(default_factory=dict)

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

    def add_task(self, name: str, task: Any) -> None:
        """A job that :func:`cartable.core.jobs.later` enqueues by ``name``."""
        self.tasks[name] = task

    def ordered_cards(self) -> list[DashboardCard]:
        return sorted(self.cards.values(), key=lambda c: (c.order, c.key))

    def ordered_personal_data(self) -> list[PersonalData]:
        return sorted(self.personal_data.values(), key=lambda h: (h.order, h.key))

    def ordered_demo(self) -> list[DemoData]:
        return sorted(self.demo.values(), key=lambda h: (h.order, h.key))


registry = Registry()
