"""Every change to pads goes through here: views, the websocket, the Etherpad API, jobs."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from cartable.accounts import sharees
from cartable.accounts.models import Group, User
from cartable.core import audit
from cartable.core.models import Grant
from cartable.core.permissions import abilities
from cartable.core.roles import Reach, Role
from cartable.core.storage import TooLarge, save_stream, unique_name
from cartable.pad import access, document, ids, store
from cartable.pad.models import (
    PAD_ABILITIES,
    ChatMessage,
    Pad,
    PadAuthor,
    PadCheckpoint,
    PadGroup,
    PadImage,
    PadRevision,
    SavedRevision,
)
from cartable.pad.search import index_pad, pad_search

# What a pad accepts as an image: Pillow's format name → (extension, content type).
IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
MAX_IMAGE_SIZE = 10 * 1024 * 1024


def _grant_group(pad: Pad, group: Group, *, by: User | None) -> None:
    Grant.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(Pad),
        object_id=pad.pk,
        group=group,
        defaults={"role": Role.EDITOR, "manager_role": Role.MANAGER, "granted_by": by},
    )


def check_share_with(pad: Pad, user: User, *, by: User) -> None:
    """May ``by`` share ``pad`` with ``user``? Whom one may share with is one rule for every
    tool (``accounts.sharees``); a refused person is answered as nobody would be."""
    if "share" not in abilities(by, pad, PAD_ABILITIES):
        raise PermissionDenied
    if not sharees.may_share_with(by, user):
        raise ValidationError(_("Nobody of your school or classes matches this name."))


def share_with_user(pad: Pad, user: User, role: str, *, by: User | None) -> Grant:
    """Give ``user`` a role on ``pad`` (or change it); ``by``: the person sharing, checked
    (None: the platform itself, as a job or the demo data)."""
    if by is not None:
        check_share_with(pad, user, by=by)
    grant, _created = Grant.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(Pad),
        object_id=pad.pk,
        user=user,
        defaults={"role": role, "granted_by": by},
    )
    return grant


@transaction.atomic
def create_pad(
    *,
    owner: User | None = None,
    title: str = "",
    pad_id: str | None = None,
    group: Group | None = None,
    text: str | None = None,
    reach: str = Reach.RESTRICTED,
    pad_group: PadGroup | None = None,
    author_pk: int | None = None,
) -> Pad:
    """A new pad. ``group``: a platform class whose members may edit it.

    Open to its owner and ``group`` only, until its owner chooses a wider ``reach``: a pad's
    id is its edit link, and a link gets forwarded. Etherpad's API asks for ``Reach.LINK``
    (docs/pad.md)."""
    pad_id = pad_id or ids.new_pad_id()
    if not ids.is_valid_pad_id(pad_id):
        raise ValidationError(
            _(
                "A pad name cannot contain $ / ? # & % \\ : or spaces, and has at most 50 characters."
            ),
            code="invalid_id",
        )
    if Pad.objects.filter(pad_id=pad_id).exists():
        raise ValidationError(_("A pad with this name already exists."), code="exists")
    if group is not None and owner is not None and not access.may_create_pad(owner, group):
        raise PermissionDenied(_("You are not a member of this class."))
    pad = Pad.objects.create(
        pad_id=pad_id,
        title=title.strip()[:200],
        owner=owner,
        owner_group=group,
        structure=getattr(owner, "structure", None),
        reach=reach,
        reach_role=Role.EDITOR,
        link_token=pad_id,
        pad_group=pad_group,
    )
    if group is not None:
        _grant_group(pad, group, by=owner)
    if text:
        store.change(
            pad,
            lambda doc: document.replace_content(doc, document.text_to_pm(text)),
            author_pk=author_pk,
        )
    index_pad(pad)
    if owner is not None:
        audit.record(owner, "pad.create", pad.pad_id)
    return pad


@transaction.atomic
def set_text(pad: Pad, text: str, *, author_pk: int | None = None) -> int:
    return store.change(
        pad,
        lambda doc: document.replace_content(doc, document.text_to_pm(text)),
        author_pk=author_pk,
    )


@transaction.atomic
def append_text(pad: Pad, text: str, *, author_pk: int | None = None) -> int:
    return append_content(pad, document.text_to_pm(text), author_pk=author_pk)


@transaction.atomic
def append_content(pad: Pad, pm_doc: dict[str, Any], *, author_pk: int | None = None) -> int:
    return store.change(pad, lambda doc: document.append_content(doc, pm_doc), author_pk=author_pk)


@transaction.atomic
def set_content(pad: Pad, pm_doc: dict[str, Any], *, author_pk: int | None = None) -> int:
    return store.change(pad, lambda doc: document.replace_content(doc, pm_doc), author_pk=author_pk)


@transaction.atomic
def rename_pad(pad: Pad, title: str, *, by: User | None) -> Pad:
    pad.title = title.strip()[:200]
    pad.save(update_fields=["title", "updated_at"])
    index_pad(pad)
    return pad


@transaction.atomic
def set_reach(pad: Pad, reach: str, *, by: User | None) -> Pad:
    if reach not in Reach.values:
        raise ValidationError(_("Unknown sharing option."), code="reach")
    pad.reach = reach
    pad.save(update_fields=["reach", "updated_at"])
    audit.record(by, "pad.share", pad.pad_id, reach=reach)
    return pad


@transaction.atomic
def delete_pad(pad: Pad, *, by: User | None = None) -> None:
    pad_id = pad.pad_id
    pk = pad.pk
    images = list(PadImage.objects.filter(pad=pad).values_list("storage_name", flat=True))
    pad_search.unindex([pk])
    pad.delete()
    if images:
        transaction.on_commit(lambda: _delete_files(images))
    if by is not None:
        audit.record(by, "pad.delete", pad_id)
    layer_reset(pk)


def layer_reset(pad_pk: int) -> None:
    """Close the open rooms of a pad that was deleted or replaced wholesale."""
    layer = get_channel_layer()
    if layer is not None:
        transaction.on_commit(
            lambda: async_to_sync(layer.group_send)(
                f"pad.{pad_pk}", {"type": "pad.reset", "origin": "server"}
            )
        )


@transaction.atomic
def extend_text(pad: Pad, text: str, *, author_pk: int | None = None) -> int:
    """Etherpad's appendText: the text continues the pad's last line."""
    return store.change(pad, lambda doc: document.extend_text(doc, text), author_pk=author_pk)


@transaction.atomic
def save_revision(
    pad: Pad, label: str = "", *, author_pk: int | None = None, rev: int | None = None
) -> SavedRevision:
    rev = pad.head if rev is None else rev
    if rev > pad.head:
        raise ValidationError(_("This revision does not exist yet."), code="rev")
    label = label.strip()[:200] or _("Revision %(rev)s") % {"rev": rev}
    return SavedRevision.objects.create(pad=pad, rev=rev, label=label, saved_by_id=author_pk)


@transaction.atomic
def restore_revision(pad: Pad, rev: int, *, author_pk: int | None = None) -> int:
    """Bring back the text of an old revision, as a new change: the history is kept."""
    if rev > pad.head:
        raise ValidationError(_("This revision does not exist yet."), code="rev")
    old, _at = store.load_document(pad.pk, upto=rev)
    return set_content(pad, document.to_prosemirror(old), author_pk=author_pk)


@transaction.atomic
def set_public_status(pad: Pad, public: bool) -> Pad:
    pad.public_status = public
    pad.save(update_fields=["public_status", "updated_at"])
    return pad


def _reach_for(source: Pad, pad_group: PadGroup | None) -> str:
    # Group pads are open to sessions and members only; a group pad copied out of its group
    # becomes an ordinary Etherpad pad, open to whoever holds its name.
    if pad_group is not None:
        return Reach.RESTRICTED
    if source.pad_group_id is not None:
        return Reach.LINK
    return source.reach


@transaction.atomic
def copy_pad(
    source: Pad,
    destination_id: str,
    *,
    pad_group: PadGroup | None = None,
    history: bool = True,
    author_pk: int | None = None,
) -> Pad:
    """A copy of ``source`` under a free name: its whole history and chat, or its text as one
    revision (``history=False``, by ``author_pk``)."""
    if Pad.objects.filter(pad_id=destination_id).exists():
        raise ValidationError(_("A pad with this name already exists."), code="exists")
    source.refresh_from_db()
    copy = Pad.objects.create(
        pad_id=destination_id,
        title=source.title,
        owner=source.owner,
        owner_group=source.owner_group,
        structure=source.structure,
        reach=_reach_for(source, pad_group),
        reach_role=source.reach_role,
        link_token=destination_id,
        link_password=source.link_password,
        link_expires_at=source.link_expires_at,
        pad_group=pad_group,
        public_status=source.public_status if pad_group is not None else False,
    )
    if history:
        batch: list[PadRevision] = []
        revisions = PadRevision.objects.filter(pad=source).order_by("rev")
        for revision in revisions.iterator(chunk_size=2000):
            batch.append(
                PadRevision(
                    pad=copy,
                    rev=revision.rev,
                    update=revision.update,
                    author_id=revision.author_id,
                    created_at=revision.created_at,
                )
            )
            if len(batch) >= 2000:
                PadRevision.objects.bulk_create(batch)
                batch = []
        PadRevision.objects.bulk_create(batch)
        Pad.objects.filter(pk=copy.pk).update(
            head=source.head,
            last_edited_at=source.last_edited_at,
            text=source.text,
            snapshot=source.snapshot,
            snapshot_rev=source.snapshot_rev,
        )
        PadCheckpoint.objects.bulk_create(
            PadCheckpoint(pad=copy, rev=checkpoint.rev, state=checkpoint.state)
            for checkpoint in PadCheckpoint.objects.filter(pad=source).iterator(chunk_size=20)
        )
        _copy_rows(ChatMessage, source, copy, ["author_id", "text"])
        _copy_rows(SavedRevision, source, copy, ["rev", "label", "saved_by_id"])
    else:
        doc, _head = store.load_document(source.pk)
        state = doc.get_update()
        if state not in (b"\x00\x00", b""):
            store.append_revisions(copy.pk, [(state, author_pk)])
            Pad.objects.filter(pk=copy.pk).update(text=source.text)
    copy.refresh_from_db()
    _copy_grants(source, copy)
    index_pad(copy)
    return copy


def _copy_rows(model: Any, source: Pad, copy: Pad, fields: list[str]) -> None:
    """Rows that belong to a pad, copied with their dates (``auto_now_add`` would reset them)."""
    rows = list(model.objects.filter(pad=source).order_by("pk"))
    copies = model.objects.bulk_create(
        [model(pad=copy, **{f: getattr(row, f) for f in fields}) for row in rows]
    )
    for original, new in zip(rows, copies, strict=True):
        new.created_at = original.created_at
    if copies:
        model.objects.bulk_update(copies, ["created_at"])


def _copy_grants(source: Pad, copy: Pad) -> None:
    content_type = ContentType.objects.get_for_model(Pad)
    Grant.objects.bulk_create(
        Grant(
            content_type=content_type,
            object_id=copy.pk,
            user_id=grant.user_id,
            group_id=grant.group_id,
            role=grant.role,
            manager_role=grant.manager_role,
            granted_by_id=grant.granted_by_id,
        )
        for grant in Grant.objects.filter(content_type=content_type, object_id=source.pk)
    )


@transaction.atomic
def move_pad(pad: Pad, destination_id: str, *, pad_group: PadGroup | None = None) -> Pad:
    """Rename a pad in place: history, chat and read-only link stay; open editors reconnect."""
    if Pad.objects.filter(pad_id=destination_id).exclude(pk=pad.pk).exists():
        raise ValidationError(_("A pad with this name already exists."), code="exists")
    old_id = pad.pad_id
    pad.reach = _reach_for(pad, pad_group)
    if pad.link_token == old_id:
        pad.link_token = destination_id
    pad.pad_id = destination_id
    if pad_group is None:
        pad.public_status = False
    pad.pad_group = pad_group
    pad.save(
        update_fields=[
            "pad_id",
            "link_token",
            "reach",
            "pad_group",
            "public_status",
            "updated_at",
        ]
    )
    index_pad(pad)
    # Editors opened the old name: their room closes, and reconnecting to it finds nothing.
    layer_reset(pad.pk)
    return pad


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def check_image(upload: UploadedFile) -> tuple[str, str]:
    """The extension and content type of an uploaded image, judged by its bytes, not its name.

    Raises ValidationError for anything that is not a whole PNG, JPEG, GIF or WebP image.
    """
    if (upload.size or 0) > MAX_IMAGE_SIZE:
        raise ValidationError(_("The image is larger than 10 MB."), code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except Exception as exc:
        raise ValidationError(_("This file is not an image."), code="not_image") from exc
    finally:
        upload.seek(0)
    if kind not in IMAGE_FORMATS:
        raise ValidationError(
            _("Images must be PNG, JPEG, GIF or WebP files."), code="unsupported_image"
        )
    return IMAGE_FORMATS[kind]


def add_image(pad: Pad, upload: UploadedFile, *, author: PadAuthor | None) -> PadImage:
    """Store an uploaded image for ``pad``; the editor then places its address in the text."""
    extension, content_type = check_image(upload)
    try:
        stored = save_stream(
            unique_name("pad-images", f"image.{extension}"),
            upload.chunks(),
            max_size=MAX_IMAGE_SIZE,
        )
    except TooLarge as exc:
        raise ValidationError(_("The image is larger than 10 MB."), code="too_large") from exc
    return PadImage.objects.create(
        pad=pad,
        storage_name=stored.name,
        content_type=content_type,
        size=stored.size,
        uploaded_by=author,
    )
