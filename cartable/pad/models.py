from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cartable.core.models import Shareable, TimeStamped
from cartable.core.permissions import ability_table
from cartable.pad.ids import random_id

# What each role may do on a pad.
PAD_ABILITIES = ability_table(
    viewer=["view", "export"],
    commenter=["chat"],
    editor=["edit", "import", "save_revision", "restore"],
    manager=["share", "clear_authorship", "delete", "rename"],
    owner=["transfer"],
)

# Readable on white and on a dark background, distinct for the usual colour blindnesses
# as far as twenty colours allow.
AUTHOR_COLOURS = [
    "#fde68a",
    "#bfdbfe",
    "#bbf7d0",
    "#fecaca",
    "#e9d5ff",
    "#fed7aa",
    "#a5f3fc",
    "#fbcfe8",
    "#d9f99d",
    "#c7d2fe",
    "#fef08a",
    "#99f6e4",
    "#fda4af",
    "#ddd6fe",
    "#bae6fd",
    "#fcd34d",
    "#86efac",
    "#f9a8d4",
    "#a7f3d0",
    "#e2e8f0",
]


def _author_id() -> str:
    return random_id("a")


def _group_id() -> str:
    return random_id("g")


def _session_id() -> str:
    return random_id("s")


def _readonly_id() -> str:
    return random_id("r")


class PadAuthor(TimeStamped):
    """Who wrote what: a platform user, a named guest, or an author made through the API."""

    author_id = models.CharField(max_length=32, unique=True, default=_author_id)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pad_author",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    colour = models.CharField(max_length=7, default="#fde68a")
    # Etherpad's authorMapper: the id of this author in the calling application.
    mapper = models.CharField(max_length=200, null=True, blank=True, unique=True)

    def __str__(self) -> str:
        return self.name or self.author_id


class PadGroup(TimeStamped):
    """An Etherpad API group, optionally the pads' side of a platform class or group."""

    group_id = models.CharField(max_length=32, unique=True, default=_group_id)
    mapper = models.CharField(max_length=200, null=True, blank=True, unique=True)
    platform_group = models.OneToOneField(
        "accounts.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="pad_group"
    )

    def __str__(self) -> str:
        return self.group_id


class Pad(Shareable):
    pad_id = models.CharField(max_length=120, unique=True)
    readonly_id = models.CharField(max_length=32, unique=True, default=_readonly_id)
    title = models.CharField(_("title"), max_length=200, blank=True)
    pad_group = models.ForeignKey(
        PadGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="pads"
    )
    # Etherpad's public status of a group pad: readable and writable without a session.
    public_status = models.BooleanField(default=False)
    head = models.PositiveBigIntegerField(default=0, help_text="number of the last revision")
    # The last record of the embedded mode's journal stored as a revision (journal.py).
    journal_seq = models.BigIntegerField(default=0)
    last_edited_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Plain text as of ``head``, for search, getText and listings.
    text = models.TextField(blank=True)
    # The whole document as of ``snapshot_rev``: loading = snapshot + the revisions after it.
    snapshot = models.BinaryField(default=b"")
    snapshot_rev = models.PositiveBigIntegerField(default=0)
    retention_warning = models.PositiveSmallIntegerField(
        default=0, help_text="days-before-deletion of the last retention warning sent (0: none)"
    )
    retention_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_edited_at", "-created_at"]

    def __str__(self) -> str:
        return self.title or self.pad_id

    def get_absolute_url(self) -> str:
        return reverse("pad:pad", args=[self.pad_id])

    def get_readonly_url(self) -> str:
        return reverse("pad:pad", args=[self.readonly_id])

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        first_line = self.text.strip().split("\n", 1)[0][:80]
        return first_line or self.pad_id


class PadRevision(models.Model):
    """One accepted Yjs update: the pad's history, replayable revision by revision.

    Every keystroke of an open pad adds one, so the table keeps to the indexes it needs: its
    key (pad, revision number) — no surrogate id, whose AUTOINCREMENT costs SQLite one more page
    per insert —, and the author's, for a person's pads (export, erasure, the API's
    listPadsOfAuthor).
    """

    pk = models.CompositePrimaryKey("pad", "rev")
    # The primary key's index starts with the pad: no index of its own.
    pad = models.ForeignKey(Pad, on_delete=models.CASCADE, related_name="revisions", db_index=False)
    rev = models.PositiveBigIntegerField()
    update = models.BinaryField()
    author = models.ForeignKey(
        PadAuthor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.pad_id}@{self.rev}"


class PadCheckpoint(models.Model):
    """The whole document at a revision, kept at each compaction, so that any revision of a
    long history loads from the nearest checkpoint instead of from the first keystroke."""

    pad = models.ForeignKey(Pad, on_delete=models.CASCADE, related_name="checkpoints")
    rev = models.PositiveBigIntegerField()
    state = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pad", "rev"], name="one_checkpoint_per_revision")
        ]

    def __str__(self) -> str:
        return f"{self.pad_id}@{self.rev}"


class SavedRevision(TimeStamped):
    pad = models.ForeignKey(Pad, on_delete=models.CASCADE, related_name="saved_revisions")
    rev = models.PositiveBigIntegerField()
    label = models.CharField(_("name"), max_length=200)
    saved_by = models.ForeignKey(
        PadAuthor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["rev"]

    def __str__(self) -> str:
        return f"{self.label} ({self.rev})"


class ChatMessage(models.Model):
    pad = models.ForeignKey(Pad, on_delete=models.CASCADE, related_name="chat")
    author = models.ForeignKey(
        PadAuthor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class PadSession(TimeStamped):
    """An Etherpad API session: an author may open a group's pads until ``valid_until``."""

    session_id = models.CharField(max_length=32, unique=True, default=_session_id)
    pad_group = models.ForeignKey(PadGroup, on_delete=models.CASCADE, related_name="sessions")
    author = models.ForeignKey(PadAuthor, on_delete=models.CASCADE, related_name="sessions")
    valid_until = models.BigIntegerField(help_text="Unix time, seconds")

    def __str__(self) -> str:
        return self.session_id


class PadImage(TimeStamped):
    """An image placed in a pad, kept in platform storage and served to the pad's readers."""

    pad = models.ForeignKey(Pad, on_delete=models.CASCADE, related_name="images")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    storage_name = models.CharField(max_length=300)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        PadAuthor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.pad_id}/{self.public_id}"

    @property
    def extension(self) -> str:
        return self.storage_name.rsplit(".", 1)[-1]

    def get_absolute_url(self) -> str:
        # The read-only id, not the pad's id: the address sits in the document, which
        # read-only readers receive too, and must not hand them the editing link.
        return reverse(
            "pad:image", args=[self.pad.readonly_id, f"{self.public_id}.{self.extension}"]
        )
