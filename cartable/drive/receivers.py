"""Drive follows the platform: a class gets its folder when it is created."""

from __future__ import annotations

from typing import Any

from cartable.accounts.signals import group_created


def create_group_space(sender: Any, group: Any, **kwargs: Any) -> None:
    from cartable.drive.actions import group_space

    group_space(group)


def connect() -> None:
    group_created.connect(create_group_space, dispatch_uid="drive.create_group_space")
