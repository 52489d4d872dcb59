"""The guide of good practices and the legal pages, shipped as Markdown, and the guide search."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.html import escape

from cartable.core.registry import registry
from cartable.portal import content
from cartable.portal.platform import GuideSearch, fold

GUIDE_SLUGS = {
    "accessible-documents",
    "choosing-a-tool",
    "image-rights",
    "netiquette",
    "online-class",
    "passwords",
    "personal-data",
    "screen-time",
    "security-basics",
}
LEGAL_SLUGS = {"privacy", "terms", "accessibility"}
LANGUAGES = ("fr", "en")


def _in_english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", sorted(GUIDE_SLUGS))
def test_every_guide_page_exists_in_both_languages_with_a_title_and_a_summary(slug, language):
    page = content.page("guide", slug, language)
    assert page is not None
    assert page.language == language, "the page fell back to the other language"
    assert page.title and page.title != slug
    assert page.summary
    assert "<h1" not in page.html, "the template prints the title as the only h1"


@pytest.mark.parametrize("section", ["guide", "legal"])
def test_both_languages_ship_the_same_pages_in_the_same_order(section):
    french = [(p.slug, p.order) for p in content.pages(section, "fr")]
    english = [(p.slug, p.order) for p in content.pages(section, "en")]
    assert french == english
    assert {slug for slug, _order in french} == (GUIDE_SLUGS if section == "guide" else LEGAL_SLUGS)


def test_guide_index_lists_every_page(client):
    response = client.get(reverse("portal:guide"))
    assert response.status_code == 200
    html = response.content.decode()
    for page in content.pages("guide", "fr"):
        assert reverse("portal:guide_page", args=[page.slug]) in html
        assert escape(page.title) in html


def test_guide_index_lists_english_titles_for_an_english_reader(client):
    html = _in_english(client).get(reverse("portal:guide")).content.decode()
    for page in content.pages("guide", "en"):
        assert escape(page.title) in html


def test_guide_page_renders_in_french_by_default(client):
    response = client.get(reverse("portal:guide_page", args=["passwords"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(content.page("guide", "passwords", "fr").title) in html
    assert 'lang="fr"' in html
    assert "phrase de passe" in html


def test_guide_page_renders_in_english_with_the_language_cookie(client):
    response = _in_english(client).get(reverse("portal:guide_page", args=["passwords"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(content.page("guide", "passwords", "en").title) in html
    assert 'lang="en"' in html
    assert "passphrase" in html


def test_unknown_guide_page_is_not_found(client):
    assert client.get(reverse("portal:guide_page", args=["no-such-page"])).status_code == 404


def test_unknown_legal_page_is_not_found(client):
    assert client.get(reverse("portal:legal", args=["cookies"])).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", sorted(LEGAL_SLUGS))
def test_legal_page_renders_in_both_languages(client, slug, language):
    if language == "en":
        _in_english(client)
    response = client.get(reverse("portal:legal", args=[slug]))
    assert response.status_code == 200
    page = content.page("legal", slug, language)
    assert page is not None and page.language == language
    html = response.content.decode()
    assert escape(page.title) in html
    assert f'lang="{language}"' in html


@pytest.mark.parametrize(("language", "unit"), [("fr", "jours"), ("en", "days")], ids=["fr", "en"])
def test_privacy_notice_states_the_default_retention_periods(client, language, unit):
    # The defaults of settings.py (deletion grace, exports, read notifications, audit log)
    # and of the tools (untouched pads, Drive trash).
    if language == "en":
        _in_english(client)
    html = client.get(reverse("portal:legal", args=["privacy"])).content.decode()
    for days in (30, 7, 180, 365):
        assert f"{days} {unit}" in html
    assert "/me/data/" in html


def test_fold_drops_accents_case_and_ligatures():
    assert fold("Données PERSONNELLES") == "donnees personnelles"
    assert fold("Œuvre") == "oeuvre"


def test_guide_search_is_registered():
    assert isinstance(registry.search["guide"], GuideSearch)


def test_guide_search_finds_an_accented_word_typed_without_its_accent(guest):
    with translation.override("fr"):
        results = GuideSearch().search(guest, "donnees", 20)
    urls = [r.url for r in results]
    assert reverse("portal:guide_page", args=["personal-data"]) in urls
    assert all(r.provider == "guide" for r in results)
    assert any("<mark>données</mark>" in r.excerpt.lower() for r in results)


def test_guide_search_needs_every_word(guest):
    with translation.override("fr"):
        assert GuideSearch().search(guest, "hameçonnage", 20)
        assert GuideSearch().search(guest, "hameconnage xylophonique", 20) == []


def test_guide_search_ranks_the_page_about_the_words_first(guest):
    with translation.override("fr"):
        results = GuideSearch().search(guest, "mot de passe", 20)
    assert results[0].url == reverse("portal:guide_page", args=["passwords"])


def test_guide_search_reads_the_pages_of_the_current_language(guest):
    with translation.override("en"):
        results = GuideSearch().search(guest, "passphrase", 20)
    assert results
    assert results[0].title == content.page("guide", "passwords", "en").title


def test_guide_search_respects_the_limit(guest):
    with translation.override("fr"):
        assert len(GuideSearch().search(guest, "les", 3)) == 3


def test_teacher_finds_a_guide_page_through_the_portal_search(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("portal:search"), {"q": "donnees personnelles"})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("portal:guide_page", args=["personal-data"]) in html
    assert escape(content.page("guide", "personal-data", "fr").title) in html


def test_student_finds_guide_pages_too(client, student):
    client.force_login(student)
    response = client.get(reverse("portal:search"), {"q": "cyberharcelement"})
    assert reverse("portal:guide_page", args=["netiquette"]) in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("section", ["guide", "legal"])
def test_links_between_pages_lead_somewhere(section, language):
    for page in content.pages(section, language):
        for href in re.findall(r'href="(/[^"]*)"', page.html):
            resolve(href)  # raises Resolver404 for a dead link
