"""The shared full-text index: FTS5 on SQLite, tsvector + GIN on PostgreSQL, same answers."""

from __future__ import annotations

import pytest
from django.db import connection

from cartable.core import search
from cartable.core.models import SearchDocument
from cartable.core.registry import registry
from cartable.core.search import IndexedProvider

pytestmark = pytest.mark.django_db


class NotesProvider(IndexedProvider):
    """A provider for the tests: a user sees the notes whose key is in ``allowed[user]``."""

    key = "testnotes"
    label = "Notes"
    kind = "note"

    def __init__(self) -> None:
        self.allowed: dict[object, set[str]] = {}

    def visible_keys(self, user, keys):
        return set(keys) & self.allowed.get(user, set(keys))


@pytest.fixture
def notes():
    provider = NotesProvider()
    registry.add_search(provider)
    yield provider
    registry.search.pop(provider.key, None)


def titles(user, query, **kwargs):
    found = search.search(user, query, providers=["testnotes"], **kwargs)
    return sorted(r.title for r in found.get("testnotes", []))


def test_indexed_document_is_found_by_a_word_of_its_body(notes, teacher):
    notes.index(1, title="Photosynthèse", body="La chlorophylle capte la lumière", url="/n/1")
    notes.index(2, title="Volcans", body="Le magma remonte", url="/n/2")

    assert titles(teacher, "chlorophylle") == ["Photosynthèse"]
    assert titles(teacher, "magma") == ["Volcans"]
    assert titles(teacher, "absent") == []


def test_words_match_as_prefixes_and_all_words_must_match(notes, teacher):
    notes.index(1, title="Révolution française", body="1789, la Bastille", url="/n/1")
    notes.index(2, title="Révolution industrielle", body="machine à vapeur", url="/n/2")

    assert titles(teacher, "révol") == ["Révolution française", "Révolution industrielle"]
    assert titles(teacher, "révol bast") == ["Révolution française"]
    assert titles(teacher, "1789") == ["Révolution française"]


def test_accents_and_case_are_ignored_both_ways(notes, teacher):
    notes.index(1, title="L'élève à l'école", body="Une leçon NAÏVE", url="/n/1")
    notes.index(2, title="Eleve sans accent", body="", url="/n/2")

    assert titles(teacher, "eleve") == ["Eleve sans accent", "L'élève à l'école"]
    assert titles(teacher, "ÉLÈVE") == ["Eleve sans accent", "L'élève à l'école"]
    assert titles(teacher, "ecole lecon naive") == ["L'élève à l'école"]


def test_results_are_filtered_by_visible_keys(notes, teacher, other_teacher):
    notes.index("a", title="Sortie scolaire au musée", url="/n/a")
    notes.index("b", title="Sortie scolaire au zoo", url="/n/b")
    notes.allowed = {teacher: {"a", "b"}, other_teacher: {"b"}}

    assert titles(teacher, "sortie") == ["Sortie scolaire au musée", "Sortie scolaire au zoo"]
    assert titles(other_teacher, "sortie") == ["Sortie scolaire au zoo"]


def test_hidden_hits_do_not_crowd_out_visible_ones(notes, teacher):
    for i in range(30):
        notes.index(f"hidden{i}", title=f"Devoir {i}", url=f"/n/h{i}")
    notes.index("mine", title="Devoir à rendre", url="/n/mine")
    notes.allowed = {teacher: {"mine"}}

    assert titles(teacher, "devoir", limit=3) == ["Devoir à rendre"]


@pytest.mark.parametrize(
    "query",
    [
        '"a" OR b*',
        "NEAR(",
        "NEAR(a b, 2)",
        "title:photo",
        "photo -x",
        "a & b | !c <-> d:*",
        "'; DROP TABLE core_searchdocument; --",
        "(((",
        '"',
        "*",
        "foo_bar",
        "\\",
    ],
)
def test_query_syntax_of_either_index_is_inert(notes, teacher, query):
    notes.index(1, title="Photo de classe", body="a b c d foo bar x", url="/n/1")

    found = titles(teacher, query)

    assert found in ([], ["Photo de classe"])
    assert SearchDocument.objects.count() == 1


def test_query_of_only_punctuation_finds_nothing(notes, teacher):
    notes.index(1, title="Photo de classe", url="/n/1")

    assert search.search(teacher, " ?! ... ") == {}


def test_reindexing_replaces_the_text(notes, teacher):
    notes.index(1, title="Brouillon", body="ancien texte", url="/n/1")
    notes.index(1, title="Version finale", body="nouveau contenu", url="/n/1")

    assert titles(teacher, "ancien") == []
    assert titles(teacher, "brouillon") == []
    assert titles(teacher, "nouveau") == ["Version finale"]
    assert SearchDocument.objects.filter(provider="testnotes").count() == 1


def test_unindexed_document_is_no_longer_found(notes, teacher):
    notes.index(1, title="Conseil de classe", url="/n/1")
    notes.index(2, title="Conseil pédagogique", url="/n/2")

    notes.unindex([1])

    assert titles(teacher, "conseil") == ["Conseil pédagogique"]


def test_providers_do_not_see_each_others_documents(notes, teacher):
    other = NotesProvider()
    other.key = "othernotes"
    registry.add_search(other)
    try:
        other.index(1, title="Cahier de textes", url="/o/1")
        notes.index(1, title="Cahier d'exercices", url="/n/1")

        assert titles(teacher, "cahier") == ["Cahier d'exercices"]
        found = search.search(teacher, "cahier")
        assert [r.title for r in found["othernotes"]] == ["Cahier de textes"]
    finally:
        registry.search.pop("othernotes", None)


def test_excerpt_marks_the_words_and_escapes_the_text(notes, teacher):
    notes.index(1, title="Balise", body="Le <script> est échappé, la leçon reste.", url="/n/1")

    [result] = search.search(teacher, "leçon", providers=["testnotes"])["testnotes"]

    assert "&lt;script&gt;" in result.excerpt
    assert "<mark>leçon</mark>" in result.excerpt


def test_text_after_an_html_tag_is_still_found(notes, teacher):
    notes.index(1, title="Cours NSI", body="La balise <script> charge un programme.", url="/n/1")

    assert titles(teacher, "programme") == ["Cours NSI"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_search_uses_the_gin_index(notes, teacher):
    SearchDocument.objects.bulk_create(
        SearchDocument(provider="testnotes", key=str(i), title=f"Document {i}", url=f"/n/{i}")
        for i in range(3000)
    )
    notes.index("rare", title="Un mot rarissime", url="/n/rare")
    sql, params = search.candidate_sql("testnotes", search.terms("rarissime"), 20)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_searchdocument")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "core_searchdocument_fts" in plan, plan
    assert titles(teacher, "rarissime") == ["Un mot rarissime"]
