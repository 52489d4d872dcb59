"""Who may do what with a channel or a video: the platform's roles (owner, a class's teachers,
grants, reach), through :func:`cartable.core.permissions.abilities`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartable.core.permissions import abilities
from cartable.core.roles import Role
from cartable.tube.errors import Forbidden, NotFound
from cartable.tube.models import CHANNEL_ABILITIES, VIDEO_ABILITIES, Channel, Video

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def channel_abilities(user: Visitor, channel: Channel) -> frozenset[str]:
    """A person's channel is theirs; a class's channel is its teachers' (the class's owners and
    managers publish to it); grants and reach add the rest."""
    return abilities(user, channel, CHANNEL_ABILITIES)


def video_abilities(user: Visitor, video: Video) -> frozenset[str]:
    """What the video's own reach and grants give; whoever may view the channel may view its
    published videos, and the channel's publishers may do everything (they answer for what
    their channel shows)."""
    allowed = abilities(user, video, VIDEO_ABILITIES)
    of_channel = channel_abilities(user, video.channel)
    if "publish" in of_channel:
        return allowed | VIDEO_ABILITIES[Role.OWNER]
    if "view" in of_channel and video.state == Video.State.PUBLISHED:
        allowed = allowed | VIDEO_ABILITIES[Role.VIEWER]
    return allowed


def check_channel(user: Visitor, channel: Channel, need: str) -> frozenset[str]:
    allowed = channel_abilities(user, channel)
    if need not in allowed:
        raise Forbidden() if "view" in allowed else NotFound()
    return allowed


def check_video(user: Visitor, video: Video, need: str) -> frozenset[str]:
    allowed = video_abilities(user, video)
    if "view" not in allowed:
        raise NotFound()
    if need not in allowed:
        raise Forbidden()
    return allowed
