"""Search over stems made in Python, the same on PostgreSQL and SQLite; typo tolerance; the
default vocabulary for existing communities.

- Every post's ``search_title``/``search_body`` is filled with its stems (market/text.py), and
  ``market_postterm`` (the inverted index search reads) with one row per stem.
- The database's own full-text index is no longer read: PostgreSQL's ``search_vector``
  (English stemmer) and SQLite's FTS5 table (porter stemmer) stemmed differently from each
  other; both go.
- PostgreSQL: pg_trgm is enabled and indexes the words of ``market_searchword`` for similarity
  look-ups. SQLite: ``market_searchword_trigram`` holds each word's trigrams, counted as
  pg_trgm counts them, for the same look-ups.
"""

import json
from pathlib import Path

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

PG_FORWARD = [
    "DROP INDEX IF EXISTS market_post_search",
    "ALTER TABLE market_post DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX market_searchword_trgm ON market_searchword USING gin (word gin_trgm_ops)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS market_searchword_trgm",
    """ALTER TABLE market_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
    ) STORED""",
    "CREATE INDEX market_post_search ON market_post USING gin (search_vector)",
]

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS market_post_fts_insert",
    "DROP TRIGGER IF EXISTS market_post_fts_update",
    "DROP TRIGGER IF EXISTS market_post_fts_delete",
    "DROP TABLE IF EXISTS market_post_fts",
    # No foreign key: a community's rows are replaced with its words (classifier.train), and
    # SQLite never reuses the ids of deleted words.
    """CREATE TABLE market_searchword_trigram (
        community_id integer NOT NULL, trigram varchar(3) NOT NULL, word_id integer NOT NULL)""",
    "CREATE INDEX market_searchword_trigram_lookup ON market_searchword_trigram (community_id, trigram)",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS market_searchword_trigram",
    "CREATE VIRTUAL TABLE market_post_fts USING fts5(title, description, tokenize='porter unicode61')",
    "INSERT INTO market_post_fts(rowid, title, description) SELECT id, title, description FROM market_post",
    """CREATE TRIGGER market_post_fts_insert AFTER INSERT ON market_post BEGIN
        INSERT INTO market_post_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
    END""",
    """CREATE TRIGGER market_post_fts_update AFTER UPDATE OF title, description ON market_post BEGIN
        UPDATE market_post_fts SET title = new.title, description = new.description WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER market_post_fts_delete AFTER DELETE ON market_post BEGIN
        DELETE FROM market_post_fts WHERE rowid = old.id;
    END""",
]


class TrigramExtensionOnPostgres(TrigramExtension):
    """Django's operation, also harmless when reversed on SQLite."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


def index_posts(apps, schema_editor):
    from coproduce.market.text import indexed

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, community_id, created_at, title, description FROM market_post ORDER BY id")
        rows = cursor.fetchall()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            batch = [(pk, community_id, created_at, indexed(title), indexed(description))
                     for pk, community_id, created_at, title, description in rows[start:start + 5000]]
            cursor.executemany("UPDATE market_post SET search_title = %s, search_body = %s WHERE id = %s",
                               [(title, body, pk) for pk, _c, _t, title, body in batch])
            cursor.executemany(
                "INSERT INTO market_postterm (community_id, post_id, stem, created_at) VALUES (%s, %s, %s, %s)",
                [(community_id, pk, stem, created_at) for pk, community_id, created_at, title, body in batch
                 for stem in dict.fromkeys(f"{title} {body}".split())])


def install_vocabulary(apps, schema_editor):
    """The shipped words for each community's categories of the default taxonomy."""
    from coproduce.market.text import is_stop_word, stem

    Community = apps.get_model("communities", "Community")
    Category = apps.get_model("communities", "Category")
    ConceptWord = apps.get_model("market", "ConceptWord")
    data = json.loads((Path(__file__).parents[1] / "data" / "concepts.en.json").read_text())
    for community in Community.objects.all():
        rows = []
        for category in Category.objects.filter(community=community, parent__isnull=False):
            words = [w for w in data.get(category.name, []) if not is_stop_word(w)]
            rows += [ConceptWord(community=community, category=category, word=w, stem=stem(w))
                     for w in dict.fromkeys(words)]
        ConceptWord.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("market", "0005_text_search")]

    operations = [
        TrigramExtensionOnPostgres(),  # PostgreSQL only; nothing on SQLite
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.RunPython(index_posts, migrations.RunPython.noop),
        migrations.RunPython(install_vocabulary, migrations.RunPython.noop),
    ]
