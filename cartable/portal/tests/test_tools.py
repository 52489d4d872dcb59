"""The portal shows the tools that exist, and only those: the top bar, the home page and the
guide read the registries, and grow by themselves when a tool registers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cartable.core.registry import NavEntry, Tool, registry
from cartable.portal import content

ABSENT = ("Visio", "Forum", "Blog")


@pytest.fixture
def forum_installed(monkeypatch):
    """A fifth tool, as if its app had registered (its pages are the guide's, for a URL)."""
    monkeypatch.setitem(
        registry.tools,
        "forum",
        Tool("forum", "Forum", "Discuss by topic.", "portal:guide", "pad/tool.svg", order=60),
    )
    monkeypatch.setitem(
        registry.nav,
        "forum",
        NavEntry("forum", "Forum", "portal:guide", namespaces=("nothing",), order=60),
    )


def nav(html: str) -> str:
    return re.search(r'<nav aria-label="[^"]*" class="main-nav">(.*?)</nav>', html, re.S).group(1)


def test_top_bar_has_an_entry_for_each_tool(client, teacher):
    client.force_login(teacher)
    bar = nav(client.get(reverse("portal:dashboard")).content.decode())
    for entry in registry.ordered_nav():
        assert f'href="{reverse(entry.url_name)}"' in bar
    assert "/visio/" not in bar and "/forum/" not in bar


def test_top_bar_marks_the_tool_of_the_page(client, teacher):
    client.force_login(teacher)
    bar = nav(client.get(reverse("drive:home")).content.decode())
    assert '<a href="/drive/" aria-current="page">' in bar
    assert '<a href="/pad/" aria-current' not in bar
    bar = nav(client.get(reverse("drive:recent")).content.decode())
    assert '<a href="/drive/" aria-current="true">' in bar


def test_students_see_the_tools_too(client, student):
    client.force_login(student)
    bar = nav(client.get(reverse("portal:dashboard")).content.decode())
    assert 'href="/pad/"' in bar and 'href="/drive/"' in bar


def test_visitors_see_no_tool_entry(client, db):
    bar = nav(client.get(reverse("portal:home")).content.decode())
    assert 'href="/pad/"' not in bar and 'href="/drive/"' not in bar


def test_top_bar_grows_when_a_tool_registers(client, teacher, forum_installed):
    client.force_login(teacher)
    assert ">Forum</a>" in nav(client.get(reverse("portal:dashboard")).content.decode())


def test_home_page_lists_the_tools_that_exist_and_no_other(client, db):
    html = client.get(reverse("portal:home")).content.decode()
    for tool in registry.ordered_tools():
        assert f'href="{reverse(tool.url_name)}"' in html
        assert str(tool.name) in html
    for name in ABSENT:
        assert name not in html
    assert "forums" not in html.lower() and "visioconférence" not in html.lower()


def test_home_page_grows_when_a_tool_registers(client, db, forum_installed):
    assert "Discuss by topic." in client.get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_guide_does_not_promise_tools_that_do_not_exist(client, language):
    client.cookies["django_language"] = language
    for page in content.pages("guide", language):
        html = client.get(reverse("portal:guide_page", args=[page.slug])).content.decode()
        for name in ABSENT:
            assert f"<strong>{name}</strong>" not in html, (page.slug, name)
        assert "{tool" not in html, page.slug
    choosing = client.get(reverse("portal:guide_page", args=["choosing-a-tool"])).content.decode()
    assert "<strong>Pad</strong>" in choosing and "<strong>Drive</strong>" in choosing
    assert "<strong>Tube</strong>" in choosing and "Visio" not in choosing


def test_the_guide_grows_when_a_tool_registers(client, forum_installed):
    choosing = client.get(reverse("portal:guide_page", args=["choosing-a-tool"])).content.decode()
    assert "<td><strong>Forum</strong></td>" in choosing
    # A line that needs two tools waits for both.
    assert "Vie de l'établissement" not in choosing


def test_a_marker_keeps_a_line_for_all_the_tools_it_names_or_any_of_its_alternatives():
    text = "a\nb {tool: pad}\nc {tool: pad, visio}\nd {tool: visio | drive}\ne {tools:forum}\n"
    assert content.only_installed(text, frozenset({"pad", "drive"})) == "a\nb\nd\n"
    assert content.only_installed(text, frozenset()) == "a\n"
