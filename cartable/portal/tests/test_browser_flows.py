"""The first steps of a teacher and of a student, in Chromium, the way they would take them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from cartable.accounts.actions import create_invitation
from cartable.accounts.models import User
from cartable.testing.browser import new_context, sign_in

pytestmark = pytest.mark.browser


def _code_from_last_mail(to: str) -> str:
    message = mail.outbox[-1]
    assert message.to == [to]
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_teacher_signs_up_with_emailed_code_and_creates_a_class(page: Page, school):
    page.goto("/")
    page.get_by_role("link", name="Créer mon compte professionnel").click()
    page.get_by_label("Courriel").fill("nadia.roux@jean-moulin.ac-lyon.fr")
    page.get_by_role("main").get_by_role("button").click()

    code = _code_from_last_mail("nadia.roux@jean-moulin.ac-lyon.fr")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirmer").click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    assert User.objects.get(email="nadia.roux@jean-moulin.ac-lyon.fr").structure == school

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Classes"
    ).click()
    page.get_by_label("Nom", exact=False).first.fill("5e A — Sciences")
    page.get_by_role("button", name="Créer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("5e A — Sciences")
    expect(page.get_by_role("status")).to_contain_text("Invitez vos élèves")
    page.get_by_role("button", name="Créer un code").click()
    code = page.locator("[data-invitation-code]").first
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$"))
    expect(page.get_by_role("status")).to_contain_text(code.inner_text())


def test_student_joins_with_the_link_and_appears_in_the_class(browser, server, page: Page, klass):
    teacher = klass.memberships.get().user
    invitation = create_invitation(klass, by=teacher)

    page.goto(invitation.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre 4e B")
    page.get_by_label("Votre prénom").fill("Inès")
    page.get_by_label(re.compile("Choisissez un nom d.utilisateur")).fill("ines.4eb")
    page.get_by_label("Choisissez un mot de passe").fill("cerf-volant du mardi")
    page.get_by_label("Saisissez à nouveau le mot de passe").fill("cerf-volant du mardi")
    page.get_by_role("button", name="Créer mon compte et rejoindre la classe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("4e B")
    expect(page.get_by_role("status")).to_contain_text("ines.4eb")

    teacher_context = new_context(browser, server)
    try:
        sign_in(teacher_context, server, teacher)
        teacher_page = teacher_context.new_page()
        teacher_page.goto(klass.get_absolute_url())
        members = teacher_page.get_by_role("table")
        expect(members.get_by_role("row", name=re.compile("Inès"))).to_contain_text("ines.4eb")
    finally:
        teacher_context.close()


def test_student_types_the_code(page: Page, klass):
    invitation = create_invitation(klass, by=klass.memberships.get().user)

    page.goto("/")
    page.get_by_role("link", name="Je suis élève : rejoindre ma classe").click()
    page.get_by_label("Code de classe").fill(invitation.code.lower())
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre 4e B")


def test_unknown_class_code_says_what_to_do(page: Page, db):
    page.goto("/join/")
    page.get_by_label("Code de classe").fill("NOPE1234")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("alert")).to_contain_text("Demandez-en un nouveau à votre enseignant")


def test_personal_address_is_refused_at_sign_up_with_a_clear_message(page: Page, db):
    page.goto("/accounts/signup/")
    email = page.get_by_label("Courriel")
    email.fill("someone@gmail.com")
    page.get_by_role("main").get_by_role("button").click()

    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("adresses professionnelles"))
    expect(page.get_by_text("rejoignent leur classe avec le code")).to_be_visible()
    assert not mail.outbox
    assert not User.objects.filter(email="someone@gmail.com").exists()


def test_language_switch_turns_the_page_to_english_and_back(page: Page, db):
    page.goto("/guide/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guide des bonnes pratiques")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/guide/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Guide of good practices")
    expect(page.get_by_role("link", name="Join a class")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guide des bonnes pratiques")
    expect(page.get_by_role("link", name="Rejoindre une classe")).to_be_visible()
