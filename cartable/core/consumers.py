from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from cartable.core.events import group_channel_group, user_channel_group


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/events/``: a signed-in user's notifications and group events, pushed live."""

    groups_joined: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        group_ids = await database_sync_to_async(lambda: list(user.group_roles()))()
        self.groups_joined = [user_channel_group(user.pk)] + [
            group_channel_group(g) for g in group_ids
        ]
        for name in self.groups_joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for name in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(name, self.channel_name)

    async def platform_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
