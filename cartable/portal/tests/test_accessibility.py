"""axe-core on the main pages: no violation of impact "serious" or "critical" (RGAA / WCAG 2.1 AA).

axe cannot judge everything (reading order, wording, what a screen reader says): these tests are
a floor, not a certificate.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cartable.accounts.actions import create_invitation
from cartable.core.notifications import notify
from cartable.testing.browser import axe_violations, format_violations, sign_in

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "home": "/",
    "sign-in": "/accounts/login/",
    "sign-in-code": "/accounts/login/code/",
    "sign-up": "/accounts/signup/",
    "join": "/join/",
    "guide": "/guide/",
    "guide-page": "/guide/passwords/",
    "accessibility-statement": "/legal/accessibility/",
}
TEACHER_PAGES = {
    "dashboard": "/dashboard/",
    "classes": "/groups/",
    "class": None,  # the class of the fixtures, known once created
    "profile": "/me/profile/",
    "security": "/me/security/",
    "notifications": "/notifications/",
    "search": "/search/?q=4e",
    "contributions": "/contributions/",
    "my-data": "/me/data/",
}


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    if violations:
        pytest.fail(format_violations(page.url, violations), pytrace=False)


def assert_pages_accessible(page: Page, paths: list[str]) -> None:
    """Checks every page before failing, so that one run lists all the problems."""
    reports = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, path
        violations = axe_violations(page)
        if violations:
            reports.append(format_violations(page.url, violations))
    if reports:
        pytest.fail("\n\n".join(reports), pytrace=False)


def test_public_pages_have_no_serious_accessibility_violation(page: Page, db):
    assert_pages_accessible(page, list(PUBLIC_PAGES.values()))


def test_teacher_pages_have_no_serious_accessibility_violation(
    browser_context: BrowserContext, page: Page, server, teacher, klass, student
):
    create_invitation(klass, by=teacher)
    notify(teacher, "group.join", "Léa a rejoint 4e B", url=klass.get_absolute_url())
    sign_in(browser_context, server, teacher)
    assert_pages_accessible(
        page, [path or klass.get_absolute_url() for path in TEACHER_PAGES.values()]
    )


def test_student_join_form_has_no_serious_accessibility_violation(page: Page, klass, teacher):
    invitation = create_invitation(klass, by=teacher)
    page.goto(invitation.get_absolute_url())
    page.get_by_label("Votre prénom").fill("Inès")
    page.get_by_label(re.compile("Choisissez un nom d.utilisateur")).fill("ines")
    page.get_by_label("Choisissez un mot de passe").fill("cerf-volant du mardi")
    page.get_by_label("Saisissez à nouveau le mot de passe").fill("cerf-volant du jeudi")
    page.get_by_role("button", name="Créer mon compte et rejoindre la classe").click()
    expect(page.get_by_label("Saisissez à nouveau le mot de passe")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(page)


def test_sign_up_with_errors_has_no_serious_accessibility_violation(page: Page, db):
    page.goto("/accounts/signup/")
    page.get_by_label("Courriel").fill("someone@gmail.com")
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_label("Courriel")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_class_page_reflows_at_320_pixels_without_serious_accessibility_violation(
    browser_context: BrowserContext, page: Page, server, teacher, klass, student
):
    create_invitation(klass, by=teacher)
    sign_in(browser_context, server, teacher)
    # 320 CSS pixels: WCAG's reflow width (a 1280-pixel screen zoomed to 400 %).
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(klass.get_absolute_url())
    assert_accessible(page)
    # Nothing wider than the screen: the page itself never scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_skip_link_is_the_first_tab_stop_and_leads_to_the_content(page: Page, db):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
