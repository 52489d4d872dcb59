"""In Chromium: a user's HTML opened over WebDAV runs no script in a signed-in victim's session,
and Drive's viewer still shows pictures, PDFs, sound, video and text."""

from __future__ import annotations

import contextlib
import io
import threading
import time
import wave
from collections.abc import Iterator

import pytest
import requests
import uvicorn
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect

from cartable.accounts.actions import create_app_password
from cartable.accounts.models import AppPassword
from cartable.asgi import application
from cartable.drive import actions
from cartable.drive.tests.conftest import put
from cartable.drive.tests.test_previews import video_bytes
from cartable.testing.browser import new_context, sign_in
from cartable.testing.documents import minimal_pdf
from cartable.testing.servers import free_port

pytestmark = pytest.mark.browser

# The attacker's page: with the victim's session, it makes itself an app password (the
# account then belongs to whoever holds it), and says so in its title.
STEAL = b"""<!doctype html><html><head><title>steal</title><script>
document.title = "pwned";
fetch("/me/app-passwords/").then(r => r.text()).then(html => {
  const token = html.match(/name="csrfmiddlewaretoken" value="([^"]+)"/)[1];
  const body = new URLSearchParams({csrfmiddlewaretoken: token, name: "stolen"});
  return fetch("/me/app-passwords/", {method: "POST", body});
});
</script></head><body>steal</body></html>"""
START_TIMEOUT = 30.0


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[str]:
    """The whole ASGI application (Django, the WebDAV application, the edge) served by uvicorn
    in a thread, on the test database: what ``cartable serve`` runs."""

    cache.clear()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=free_port(), lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_html_sent_over_webdav_runs_no_script_in_a_signed_in_victims_session(
    browser, asgi_server, teacher, colleague
):

    attacker_password = create_app_password(teacher, "attack")[1]
    put_url = f"{asgi_server}/remote.php/webdav/steal.html"
    sent = requests.put(put_url, data=STEAL, auth=(teacher.username, attacker_password), timeout=30)
    assert sent.status_code == 201

    # The link the attacker sends, http://claire:<app password>@host/remote.php/webdav/steal.html,
    # has the browser answer WebDAV's Basic challenge with the attacker's credentials while it
    # holds the victim's session cookie: as the context's credentials here.
    context = new_context(
        browser,
        asgi_server,
        accept_downloads=True,
        http_credentials={"username": teacher.username, "password": attacker_password},
    )
    sign_in(context, asgi_server, colleague)
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "app-passwords" in r.url else None)
    trap = f"{asgi_server}/remote.php/webdav/steal.html"
    try:
        # As served: an attachment, saved to disk, never a document of the origin.
        # Playwright's goto says "Download is starting".
        with page.expect_download() as download, contextlib.suppress(PlaywrightError):
            page.goto(trap)
        assert download.value.suggested_filename == "steal.html"

        # Were a browser to render it anyway (here the attachment header is taken off on the
        # way), the sandboxing CSP keeps its script from running.
        def shown_anyway(route):  # type: ignore[no-untyped-def]
            response = route.fetch()
            headers = {
                k: v for k, v in response.headers.items() if k.lower() != "content-disposition"
            }
            route.fulfill(response=response, headers=headers)

        page.route("**/remote.php/webdav/steal.html", shown_anyway)
        page.goto(trap)
        expect(page.locator("body")).to_have_text("steal")
        assert page.title() == "steal"
        page.goto("/me/app-passwords/")  # a page of the victim's own, after the trap
        assert asked == [f"{asgi_server}/me/app-passwords/"]
        assert not AppPassword.objects.filter(user=colleague).exists()
    finally:
        context.close()


# --- Drive's viewer ---------------------------------------------------------------------


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x10" * 8000)
    return buffer.getvalue()


def test_viewer_shows_pictures_pdfs_sound_video_and_text(
    page: Page, server, teacher, my_root, tmp_path
):

    files = {
        "photo.png": png_bytes(),
        "cours.pdf": minimal_pdf(["Cours de physique"]),
        "son.wav": wav_bytes(),
        "clip.webm": video_bytes(tmp_path, seconds=1, size="64x48", fmt="webm"),
        "notes.txt": b"Bonjour la classe",
        "page.html": b"<p>Bonjour</p><script>document.title='pwned'</script>",
    }
    nodes = {name: put(my_root, name, data, teacher) for name, data in files.items()}
    sign_in(page.context, server, teacher)

    def open_file(name: str) -> None:
        page.goto(f"/drive/file/{nodes[name].public_id}")

    open_file("photo.png")
    page.wait_for_function("() => document.querySelector('.viewer img').naturalWidth === 120")

    # Chromium's PDF viewer, an extension's page around the plugin, opens in the frame under
    # the sandboxing CSP, and its plugin loads the file.
    raw = f"{server}/drive/file/{nodes['cours.pdf'].public_id}/raw"

    def drawn(frame: Frame) -> bool:
        parent = frame.parent_frame
        return (
            frame.url == raw and parent is not None and parent.url.startswith("chrome-extension:")
        )

    with page.expect_event("framenavigated", drawn):
        open_file("cours.pdf")

    open_file("son.wav")
    page.wait_for_function("() => document.querySelector('.viewer audio').readyState >= 1")

    open_file("clip.webm")
    page.wait_for_function("() => document.querySelector('.viewer video').videoWidth === 64")

    open_file("notes.txt")
    expect(page.locator(".text-view")).to_have_text("Bonjour la classe")

    # Opened on their own, the bytes are shown too, and HTML only as its text.
    page.goto(f"/drive/file/{nodes['photo.png'].public_id}/raw")
    page.wait_for_function("() => document.querySelector('img').naturalWidth === 120")
    page.goto(f"/drive/file/{nodes['page.html'].public_id}/raw")
    expect(page.locator("body")).to_contain_text("<script>")
    assert page.title() != "pwned"
    assert actions.live_child(my_root, "page.html") is not None
