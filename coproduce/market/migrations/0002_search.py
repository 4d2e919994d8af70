"""Full-text search for posts, per database.

PostgreSQL: a stored generated tsvector column (title weighted A, description B) with a
GIN index. The column is unknown to the ORM on purpose (SQLite has no such type);
market/queries.py reads it with RawSQL.

SQLite: an FTS5 table (porter stemming, so "gardening" finds "garden" like PostgreSQL's
English stemmer) kept in sync by triggers, so bulk inserts stay searchable too.
"""

from django.db import migrations

PG_FORWARD = [
    """ALTER TABLE market_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
    ) STORED""",
    "CREATE INDEX market_post_search ON market_post USING gin (search_vector)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS market_post_search", "ALTER TABLE market_post DROP COLUMN IF EXISTS search_vector"]

SQLITE_FORWARD = [
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
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS market_post_fts_insert",
    "DROP TRIGGER IF EXISTS market_post_fts_update",
    "DROP TRIGGER IF EXISTS market_post_fts_delete",
    "DROP TABLE IF EXISTS market_post_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("market", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
