"""Who may do what with a channel or a video: the platform's roles (owner, a class's teachers,
grants, reach), through :func:`cartable.core.permissions.abilities`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from cartable.accounts.models import Group, User
from cartable.core.permissions import abilities, visible
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


def may_create_channel(user: Visitor, group: Group | None = None) -> bool:
    """A channel of their own: staff (pupils publish in their classes' channels, which their
    teachers open); a class's channel: its owners and managers (its teachers)."""
    if not isinstance(user, User):
        return False
    if user.is_superuser:
        return True
    if group is not None:
        return user.group_roles().get(group.pk) in ("owner", "manager")
    return bool(user.is_staff_member)


def visible_channels(user: Visitor) -> QuerySet[Channel]:
    """The channels ``user`` may view (listings: a link's holder is not listed to)."""
    return visible(user, Channel.objects.all())


def class_channels(user: Visitor, group: Group) -> list[Channel]:
    return list(visible_channels(user).filter(owner_group=group))


def listed_videos(
    channels: QuerySet[Channel], *, unpublished: bool = False, limit: int = 50
) -> list[Video]:
    """The newest videos of ``channels`` (channels the person may view: their published
    videos are theirs to watch, see :func:`video_abilities`); with ``unpublished`` (for the
    channel's publishers) also those being processed or failed."""
    videos = Video.objects.filter(channel__in=channels)
    if not unpublished:
        videos = videos.filter(state=Video.State.PUBLISHED)
    return list(videos.select_related("channel").order_by("-created_at")[:limit])
