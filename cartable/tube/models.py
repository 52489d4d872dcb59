"""Tube's data: channels (a person's, or a class's), their videos and each video's renditions.

A video's bytes are never in the database: its original and its renditions are files of the
platform's storage (local disk, or S3 scaled out) under ``tube/<video public id>/``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cartable.core.models import Shareable, TimeStamped
from cartable.core.permissions import ability_table

# What each role may do with a channel and with a video. Watching is "view"; publishing to a
# channel is what its owners (a person, or the teachers of a class) do.
CHANNEL_ABILITIES = ability_table(
    viewer=["view"],
    editor=["publish"],
    manager=["manage", "share"],
)
VIDEO_ABILITIES = ability_table(
    viewer=["view"],
    editor=["edit"],
    manager=["manage", "share", "delete"],
)


class Channel(Shareable):
    """Where videos are published: a person's (``owner``) or a class's or group's
    (``owner_group``): every teacher of the class publishes to it, and it stays with the class
    when one of them leaves."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Video(Shareable):
    """One published video (or audio recording). Its reach is its own (a public channel may
    hold a restricted video)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting to be processed")
        PROCESSING = "processing", _("Being processed")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Processing failed")

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="videos")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    # Why processing failed, in words for the uploader.
    failure = models.TextField(blank=True)
    # The file as it was sent, and what ffprobe found in it.
    original = models.CharField(max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    original_size = models.BigIntegerField(default=0)
    duration = models.FloatField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    has_video = models.BooleanField(default=True)
    has_audio = models.BooleanField(default=True)
    # Processing attempts so far (a failed one is retried, up to settings.TUBE_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def folder(self) -> str:
        """Where its files are kept in the platform's storage."""
        return f"tube/{self.public_id}"

    def get_absolute_url(self) -> str:
        return reverse("tube:watch", args=[self.public_id])

    @property
    def master_playlist(self) -> str:
        """The HLS master playlist in storage (its renditions' playlists are beside it)."""
        return f"{self.folder}/hls/master.m3u8"


class Rendition(TimeStamped):
    """One HLS rendition of a video: a variant playlist and its segments (``playlist`` names
    the playlist in storage; the segments are beside it)."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio only")

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="renditions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    height = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    bandwidth = models.PositiveIntegerField(default=0)  # bits per second, as HLS announces it
    playlist = models.CharField(max_length=300)
    size = models.BigIntegerField(default=0)  # bytes of its segments

    class Meta:
        ordering = ["video", "-height"]
        constraints = [
            models.UniqueConstraint(fields=["video", "kind", "height"], name="tube_one_rendition")
        ]
