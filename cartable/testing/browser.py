"""Browser tests: Debian's Chromium driven by Playwright against a live Cartable server.

The fixtures are exposed to every test through the root conftest.py. A browser test asks
for ``page`` (a fresh context and tab whose relative URLs go to the live server) and is
marked ``@pytest.mark.browser``.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request

    from cartable.accounts.models import User

CHROMIUM = os.environ.get("CARTABLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Addresses that never leave the browser: its built-in viewers and pages, inline data.
BROWSER_OWN = r"data:|blob:|about:|chrome:|chrome-extension:"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (run `make setup-system`)")
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # ORM calls made by the test while that loop exists.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Only when a browser test runs: the rest of the suite does not load Playwright.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def server(live_server: Any) -> str:
    """The live server's base URL (on 127.0.0.1, see ``--liveserver`` in pyproject.toml),
    with rate-limit counters reset for each test."""
    # This module is a pytest plugin, loaded before Django is set up.
    from django.core.cache import cache

    cache.clear()
    return str(live_server.url)


def new_context(browser: Browser, server: str, **options: Any) -> BrowserContext:
    options.setdefault("base_url", server)
    options.setdefault("locale", "fr-FR")
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    # Anything but the live server is a bug in the page (a CDN, a font, a tracker). The
    # browser's own pages (its PDF viewer) are not the network.
    context.route(
        re.compile(r"^(?!" + re.escape(server) + r"|" + BROWSER_OWN + r")"),
        lambda route: route.abort(),
    )
    # The live server speaks HTTP only: the events websocket gets a silent stand-in, so
    # pages behave as connected and the server is not hit by reconnection attempts.
    context.route_web_socket(re.compile(r"/ws/"), lambda ws: None)
    return context


@pytest.fixture
def browser_context(browser: Browser, server: str) -> Iterator[BrowserContext]:
    context = new_context(browser, server)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext, server: str) -> Iterator[Page]:
    """A tab; the test fails if the page logs an error (a script error, a CSP refusal...)
    or asks for anything from another server."""
    page = browser_context.new_page()
    errors: list[str] = []
    documents: set[str] = set()

    def on_request(request: Request) -> None:
        if not re.match(re.escape(server) + "/|" + BROWSER_OWN, request.url):
            errors.append(f"request to another server: {request.url}")

    def on_console(message: ConsoleMessage) -> None:
        # A page answered with an error status (a 404 for an unknown class code) is logged
        # too: what the test asserts on, not a fault of the page.
        if message.type != "error" or message.location.get("url") in documents:
            return
        errors.append(f"console: {message.text} ({message.location})")

    page.on("framenavigated", lambda frame: documents.add(frame.url))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", on_console)
    page.on("request", on_request)
    yield page
    if errors:
        pytest.fail("Problems seen in the page:\n" + "\n".join(errors))


def sign_in(context: BrowserContext, server: str, user: User) -> None:
    """Gives the browser a session of ``user`` without going through the sign-in pages."""
    # This module is a pytest plugin, loaded before Django is set up.
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="cartable.accounts.backends.AuthenticationBackend")
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": server}]
    )


def axe_violations(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list:
    """Runs axe-core on the page (WCAG 2.1 A and AA rules and best practices).

    Cartable's CSP (script-src 'self') refuses ``add_script_tag``'s inline script; code
    evaluated through the DevTools protocol is not subject to it, so axe goes in that way
    and the page is checked under its real policy.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source() + "\n;0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                               "best-practice"]},
                resultTypes: ["violations"],
            });
            return r.violations;
        }"""
    )
    return [v for v in result if v.get("impact") in impacts]


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def format_violations(url: str, violations: list) -> str:
    lines = [f"{url}: {len(violations)} accessibility violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
