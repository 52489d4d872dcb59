"""Accent-insensitive search on PostgreSQL, as FTS5's remove_diacritics gives on SQLite.

``unaccent()`` is not immutable, so it cannot sit in an index expression; a text search
configuration that runs the ``unaccent`` dictionary before ``simple`` can, and keeps the GIN
index usable. The query in ``cartable.core.search`` repeats the index expression exactly. The ``unaccent`` extension is trusted (PostgreSQL 13+): a database owner may
create it. Going back leaves the extension in place, as other things may use it.
"""

from django.db import migrations

WORD_TOKENS = (
    "asciiword, word, numword, asciihword, hword, numhword, "
    "hword_asciipart, hword_part, hword_numpart"
)
# translate(): PostgreSQL's parser reads "<script>" as a tag and skips what follows it, up to
# "</script>"; a lesson on HTML must stay searchable, as it is with FTS5.
INDEX = (
    "CREATE INDEX core_searchdocument_fts ON core_searchdocument "
    "USING GIN (to_tsvector('cartable_search'::regconfig, translate(title || ' ' || body, '<>', '  ')))"
)
OLD_INDEX = (
    "CREATE INDEX core_searchdocument_fts ON core_searchdocument "
    "USING GIN (to_tsvector('simple', title || ' ' || body))"
)
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION cartable_search (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION cartable_search ALTER MAPPING FOR {WORD_TOKENS} "
    "WITH unaccent, simple",
    "DROP INDEX IF EXISTS core_searchdocument_fts",
    INDEX,
]
BACKWARD = [
    "DROP INDEX IF EXISTS core_searchdocument_fts",
    OLD_INDEX,
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS cartable_search",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
