"""Drive's data: spaces, the tree of files and folders in each, and what hangs on them.

A **space** is where files live and what the quota counts: one per user, one per class or
group. Every space has a root folder; every other node has a parent in the same space.
Bytes live in **blobs** (platform storage, content addressed by nothing: a blob is written
once and never changed); a file node points to its current blob, each of its **versions** to
an older one. A copy shares its blob, so copying a large file costs nothing; a blob no
node or version references any more is deleted by the retention job.

Paths are materialised (``path``, from the space's root, ``/``-separated, NFC) so that a
WebDAV request finds its node in one query whatever its depth; ``path_hash`` indexes them
because a path may be longer than a database index allows. Moving a folder rewrites the
paths below it in one statement.

Deleted nodes go to the trash whole: the top node keeps where it was
(``trashed_from``) and when (``trashed_at``); it and everything below it are flagged
``trashed`` and leave the live namespace, so that the same name can be used again.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cartable.core.models import Shareable, TimeStamped
from cartable.core.roles import Role


def hash_path(path: str) -> str:
    return hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()


def new_etag() -> str:
    return uuid.uuid4().hex


class Space(TimeStamped):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal space")
        GROUP = "group", _("Class or group folder")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drive_space",
    )
    group = models.OneToOneField(
        "accounts.Group",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drive_space",
    )
    # Bytes; None means the default from the settings (CARTABLE_DRIVE_QUOTA / _GROUP_QUOTA).
    quota = models.BigIntegerField(null=True, blank=True)
    # Bytes of every live file, every kept version and everything in the trash.
    used = models.BigIntegerField(default=0)
    # For a personal space: changes whenever the folders mounted at its owner's root may
    # have (memberships, group names, grants on Drive items), which keys the cached mount
    # table (see ``cartable.drive.mounts``). A database column, so every process sees it.
    mounts_version = models.PositiveIntegerField(default=0)
    # No live WebDAV lock in this space expires after this moment (None: there never was
    # one): a write needs no look at the lock table before it (``webdav.locks``).
    locks_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(group__isnull=True))
                | (Q(user__isnull=True) & Q(group__isnull=False)),
                name="space_has_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"space of {self.user or self.group}"


class Blob(models.Model):
    """Bytes in platform storage, written once."""

    created_at = models.DateTimeField(auto_now_add=True)
    storage_name = models.CharField(max_length=300, unique=True)
    size = models.BigIntegerField()
    sha1 = models.CharField(max_length=40)
    md5 = models.CharField(max_length=32)
    # Adler-32, which the Nextcloud clients can ask for; empty when not computed.
    adler32 = models.CharField(max_length=8, blank=True)

    def __str__(self) -> str:
        return self.storage_name


class Node(Shareable):
    """A file or a folder. ``Shareable`` gives it an owner and a reach; grants give the rest."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        FOLDER = "folder", _("Folder")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=255)
    path = models.TextField()
    path_hash = models.CharField(max_length=40)
    blob = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="nodes"
    )
    # A file's bytes; a folder's: the sum of the live files below it.
    size = models.BigIntegerField(default=0)
    mime_type = models.CharField(max_length=255, blank=True)
    # Changes whenever the node or, for a folder, anything below it changes.
    etag = models.CharField(max_length=40, default=new_etag)
    # Modification time as clients see it (a sync client may set it: X-OC-MTime).
    mtime = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # An upload-only folder (file drop): writers see only what they uploaded themselves.
    file_drop = models.BooleanField(default=False)
    trashed = models.BooleanField(default=False)
    trashed_at = models.DateTimeField(null=True, blank=True)
    trashed_from = models.TextField(blank=True)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["space", "path_hash"]),
            models.Index(fields=["parent", "name"]),
            models.Index(fields=["space", "trashed_at"]),
            models.Index(fields=["blob"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "path_hash"],
                condition=Q(trashed=False),
                name="one_live_node_per_path",
            ),
            models.UniqueConstraint(
                fields=["space"],
                condition=Q(parent__isnull=True, trashed=False),
                name="one_root_per_space",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.space_id}:{self.path or '/'}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.path_hash = hash_path(self.path)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        try:
            if not self.is_folder:
                return reverse("drive:file", args=[self.public_id])
            if self.is_root and self.space.user_id is not None:
                return reverse("drive:home")
            return reverse("drive:folder", args=[self.public_id])
        except NoReverseMatch:
            return "/drive/"

    @property
    def is_folder(self) -> bool:
        return self.kind == self.Kind.FOLDER

    @property
    def is_root(self) -> bool:
        return self.parent_id is None


class Version(models.Model):
    """An earlier content of a file, kept when it was overwritten."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="versions")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions")
    size = models.BigIntegerField()
    mtime = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-mtime", "-pk"]

    def __str__(self) -> str:
        return f"{self.node_id} @ {self.mtime:%Y-%m-%d %H:%M:%S}"


class DeadProperty(models.Model):
    """A WebDAV property a client set with PROPPATCH; ``value`` is the element's XML."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="dead_properties")
    namespace = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    value = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "namespace", "name"], name="one_dead_property_per_name"
            )
        ]

    def __str__(self) -> str:
        return f"{{{self.namespace}}}{self.name}"


class Lock(models.Model):
    """A WebDAV lock (RFC 4918 section 6) on a path of a space, which may not exist yet."""

    created_at = models.DateTimeField(auto_now_add=True)
    token = models.CharField(max_length=100, unique=True)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="locks")
    path = models.TextField()
    path_hash = models.CharField(max_length=40, db_index=True)
    infinite = models.BooleanField(default=False)
    exclusive = models.BooleanField(default=True)
    owner_xml = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    timeout = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.token


class ShareLink(TimeStamped):
    """A public link to a file or folder (several per node, as in Nextcloud)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # viewer: see and download; editor: also upload and change; file drop: upload only.
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    file_drop = models.BooleanField(default=False)
    hide_download = models.BooleanField(default=False)
    password = models.CharField(max_length=256, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link to {self.node}"


class Favourite(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drive_favourites"
    )
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="favourites")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "node"], name="one_favourite_per_node")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.node_id}"


class Activity(models.Model):
    """Who added, changed, moved, deleted or shared what: the activity list of a folder."""

    class Verb(models.TextChoices):
        CREATED = "created", _("added")
        CHANGED = "changed", _("changed")
        RENAMED = "renamed", _("renamed")
        MOVED = "moved", _("moved")
        COPIED = "copied", _("copied")
        DELETED = "deleted", _("deleted")
        RESTORED = "restored", _("restored")
        SHARED = "shared", _("shared")
        UNSHARED = "unshared", _("stopped sharing")
        DROPPED = "dropped", _("handed in")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="activities")
    node = models.ForeignKey(
        Node, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    # The folder it happened in, for the per-folder list.
    folder = models.ForeignKey(
        Node, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    verb = models.CharField(max_length=16, choices=Verb.choices)
    path = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["folder", "created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.path}"


class Upload(TimeStamped):
    """A chunked or resumable upload in progress: parts kept until it is assembled.

    Nextcloud's chunked upload v2 names it by the client's transfer id under
    ``/remote.php/dav/uploads/<user>/<id>/``; the browser's resumable uploads use it too.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drive_uploads"
    )
    name = models.CharField(max_length=255)
    # Where it will go: a path in the user's view of Drive, when known.
    destination = models.TextField(blank=True)
    # The space whose quota it reserves its size in until it ends or expires
    # (``cartable.drive.actions.uploads.reserve``).
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, null=True, blank=True, related_name="uploads"
    )
    total_size = models.BigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="one_upload_per_transfer_id")
        ]

    def __str__(self) -> str:
        return f"upload {self.name} of {self.user_id}"


class UploadPart(models.Model):
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(max_length=255)
    storage_name = models.CharField(max_length=300)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "name"], name="one_part_per_name")]

    def __str__(self) -> str:
        return f"{self.upload_id}/{self.name}"
