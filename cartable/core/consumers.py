from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from cartable.core.events import group_channel_group, user_channel_group

# The events socket only talks to the browser; what a client sends is ignored, and anything
# larger than this closes the socket (RFC 6455's 1009, "message too big"), under any server.
MAX_MESSAGE_SIZE = 4 * 1024
CLOSE_TOO_LARGE = 1009


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/events/``: a signed-in user's notifications and group events, pushed live."""

    groups_joined: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = []
        await self._follow_groups()
        await self.accept()

    async def _follow_groups(self) -> None:
        """Listen to the user's channel and each of their groups' (again after they join one)."""
        user = self.scope["user"]

        def memberships() -> list[int]:
            user.forget_group_roles()
            return list(user.group_roles())

        wanted = [user_channel_group(user.pk)] + [
            group_channel_group(g) for g in await database_sync_to_async(memberships)()
        ]
        for name in wanted:
            if name not in self.groups_joined:
                await self.channel_layer.group_add(name, self.channel_name)
        for name in self.groups_joined:
            if name not in wanted:
                await self.channel_layer.group_discard(name, self.channel_name)
        self.groups_joined = wanted

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if len(text_data or "") + len(bytes_data or b"") > MAX_MESSAGE_SIZE:
            await self.close(code=CLOSE_TOO_LARGE)

    async def disconnect(self, code: int) -> None:
        for name in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(name, self.channel_name)

    async def platform_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") in ("group.joined", "group.left"):
            await self._follow_groups()
        await self.send_json(event)
