"""The OCS envelope and authentication shared by every ``/ocs/v{1,2}.php/`` endpoint.

Nextcloud answers OCS calls in XML unless asked for JSON (``?format=json``, or an
``Accept: application/json`` header), inside ``{"ocs": {"meta": ..., "data": ...}}``. The two
versions differ in their status codes only: v1 says 100 for success and answers HTTP 200
whatever happened (but 401), v2 repeats the HTTP status in the envelope.

Clients authenticate with HTTP Basic and an app password. A browser session counts too,
but only with the ``OCS-APIRequest: true`` header, which a cross-site form cannot send:
that header is Nextcloud's protection against cross-site requests on OCS, so these views
are exempt from Django's CSRF check.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  # nosec B405  # we only write XML here

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cartable.accounts.models import User
from cartable.core.net import client_ip
from cartable.drive.webdav.auth import RateLimited, basic_user

OK = 200

# What v1 says in the envelope where v2 repeats the HTTP status.
_V1_CODES = {200: 100, 401: 997}


class OcsError(Exception):
    """Answer with this status (an HTTP code: 400, 401, 403, 404...) and message."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def wants_json(request: HttpRequest) -> bool:
    fmt = request.GET.get("format", "").lower()
    if fmt:
        return fmt == "json"
    return "application/json" in request.headers.get("Accept", "")


def _xml_value(parent: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            tag = "element" if isinstance(key, int) or not str(key)[:1].isalpha() else str(key)
            _xml_value(ET.SubElement(parent, tag), item)
    elif isinstance(value, list | tuple):
        for item in value:
            _xml_value(ET.SubElement(parent, "element"), item)
    elif isinstance(value, bool):
        parent.text = "1" if value else ""
    else:
        parent.text = str(value)


def render(
    request: HttpRequest,
    version: str,
    data: Any,
    *,
    status: int = OK,
    message: str = "",
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """One OCS answer: the envelope, in the format and with the codes of ``version``."""
    success = 200 <= status < 300
    if version == "1":
        code = _V1_CODES.get(status, status)
        http_status = 401 if status == 401 else 200
    else:
        code = status
        http_status = status
    meta = {
        "status": "ok" if success else "failure",
        "statuscode": code,
        "message": message or ("OK" if success else ""),
        "totalitems": "",
        "itemsperpage": "",
    }
    if data is None:
        data = []
    if wants_json(request):
        body = json.dumps({"ocs": {"meta": meta, "data": data}}, ensure_ascii=False)
        content_type = "application/json; charset=utf-8"
    else:
        root = ET.Element("ocs")
        _xml_value(ET.SubElement(root, "meta"), meta)
        _xml_value(ET.SubElement(root, "data"), data)
        body = '<?xml version="1.0"?>\n' + ET.tostring(root, encoding="unicode")
        content_type = "text/xml; charset=UTF-8"
    response = HttpResponse(body, status=http_status, content_type=content_type)
    if status == 401 and not request.headers.get("OCS-APIRequest"):
        response["WWW-Authenticate"] = 'Basic realm="Cartable", charset="UTF-8"'
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, password = decoded.partition(":")
    return (login, password) if sep else None


def authenticated_user(request: HttpRequest) -> User | None:
    """The user behind an app password, or behind the session of an OCS-APIRequest call."""
    credentials = basic_credentials(request)
    if credentials is not None:
        # The same cached check and failure limit as WebDAV: clients call both all the time.
        try:
            return basic_user(*credentials, address=client_ip(request))  # type: ignore[no-any-return]
        except RateLimited:
            return None
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and request.headers.get("OCS-APIRequest", "").lower() == "true"
    ):
        return user  # type: ignore[return-value]
    return None


OcsView = Callable[..., Any]


def ocs_view(*, auth: bool = True) -> Callable[[OcsView], Callable[..., HttpResponse]]:
    """Wrap a view returning the ``data`` of an OCS answer (or raising :class:`OcsError`).

    The view receives ``request``, the signed-in ``user`` (None when ``auth`` is False and
    nobody is signed in) and the URL's arguments but ``version``.
    """

    def decorate(view: OcsView) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, version: str = "2", **kwargs: Any) -> HttpResponse:
            user = authenticated_user(request)
            if auth and user is None:
                return render(request, version, None, status=401, message="Unauthorised")
            try:
                data = view(request, user, **kwargs)
            except OcsError as error:
                return render(request, version, None, status=error.status, message=error.message)
            if isinstance(data, HttpResponse):
                return data
            return render(request, version, data)

        return wrapper

    return decorate


@ocs_view(auth=False)
def not_found(request: HttpRequest, user: User | None, **kwargs: Any) -> Any:
    """Any OCS endpoint Cartable does not offer (a client asks for apps it may not have)."""
    raise OcsError(404, "Invalid query, please check the syntax. API specifications are here:")
