from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    COMMENTER = "commenter", _("Commenter")
    EDITOR = "editor", _("Editor")
    MANAGER = "manager", _("Manager")
    OWNER = "owner", _("Owner")

    @property
    def rank(self) -> int:
        return ROLE_ORDER.index(self)

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if isinstance(other, str) and other in ROLE_VALUES:
            return ROLE_VALUES.index(self.value) >= ROLE_VALUES.index(other)
        return NotImplemented

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if isinstance(other, str) and other in ROLE_VALUES:
            return ROLE_VALUES.index(self.value) > ROLE_VALUES.index(other)
        return NotImplemented

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if isinstance(other, str) and other in ROLE_VALUES:
            return ROLE_VALUES.index(self.value) <= ROLE_VALUES.index(other)
        return NotImplemented

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if isinstance(other, str) and other in ROLE_VALUES:
            return ROLE_VALUES.index(self.value) < ROLE_VALUES.index(other)
        return NotImplemented


ROLE_ORDER = list(Role)
ROLE_VALUES = [r.value for r in ROLE_ORDER]


def best_role(*roles: str | None) -> Role | None:
    present = [Role(r) for r in roles if r]
    if not present:
        return None
    return max(present, key=lambda r: ROLE_VALUES.index(r.value))


class Reach(models.TextChoices):
    RESTRICTED = "restricted", _("Only the people and groups I choose")
    STRUCTURE = "structure", _("Signed-in members of my school or academy")
    PLATFORM = "platform", _("Every signed-in user")
    LINK = "link", _("Anyone with the link")
    PUBLIC = "public", _("Public (listed and indexable)")
