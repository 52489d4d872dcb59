"""``status.php`` and the capabilities: what a Nextcloud client asks before anything else.

The version is one the current clients accept without complaint (the desktop client warns
below its supported minimum, the mobile apps refuse very old servers); nothing else reads it.
What the capabilities advertise must be true: a client uses chunked uploads, the trash bin
or versions only when told they exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from cartable.accounts.models import User
from cartable.drive.nextcloud.ocs import ocs_view

VERSION = (28, 0, 14, 1)
VERSION_STRING = "28.0.14"
PRODUCT = "Cartable"
COLOR = "#1d4ed8"

# Names a client must never upload (Nextcloud's own default list).
BLACKLISTED_FILES = [".htaccess"]

# Nextcloud DAV extensions served under /remote.php/dav/ (dav_uploads, dav_trash): each capability
# below is advertised only while its endpoint is mounted.
CHUNKED_UPLOADS = True
TRASH_BIN = True
VERSIONS = True


def server_url(request: HttpRequest) -> str:
    """The address clients reached us at (host checked against ALLOWED_HOSTS by Django)."""
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def status_php(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        {
            "installed": True,
            "maintenance": False,
            "needsDbUpgrade": False,
            "version": ".".join(str(n) for n in VERSION),
            "versionstring": VERSION_STRING,
            "edition": "",
            "productname": PRODUCT,
            "extendedSupport": False,
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def capabilities(request: HttpRequest) -> dict[str, Any]:
    base = server_url(request)
    logo = request.build_absolute_uri(static("cartable/img/logo.svg"))
    dav: dict[str, Any] = {"chunking": "1.0"} if CHUNKED_UPLOADS else {}
    return {
        "version": {
            "major": VERSION[0],
            "minor": VERSION[1],
            "micro": VERSION[2],
            "string": VERSION_STRING,
            "edition": "",
            "extendedSupport": False,
        },
        "capabilities": {
            "core": {
                "pollinterval": 60,
                "webdav-root": "remote.php/webdav",
                "reference-api": False,
                "mod-rewrite-working": True,
            },
            "dav": dav,
            "files": {
                "bigfilechunking": CHUNKED_UPLOADS,
                "blacklisted_files": BLACKLISTED_FILES,
                "undelete": TRASH_BIN,
                "versioning": VERSIONS,
                "version_labeling": False,
                "version_deletion": False,
                "comments": False,
            },
            "files_sharing": {
                "api_enabled": True,
                "public": {
                    "enabled": True,
                    "password": {"enforced": False, "askForOptionalPassword": False},
                    "expire_date": {"enabled": False},
                    "multiple_links": True,
                    "expire_date_internal": {"enabled": False},
                    "expire_date_remote": {"enabled": False},
                    "send_mail": False,
                    "upload": True,
                    "upload_files_drop": True,
                },
                "resharing": True,
                "user": {"send_mail": False, "expire_date": {"enabled": False}},
                "group_sharing": True,
                "group": {"enabled": True, "expire_date": {"enabled": False}},
                "default_permissions": 31,
                "federation": {
                    "outgoing": False,
                    "incoming": False,
                    "expire_date": {"enabled": False},
                    "expire_date_supported": {"enabled": False},
                },
                "sharee": {"query_lookup_default": False, "always_show_unique": True},
            },
            "checksums": {"supportedTypes": ["SHA1", "MD5"], "preferredUploadType": "SHA1"},
            "theming": {
                "name": PRODUCT,
                "url": base,
                "slogan": "",
                "color": COLOR,
                "color-text": "#ffffff",
                "color-element": COLOR,
                "color-element-bright": COLOR,
                "color-element-dark": COLOR,
                "logo": logo,
                "background": "",
                "background-plain": True,
                "background-default": True,
                "logoheader": logo,
                "favicon": logo,
            },
        },
    }


@ocs_view(auth=False)
def capabilities_view(request: HttpRequest, user: User | None) -> dict[str, Any]:
    """Open to anyone, as in Nextcloud: clients read it before they sign in."""
    return capabilities(request)
