"""Images in pads: uploaded by editors (button, paste, drop), served to the pad's readers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from cartable.core.http import serves_user_bytes, storage_response
from cartable.pad import actions
from cartable.pad.access import access_pad
from cartable.pad.models import PadImage
from cartable.pad.views.common import current_author, session_ids


@require_POST
def upload(request: HttpRequest, pad_id: str) -> JsonResponse:
    access = access_pad(request.user, pad_id, "edit", session_ids=session_ids(request))
    file = request.FILES.get("image") or request.FILES.get("file")
    if file is None:
        return JsonResponse({"error": "no file", "code": "no_file"}, status=400)
    try:
        image = actions.add_image(access.pad, file, author=current_author(request, access))
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages), "code": exc.code}, status=400)
    return JsonResponse({"src": image.get_absolute_url()}, status=201)


@require_GET
@serves_user_bytes
def serve(request: HttpRequest, pad_id: str, name: str) -> HttpResponseBase:
    access = access_pad(request.user, pad_id, "view", session_ids=session_ids(request))
    public_id, _dot, extension = name.partition(".")
    try:
        image = get_object_or_404(PadImage, pad=access.pad, public_id=public_id)
    except ValidationError as exc:  # not a UUID
        raise Http404 from exc
    if extension != image.extension:
        raise Http404
    response = storage_response(
        request,
        image.storage_name,
        filename=name,
        content_type=image.content_type,
        etag=str(image.public_id),
        inline=True,
        size=image.size,
    )
    # An image never changes under its address.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
