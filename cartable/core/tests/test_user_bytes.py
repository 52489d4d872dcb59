"""User bytes never run in Cartable's origin: the guard over every endpoint.

Bytes a user supplied — a file, an image in a pad, an export, and whatever is made from them
(a preview, a zip) — are served on many paths: Django views, the WebDAV application, the
Nextcloud trees beside it. A browser that opens one of them must not find a page of Cartable's
origin holding someone's script. Each such answer must carry (``cartable.core.http``):

- ``Content-Disposition: attachment``, unless its type is one browsers show without running
  anything (pictures other than SVG, audio, video, PDF, plain text);
- ``X-Content-Type-Options: nosniff``;
- a ``Content-Security-Policy`` with ``default-src 'none'`` and ``sandbox`` (no script, an
  opaque origin), in case a browser renders it all the same.

This module checks it on every endpoint, and that no endpoint escapes the check:

(a) each endpoint that serves user bytes is requested with hostile files (HTML, SVG, XHTML,
    XML, JavaScript, a name that guesses nothing) and every answer's headers are checked;
(b) every URL pattern of Django's resolver (walked recursively, with ``DEBUG`` on as well),
    every ASGI mount of ``cartable/asgi.py``, every WebDAV tree registered with
    ``cartable.drive.webdav.http.register`` and every websocket route must be classified:
    marked as serving user bytes, with a recipe below, or listed as serving none, with why.
    A new URL that is neither fails this test.

**How a tool registers its endpoints.**

- A Django view that answers with user bytes: decorate it with
  ``cartable.core.http.serves_user_bytes`` (which protects each of its successful answers;
  ``storage_response`` already builds a stored file's answer with the right headers), name
  its URL pattern, and add to ``RECIPES`` a function that makes hostile data and returns the
  requests to make.
- A view that never answers with user bytes (a page rendered from a template, JSON, a
  redirect, an upload): add its dotted path (``pattern.lookup_str``) to ``NO_USER_BYTES``
  with the reason.
- Another ASGI application: mount it in ``cartable/asgi.py`` (``MOUNTS``; the edge wraps it)
  and list its prefix in ``MOUNTS_SEEN``; a WebDAV tree goes in ``DAV_RECIPES`` or
  ``DAV_NO_USER_BYTES``; a websocket route in ``WEBSOCKETS``.

This guard knows every tool, as ``cartable/urls.py`` does: it is the platform's test, not
core's code.
"""

from __future__ import annotations

import base64
import importlib
import io
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, reverse
from PIL import Image

import cartable.urls
from cartable import asgi, routing
from cartable.accounts.actions import create_app_password
from cartable.asgi import application
from cartable.core.models import DataExport
from cartable.drive import actions
from cartable.drive.models import ShareLink
from cartable.drive.webdav import http as dav
from cartable.pad import actions as pad_actions
from cartable.pad.actions import authors
from cartable.tube.actions.publishing import create_channel
from cartable.tube.models import Video

# --- hostile data --------------------------------------------------------------------------

SCRIPT = b"<script>document.title='pwned'</script>"
HOSTILE = {
    "steal.html": b"<!doctype html><title>x</title>" + SCRIPT,
    "page.htm": b"<html>" + SCRIPT + b"</html>",
    "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>",
    "page.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml">' + SCRIPT + b"</html>",
    "data.xml": b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">'
    b"document.title='pwned'</x:script>",
    "app.js": b"document.title='pwned'",
    "no-extension": b"<html>" + SCRIPT + b"</html>",
    "notes.txt": b"<html>" + SCRIPT + b"</html>",
}

# Types a browser shows without running anything: what may be answered inline. Written out
# here on purpose, not imported: the guard does not trust the code it checks.
INERT_EXACT = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
    "application/pdf",
    "text/plain",
}
INERT_PREFIXES = ("audio/", "video/")
BYTES_STATUSES = {200, 203, 206}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def assert_protected(where: str, status: int, headers: dict[str, str]) -> None:
    """The answer ``headers`` (names in lower case) keep its bytes from running."""
    assert status in BYTES_STATUSES, where
    assert headers.get("x-content-type-options") == "nosniff", where
    directives: dict[str, list[str]] = {}
    for part in headers.get("content-security-policy", "").split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    assert directives.get("default-src") == ["'none'"], (where, directives)
    assert directives.get("sandbox") == [], (where, directives)  # no allow-scripts, no tokens
    assert "script-src" not in directives, (where, directives)
    kind = _base_type(headers.get("content-type", ""))
    disposition = headers.get("content-disposition", "").split(";", 1)[0].strip().lower()
    inert = kind in INERT_EXACT or kind.startswith(INERT_PREFIXES)
    if not inert:
        assert disposition == "attachment", (where, kind, disposition)


def assert_redirect_elsewhere(where: str, location: str, host: str) -> None:
    """Scaled out, downloads are redirects to a signed URL of the object store: another origin,
    which is told the same disposition."""
    target = urlsplit(location)
    assert target.netloc and target.netloc != host, (where, location)
    query = parse_qs(target.query)
    kind = _base_type(query.get("response-content-type", [""])[0])
    disposition = query.get("response-content-disposition", [""])[0].split(";", 1)[0]
    if not (kind in INERT_EXACT or kind.startswith(INERT_PREFIXES)):
        assert disposition.strip().lower() == "attachment", (where, kind, disposition)


# --- the world the recipes request -------------------------------------------------------


@dataclass
class World:
    teacher: Any
    client: Client
    guest: Client
    files: dict[str, Any] = field(default_factory=dict)
    folder: Any = None
    version: Any = None
    link: Any = None
    pad: Any = None
    image_url: str = ""
    export: Any = None
    app_password: str = ""
    video: Any = None


def make_world(teacher: Any) -> World:
    client = Client()
    client.force_login(teacher, backend="django.contrib.auth.backends.ModelBackend")
    world = World(teacher=teacher, client=client, guest=Client())

    root = actions.root_of(actions.personal_space(teacher))
    world.folder = actions.create_folder(root, "hostile", by=teacher)
    for name, data in {**HOSTILE, "picture.png": png_bytes()}.items():
        world.files[name], _ = actions.write_file(world.folder, name, [data], by=teacher)
    # A second write keeps the first as a version.
    world.files["steal.html"], _ = actions.write_file(
        world.folder, "steal.html", [HOSTILE["steal.html"] + b"<!-- v2 -->"], by=teacher
    )
    world.version = actions.versions(world.files["steal.html"]).first()
    world.link = ShareLink.objects.create(node=world.folder, token=secrets.token_urlsafe(16))

    world.pad = pad_actions.create_pad(owner=teacher, title="<script>x</script>", pad_id="hostile")
    pad_actions.set_text(world.pad, "<html><script>document.title='pwned'</script></html>")
    image = pad_actions.add_image(
        world.pad,
        SimpleUploadedFile("x.html", png_bytes(), "text/html"),
        author=authors.author_for_user(teacher),
    )
    world.image_url = image.get_absolute_url()

    name = default_storage.save("exports/hostile.zip", ContentFile(HOSTILE["steal.html"]))
    world.export = DataExport.objects.create(
        user=teacher, status=DataExport.Status.READY, file_name=name, size=1
    )
    # An avatar whose stored name says HTML (the form refuses it; older data or the admin may not).
    teacher.avatar.save("x.html", ContentFile(HOSTILE["steal.html"]), save=True)
    world.app_password = create_app_password(teacher, "guard")[1]
    # A published video whose playlist and segment hold a page (as if ffmpeg had been fooled).
    channel = create_channel("hostile", by=teacher)
    world.video = Video.objects.create(
        channel=channel, title="x", original="x", owner=teacher, state=Video.State.PUBLISHED
    )
    for name in ("master.m3u8", "360p/00000.ts"):
        default_storage.save(f"{world.video.folder}/hls/{name}", ContentFile(HOSTILE["steal.html"]))
    return world


Request = tuple[Client, str]


def _files(world: World, url_name: str, *, names: Any = None) -> list[Request]:
    chosen = names or list(world.files)
    return [(world.client, reverse(url_name, args=[world.files[n].public_id])) for n in chosen]


def _link(world: World, url_name: str, *, names: Any = None) -> list[Request]:
    chosen = names or list(world.files)
    return [
        (world.guest, reverse(url_name, args=[world.link.token, world.files[n].public_id]))
        for n in chosen
    ]


# URL name → the requests that exercise it (a logged-in ``client`` or an anonymous ``guest``).
RECIPES: dict[str, Callable[[World], list[Request]]] = {
    "drive:download": lambda w: _files(w, "drive:download"),
    "drive:raw": lambda w: _files(w, "drive:raw"),
    "drive:preview": lambda w: _files(w, "drive:preview", names=["picture.png", "notes.txt"]),
    "drive:version_download": lambda w: [
        (
            w.client,
            reverse("drive:version_download", args=[w.files["steal.html"].public_id, w.version.pk]),
        )
    ],
    "drive:zip_folder": lambda w: [
        (w.client, reverse("drive:zip_folder", args=[w.folder.public_id]))
    ],
    "drive:zip": lambda w: [
        (w.client, reverse("drive:zip") + f"?n={w.files['steal.html'].public_id}")
    ],
    "drive:link_download": lambda w: [
        *_link(w, "drive:link_download"),
        (w.guest, reverse("drive:link_download", args=[w.link.token, w.folder.public_id])),
    ],
    "drive:link_raw": lambda w: _link(w, "drive:link_raw"),
    "drive:link_preview": lambda w: _link(
        w, "drive:link_preview", names=["picture.png", "notes.txt"]
    ),
    "pad:image": lambda w: [(w.client, w.image_url)],
    "pad:export": lambda w: [
        (w.client, reverse("pad:export", args=[w.pad.pad_id, fmt])) for fmt in ("html", "txt", "md")
    ],
    "pad:export_revision": lambda w: [
        (w.client, f"/pad/p/{w.pad.pad_id}/{w.pad.head}/export/html"),
    ],
    "portal:export_download": lambda w: [
        (w.client, reverse("portal:export_download", args=[w.export.public_id]))
    ],
    "accounts:avatar": lambda w: [
        (w.client, reverse("accounts:avatar", args=[w.teacher.public_id]))
    ],
    "tube:hls": lambda w: [
        (w.client, reverse("tube:hls", args=[w.video.public_id, name]))
        for name in ("master.m3u8", "360p/00000.ts")
    ],
}

# Views that never answer with a user's bytes, by why: each of Cartable's by its dotted path
# (a new view in the same module is not let through), a third party's by its package.
_NONE_BECAUSE: dict[str, tuple[str, ...]] = {
    "a page from our templates (user text escaped), a form or a redirect": (
        "cartable.portal.views.home",
        "cartable.portal.views.dashboard",
        "cartable.portal.views.search",
        "cartable.portal.views.notifications",
        "cartable.portal.views.notification_open",
        "cartable.portal.views.guide",
        "cartable.portal.views.guide_page",
        "cartable.portal.views.legal",
        "cartable.portal.views.contributions",
        "cartable.portal.views.contributions_triage",
        "cartable.portal.views.contribution_answer",
        "cartable.portal.views.privacy_center",
        "cartable.portal.views.delete_account",
        "cartable.portal.views.stats",
        "cartable.accounts.views.profile",
        "cartable.accounts.views.security",
        "cartable.accounts.views.app_passwords",
        "cartable.accounts.views.app_password_revoke",
        "cartable.accounts.views.groups",
        "cartable.accounts.views.group_detail",
        "cartable.accounts.views.group_settings",
        "cartable.accounts.views.group_invite",
        "cartable.accounts.views.invitation_revoke",
        "cartable.accounts.views.group_add_co_teacher",
        "cartable.accounts.views.group_remove_member",
        "cartable.accounts.views.student_password",
        "cartable.accounts.views.join",
        "cartable.pad.views.pages.index",
        "cartable.tube.views.watching.watch",
        "cartable.tube.views.pages.index",
        "cartable.tube.views.pages.channel",
        "cartable.pad.views.pages.pad_page",
        "cartable.pad.views.pages.settings_view",
        "cartable.drive.views.browse.home",
        "cartable.drive.views.browse.folder",
        "cartable.drive.views.browse.activity",
        "cartable.drive.views.browse.search",
        "cartable.drive.views.browse.favourites",
        "cartable.drive.views.browse.recent",
        "cartable.drive.views.changes.new_folder",
        "cartable.drive.views.changes.rename",
        "cartable.drive.views.changes.delete",
        "cartable.drive.views.changes.favourite",
        "cartable.drive.views.changes.pick",
        "cartable.drive.views.changes.file_drop",
        "cartable.drive.views.files.file_page",  # its viewer loads drive:raw
        "cartable.drive.views.files.version_restore",
        "cartable.drive.views.share.share",
        "cartable.drive.views.trash.trash_page",
        "cartable.drive.views.trash.empty",
        "cartable.drive.views.trash.restore",
        "cartable.drive.views.trash.purge",
        "cartable.drive.views.public.link_page",
        "cartable.drive.views.public.link_folder",  # and its files' pages (they load link_raw)
        "cartable.drive.nextcloud.login_flow.start_v2",
        "cartable.drive.nextcloud.login_flow.grant",
        "cartable.drive.nextcloud.login_flow.start_v1",
    ),
    "JSON (or OCS's XML) that our code or a client reads, with nosniff": (
        "cartable.pad.views.pages.authors_json",
        "cartable.pad.views.history.history",
        "cartable.pad.views.history.revision",
        "cartable.pad.views.history.save",
        "cartable.pad.views.history.restore",
        "cartable.pad.etherpad.views.root",
        "cartable.pad.etherpad.views.call",  # Etherpad's API: JSON envelopes, no raw export
        "cartable.drive.views.share.people_json",
        "cartable.drive.nextcloud.status.status_php",
        "cartable.drive.nextcloud.status.capabilities_view",
        "cartable.drive.nextcloud.users.current_user",
        "cartable.drive.nextcloud.users.user_detail",
        "cartable.drive.nextcloud.shares.shares",
        "cartable.drive.nextcloud.shares.share",
        "cartable.drive.nextcloud.shares.sharees",
        "cartable.drive.nextcloud.ocs.not_found",
        "cartable.drive.nextcloud.login_flow.poll_v2",
    ),
    "takes bytes in, answers JSON, plain-text offsets or a redirect": (
        "cartable.pad.views.images.upload",
        "cartable.pad.views.io.import_view",
        "cartable.drive.views.changes.upload",
        "cartable.drive.views.public.link_upload",
        "cartable.drive.tus.endpoint",
        "cartable.drive.tus.upload_view",
    ),
    "a third party's pages and redirects, no user file": (
        "allauth.",
        "django.views.generic.base.RedirectView",
        "django.views.i18n.",  # the language switch, the catalogue of our own translations
        "django.contrib.admin.",  # file fields link to our views
        "django.contrib.auth.admin.",
        "django.contrib.contenttypes.views.shortcut",
    ),
}
NO_USER_BYTES = {view: why for why, views in _NONE_BECAUSE.items() for view in views}
# Only a third party's package may be listed whole (a prefix ending with a dot).
PACKAGE_PREFIXES = ("allauth.", "django.")


# ASGI mounts beside Django (cartable/asgi.py), each behind the edge.
MOUNTS_SEEN = {"/remote.php/": "WebDAV: its trees are classified below"}


def _dav_file(world: World, name: str, legacy: bool = False) -> str:
    base = "/remote.php/webdav" if legacy else f"/remote.php/dav/files/{world.teacher.username}"
    return f"{base}/hostile/{quote(name)}"


# WebDAV trees (by pattern) that serve files, and the paths to GET in them.
DAV_RECIPES: dict[str, Callable[[World], list[str]]] = {
    r"^(?P<prefix>/remote\.php/dav/files/(?P<user>[^/]+))(?P<rest>/.*)?$": lambda w: [
        _dav_file(w, name) for name in w.files
    ],
    r"^(?P<prefix>/remote\.php/webdav)(?P<rest>/.*)?$": lambda w: [
        _dav_file(w, name, legacy=True) for name in w.files
    ],
    r"^(?P<prefix>/remote\.php/dav/versions/(?P<user>[^/]+))(?P<rest>/.*)?$": lambda w: [
        f"/remote.php/dav/versions/{w.teacher.username}/versions/"
        f"{w.files['steal.html'].pk}/{w.version.pk}"
    ],
}
DAV_NO_USER_BYTES = {
    r"^(?P<prefix>/remote\.php/dav/uploads/(?P<user>[^/]+))(?P<rest>/.*)?$": (
        "chunked uploads: a chunk is never read back (GET is refused)"
    ),
    r"^(?P<prefix>/remote\.php/dav/trashbin/(?P<user>[^/]+))(?P<rest>/.*)?$": (
        "the trash bin lists, restores and purges; it answers no GET"
    ),
}

WEBSOCKETS = {
    "ws/events/": "events as JSON for our own pages",
    "ws/pad/<str:pad_id>": "Yjs updates for our editor: binary frames, never a document",
}


# --- walking what exists --------------------------------------------------------------------


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    """(route, URL name with its namespace, dotted view, callback) of every pattern."""
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = namespace + (f"{item.namespace}:" if item.namespace else "")
            yield from walk(item, prefix + str(item.pattern), inner)
        elif isinstance(item, URLPattern):
            name = f"{namespace}{item.name}" if item.name else None
            yield prefix + str(item.pattern), name, item.lookup_str, item.callback


def marked(callback: Any) -> bool:
    view_class = getattr(callback, "view_class", None)
    return bool(
        getattr(callback, "serves_user_bytes", False)
        or getattr(view_class, "serves_user_bytes", False)
    )


def listed(dotted: str) -> bool:
    return dotted in NO_USER_BYTES or any(
        dotted.startswith(k) for k in NO_USER_BYTES if k.endswith(".")
    )


def test_only_a_third_partys_package_is_listed_whole():
    wholes = [k for k in NO_USER_BYTES if k.endswith(".")]
    assert all(k.startswith(PACKAGE_PREFIXES) for k in wholes), wholes


def unclassified(resolver: URLResolver) -> list[str]:
    problems = []
    for route, name, dotted, callback in walk(resolver):
        if marked(callback):
            if name not in RECIPES:
                problems.append(f"{route} ({dotted}) serves user bytes but has no recipe")
        elif not listed(dotted):
            problems.append(f"{route} ({dotted}) is not classified")
        elif name in RECIPES:
            problems.append(f"{route} ({dotted}) has a recipe but is not marked")
    return problems


def test_every_url_pattern_is_classified():
    assert unclassified(get_resolver()) == []
    marked_names = {name for _r, name, _d, cb in walk(get_resolver()) if marked(cb)}
    assert marked_names == set(RECIPES), "a recipe for a URL that is gone or not marked"


def test_every_url_pattern_is_classified_with_debug_on():
    """What ``cartable/urls.py`` adds when DEBUG is on (a catch-all serving stored files
    without any access check was there once) is held to the same rule."""

    try:
        with override_settings(DEBUG=True):
            clear_url_caches()
            importlib.reload(cartable.urls)
            assert unclassified(get_resolver("cartable.urls")) == []
    finally:
        clear_url_caches()
        importlib.reload(cartable.urls)


def test_every_asgi_surface_dav_tree_and_websocket_route_is_classified():
    import cartable.drive.asgi  # noqa: F401 - registers the trees

    assert {prefix for prefix, _app in asgi.application.application_mapping["http"].mounts} == set(
        MOUNTS_SEEN
    )
    patterns = {pattern.pattern for pattern, _factory, _put in dav._TREES}
    assert patterns == set(DAV_RECIPES) | set(DAV_NO_USER_BYTES)
    assert not set(DAV_RECIPES) & set(DAV_NO_USER_BYTES)
    assert {str(route.pattern) for route in routing.websocket_urlpatterns} == set(WEBSOCKETS)


# --- requesting what serves user bytes ------------------------------------------------------


def _headers(response: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items()}


@pytest.mark.django_db
def test_every_view_serving_user_bytes_protects_them(teacher):
    world = make_world(teacher)
    for name, recipe in RECIPES.items():
        served = 0
        for client, url in recipe(world):
            for extra in ({}, {"HTTP_RANGE": "bytes=0-5"}):
                response = client.get(url, **extra)
                where = f"{name} {url} {extra}"
                if response.status_code == 302 and response["Location"].startswith("http"):
                    assert_redirect_elsewhere(where, response["Location"], "testserver")
                    served += 1
                elif response.status_code in BYTES_STATUSES:
                    assert_protected(where, response.status_code, _headers(response))
                    served += 1
                if response.streaming:
                    # Read to the end, as a server would; the test client then closes it
                    # without closing the test's database connection.
                    b"".join(response.streaming_content)
        assert served, f"{name}: no request of its recipe was answered with bytes"


def dav_get(path: str, world: World, **headers: str) -> tuple[int, dict[str, str]]:
    token = base64.b64encode(f"{world.teacher.username}:{world.app_password}".encode())
    raw = [(b"host", b"127.0.0.1"), (b"authorization", b"Basic " + token)]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def get() -> dict:
        communicator = HttpCommunicator(application, "GET", path, headers=raw)
        communicator.scope["raw_path"] = path.encode()
        response = await communicator.get_response(timeout=30)
        await communicator.wait(timeout=30)
        return response

    response = async_to_sync(get)()
    return response["status"], {
        k.decode().lower(): v.decode("latin-1") for k, v in response["headers"]
    }


@pytest.mark.django_db(transaction=True)
def test_every_dav_tree_serving_files_protects_them(teacher):
    world = make_world(teacher)
    for pattern, recipe in DAV_RECIPES.items():
        for path in recipe(world):
            for extra in ({}, {"Range": "bytes=0-5"}):
                status, headers = dav_get(path, world, **extra)
                assert_protected(f"{pattern} {path} {extra}", status, headers)


@pytest.mark.django_db(transaction=True)
def test_dav_answers_without_user_bytes_are_sandboxed_too(teacher):
    """Whatever a DAV tree answers (a listing, an error), the edge adds the sandboxing CSP."""
    world = make_world(teacher)
    status, headers = dav_get(f"/remote.php/dav/trashbin/{teacher.username}/trash", world)
    assert status == 405
    assert "sandbox" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
