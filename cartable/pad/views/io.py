"""Export a pad (any revision) as a file, and import a file into a pad."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cartable.core.http import serves_user_bytes
from cartable.pad import actions
from cartable.pad.access import access_pad
from cartable.pad.actions.conversion import (
    EXPORT_ALIASES,
    EXPORT_FORMATS,
    MAX_IMPORT_SIZE,
    ImportRefused,
    attribute,
    export_pad,
    import_kind,
    pad_image_saver,
    read_import,
)
from cartable.pad.convert import office_available
from cartable.pad.convert.office import OfficeError, OfficeUnavailable
from cartable.pad.models import Pad
from cartable.pad.views.common import current_author, session_ids

_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def transfer_context() -> dict[str, object]:
    """What the pad page needs for its import and export menu."""
    office = office_available()
    labels = {
        "txt": _("Text (.txt)"),
        "md": _("Markdown (.md)"),
        "html": _("Web page (.html)"),
        "docx": _("Word (.docx)"),
        "odt": _("OpenDocument (.odt)"),
        "pdf": _("PDF (.pdf)"),
    }
    return {
        "office": office,
        "export_formats": [
            (fmt, labels[fmt]) for fmt, spec in EXPORT_FORMATS.items() if office or not spec.office
        ],
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _filename(pad: Pad, extension: str, rev: int | None) -> str:
    base = " ".join(_UNSAFE_FILENAME.sub(" ", pad.display_title).split())[:100].strip(". ")
    base = base or pad.pad_id
    if rev is not None:
        base += f" (r{rev})"
    return f"{base}.{extension}"


def _revision(raw: str | None, pad: Pad) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) > pad.head:
        raise Http404(_("This pad has no such revision."))
    return int(raw)


def _failure(request: HttpRequest, pad_id: str, message: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(
        request,
        "pad/convert_error.html",
        {"message": message, "pad_url": reverse("pad:pad", args=[pad_id])},
        status=status,
    )


@require_safe
@serves_user_bytes
def export_view(
    request: HttpRequest, pad_id: str, fmt: str, rev: str | None = None
) -> HttpResponse:
    """``/pad/p/<padID>/export/<fmt>?rev=N`` (and Etherpad's ``/p/<padID>/<rev>/export/<fmt>``)."""
    access = access_pad(request.user, pad_id, "export", session_ids=session_ids(request))
    fmt = EXPORT_ALIASES.get(fmt, fmt)
    spec = EXPORT_FORMATS.get(fmt)
    if spec is None:
        raise Http404(_("Unknown export format."))
    pad = access.pad
    revision = _revision(rev if rev is not None else request.GET.get("rev"), pad)
    if spec.office and not office_available():
        return _failure(
            request,
            pad_id,
            _("Word, OpenDocument and PDF exports are not available on this server."),
            503,
        )
    try:
        data = export_pad(pad, fmt, rev=revision, lang=getattr(request, "LANGUAGE_CODE", ""))
    except OfficeError as exc:
        return _failure(request, pad_id, str(exc), 503)
    disposition = content_disposition_header(True, _filename(pad, spec.extension, revision))
    response = HttpResponse(data, content_type=spec.content_type)
    response["Content-Disposition"] = disposition or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def import_view(request: HttpRequest, pad_id: str) -> HttpResponse:
    """Replace the pad's text by an uploaded file's, as one new revision (history kept)."""
    access = access_pad(request.user, pad_id, "import", session_ids=session_ids(request))
    pad = access.pad
    too_large = _("The file is too large (20 MB at most).")
    # Refused before the body is read, when the client says how large it is.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_IMPORT_SIZE + 64 * 1024:
        return _failure(request, pad_id, too_large, 413)
    upload = request.FILES.get("file")
    if upload is None:
        return _failure(request, pad_id, _("Choose a file to import."), 400)
    if upload.size is not None and upload.size > MAX_IMPORT_SIZE:
        return _failure(request, pad_id, too_large, 413)
    try:
        kind = import_kind(upload.name or "")
        if kind in ("docx", "odt") and not office_available():
            raise OfficeUnavailable(
                _("Word and OpenDocument imports are not available on this server.")
            )
        saver = pad_image_saver(pad, current_author(request, access))
        pm = read_import(upload.read(), upload.name or "", image_src=saver)
    except ImportRefused as exc:
        return _failure(request, pad_id, str(exc), 400)
    except OfficeUnavailable as exc:
        return _failure(request, pad_id, str(exc), 503)
    except OfficeError as exc:
        return _failure(request, pad_id, str(exc), 422)
    author = current_author(request, access)
    if author is not None:
        pm = attribute(pm, author.author_id)
    head = actions.set_content(pad, pm, author_pk=author.pk if author else None)
    if _wants_json(request):
        return JsonResponse({"ok": True, "rev": head})
    messages.success(
        request, _("The file is imported. The previous text stays in the pad's history.")
    )
    return redirect("pad:pad", pad_id)
