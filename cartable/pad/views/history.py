"""The pad's history as JSON for the time slider: revisions, saved revisions, restore."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from cartable.pad import actions, document, store
from cartable.pad.access import PadAccess, access_pad
from cartable.pad.models import PadAuthor, PadRevision
from cartable.pad.views.common import current_author, session_ids


def _author_pk(request: HttpRequest, access: PadAccess) -> int | None:
    author = current_author(request, access)
    return author.pk if author else None


def _author(author: PadAuthor | None) -> dict[str, str] | None:
    return (
        {"id": author.author_id, "name": author.name, "colour": author.colour} if author else None
    )


@require_GET
def history(request: HttpRequest, pad_id: str) -> JsonResponse:
    """The slider's frame: how many revisions, when, and the saved ones."""
    access = access_pad(request.user, pad_id, "view", session_ids=session_ids(request))
    pad = access.pad
    first = PadRevision.objects.filter(pad=pad).order_by("rev").only("created_at").first()
    saved = [
        {
            "rev": s.rev,
            "label": s.label,
            "time": int(s.created_at.timestamp() * 1000),
            "author": _author(s.saved_by),
        }
        for s in pad.saved_revisions.select_related("saved_by")
    ]
    return JsonResponse(
        {
            "head": pad.head,
            "first_time": int(first.created_at.timestamp() * 1000) if first else None,
            "last_time": int(pad.last_edited_at.timestamp() * 1000) if pad.last_edited_at else None,
            "saved": saved,
            "can_restore": "restore" in access.abilities,
            "can_save": "save_revision" in access.abilities,
        }
    )


@require_GET
def revision(request: HttpRequest, pad_id: str, rev: int) -> JsonResponse:
    access = access_pad(request.user, pad_id, "view", session_ids=session_ids(request))
    pad = access.pad
    if rev > pad.head:
        return JsonResponse(
            {"error": "rev is higher than the head revision of the pad"}, status=404
        )
    doc, _at = store.load_document(pad.pk, upto=rev)
    row = (
        PadRevision.objects.filter(pad=pad, rev=rev).select_related("author").first()
        if rev
        else None
    )
    return JsonResponse(
        {
            "rev": rev,
            "time": int(row.created_at.timestamp() * 1000) if row else None,
            "author": _author(row.author) if row else None,
            "doc": document.to_prosemirror(doc),
        }
    )


@require_POST
def save(request: HttpRequest, pad_id: str) -> JsonResponse:
    access = access_pad(request.user, pad_id, "save_revision", session_ids=session_ids(request))
    try:
        saved = actions.save_revision(
            access.pad,
            request.POST.get("label", ""),
            author_pk=_author_pk(request, access),
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"rev": saved.rev, "label": saved.label}, status=201)


@require_POST
def restore(request: HttpRequest, pad_id: str, rev: int) -> JsonResponse:
    access = access_pad(request.user, pad_id, "restore", session_ids=session_ids(request))
    try:
        head = actions.restore_revision(access.pad, rev, author_pk=_author_pk(request, access))
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"head": head})
