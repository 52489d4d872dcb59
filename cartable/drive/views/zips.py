"""Folders and selections as one zip, streamed as it is built (see ``cartable.drive.views.zipping``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core.http import content_disposition, serves_user_bytes, stream_chunks
from cartable.core.types import AuthedRequest
from cartable.drive import errors
from cartable.drive.models import Node, ShareLink
from cartable.drive.views import zipping
from cartable.drive.views.common import display_name, drive_errors, load

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def zip_response(
    request: HttpRequest, nodes: list[Node], *, user: Visitor, link: ShareLink | None = None
) -> StreamingHttpResponse:
    entries = []
    for node in nodes:
        below = zipping.subtree(node, user, link=link) if node.is_folder else []
        if node.is_folder and not node.name:
            node.name = display_name(node)
        entries.append((node, below))
    archive = zipping.archive(entries)
    if len(nodes) == 1:
        name = f"{nodes[0].name or _('Drive')}.zip"
    else:
        name = f"{_('Drive')} {timezone.localtime():%Y-%m-%d %H-%M}.zip"
    response = StreamingHttpResponse(
        stream_chunks(request, iter(archive)), content_type="application/zip"
    )
    response["Content-Length"] = str(len(archive))
    response["Content-Disposition"] = content_disposition(name, inline=False)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@drive_errors
@serves_user_bytes
def zip_download(request: AuthedRequest, public_id: str | None = None) -> StreamingHttpResponse:
    """A folder (``public_id``) or the selection (``n``, repeated) as a zip."""
    # Each id once: a folder named many times would be read and archived as many times.
    ids = [public_id] if public_id else list(dict.fromkeys(request.GET.getlist("n")))[:1000]
    if not ids:
        raise errors.DriveError(_("Select at least one file or folder."))
    nodes = [load(request.user, i, "download")[0] for i in ids]
    return zip_response(request, nodes, user=request.user)
