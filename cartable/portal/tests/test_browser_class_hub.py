"""The class page as the class's hub, and the top bar, in Chromium, on the demo data."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, expect

from cartable.accounts.models import User
from cartable.core.registry import registry
from cartable.portal.demo import create_demo
from cartable.testing.browser import axe_violations, format_violations, sign_in

pytestmark = pytest.mark.browser

CLASS = "4e B — Histoire-géographie"


@pytest.fixture
def demo(transactional_db, monkeypatch):
    """The demo data, made in a thread of its own: Playwright's event loop runs in this one,
    where what the demo sends after each commit could not be sent."""

    monkeypatch.setattr("cartable.core.office.soffice", lambda: None)

    def make() -> None:
        try:
            list(create_demo())
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(make).result()


def open_class_page(page: Page) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Classes"
    ).click()
    page.get_by_role("link", name=CLASS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CLASS)


def test_top_bar_reaches_every_tool_that_exists(
    browser_context: BrowserContext, page: Page, server, demo
):
    sign_in(browser_context, server, User.objects.get(username="lea.4eb"))
    page.goto("/dashboard/")
    bar = page.get_by_role("navigation", name="Menu principal")
    entries = registry.ordered_nav()
    assert {e.key for e in entries} >= {"pad", "drive"}
    for entry in entries:
        with translation.override("fr"):
            label = str(entry.label)
        bar.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(reverse(entry.url_name)) + "$"))
        expect(bar.get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "page"
        )


def test_pupil_goes_from_the_class_page_to_its_folder_homework_box_and_pad(
    browser_context: BrowserContext, page: Page, server, demo
):
    sign_in(browser_context, server, User.objects.get(username="lea.4eb"))
    page.goto("/dashboard/")
    open_class_page(page)
    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)
    hub = page.locator(".class-hub")
    expect(hub.get_by_role("link", name="Nouvelle boîte de dépôt")).to_have_count(0)

    hub.get_by_role("link", name="Dossier de la classe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CLASS)
    expect(page.get_by_role("link", name="Consignes du devoir 1.txt")).to_have_count(0)
    page.get_by_role("link", name="Cours", exact=True).click()
    expect(page.get_by_role("link", name="Consignes du devoir 1.txt")).to_be_visible()

    open_class_page(page)
    page.locator(".class-hub").get_by_role("link", name="Devoir 1 — Frise chronologique").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de dépôt")
    # Her own work, and where to hand in more.
    expect(page.get_by_role("link", name="frise-lea.txt")).to_be_visible()
    expect(page.locator("label", has_text="Envoyer des fichiers")).to_be_visible()

    open_class_page(page)
    page.locator(".class-hub").get_by_role("link", name=re.compile("^Notes de cours")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Notes de cours — {CLASS}")


def test_teacher_creates_a_homework_box_from_the_class_page(
    browser_context: BrowserContext, page: Page, server, demo
):
    sign_in(
        browser_context,
        server,
        User.objects.get(email="claire.martin@college-jean-moulin.ac-lyon.fr"),
    )
    page.goto("/dashboard/")
    open_class_page(page)
    hub = page.locator(".class-hub")
    expect(hub.get_by_text("Boîte de dépôt : 1 fichier rendu")).to_be_visible()
    hub.get_by_role("link", name="Nouvelle boîte de dépôt").click()
    page.get_by_label("Nom", exact=True).fill("Devoir 2 — Carte mentale")
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devoir 2 — Carte mentale")
    expect(page.get_by_role("status")).to_contain_text("les élèves peuvent y rendre")
    open_class_page(page)
    expect(
        page.locator(".class-hub").get_by_role("link", name="Devoir 2 — Carte mentale")
    ).to_be_visible()
