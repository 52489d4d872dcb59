"""The class page is the class's hub: it shows what each tool's registered section gives."""

import pytest

from cartable.core.registry import ClassSection, SectionContent, SectionLink, registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections(monkeypatch):
    """Only these sections, whatever the installed tools registered."""
    calls = []

    def chalkboard(user, group):
        calls.append((user, group))
        items = [SectionLink("Le tableau de la 4e B", "/chalkboard/4eb", meta="mis à jour hier")]
        actions = (
            [SectionLink("Nouveau tableau", "/chalkboard/new")] if user.is_staff_member else []
        )
        return SectionContent(items, actions)

    def nothing(user, group):
        return None

    def empty(user, group):
        return SectionContent([], [], empty="Rien pour l'instant.")

    monkeypatch.setattr(
        registry,
        "class_sections",
        {
            "chalkboard": ClassSection("chalkboard", "Tableau", chalkboard, order=2),
            "nothing": ClassSection("nothing", "Jamais montré", nothing, order=1),
            "empty": ClassSection("empty", "Vide", empty, order=3),
        },
    )
    return calls


def test_class_page_shows_each_section_for_the_person(client, teacher, student, klass, sections):
    client.force_login(student)
    html = client.get(klass.get_absolute_url()).content.decode()
    assert 'href="/chalkboard/4eb"' in html and "mis à jour hier" in html
    assert "Nouveau tableau" not in html
    assert "Jamais montré" not in html
    assert html.index("Tableau") < html.index("Vide") and "Rien pour l&#x27;instant." in html
    assert sections == [(student, klass)]
    client.force_login(teacher)
    assert 'href="/chalkboard/new"' in client.get(klass.get_absolute_url()).content.decode()


def test_sections_are_not_asked_for_someone_outside_the_class(
    client, other_teacher, klass, sections
):
    client.force_login(other_teacher)
    assert client.get(klass.get_absolute_url()).status_code == 404
    assert sections == []


def test_class_page_of_the_installed_tools_leads_to_their_spaces(client, student, klass):
    client.force_login(student)
    html = client.get(klass.get_absolute_url()).content.decode()
    for section in registry.ordered_class_sections():
        assert f'id="hub-{section.key}"' in html
