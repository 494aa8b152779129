"""search index over products.search_text

SQLite: an external-content FTS5 table `products_fts` (tokenizer `unicode61 remove_diacritics 2`) kept in
sync by triggers, plus `products_fts_vocab` (fts5vocab, 'row') that the typo corrector reads.
PostgreSQL: a generated `tsvector('simple', search_text)` column with a GIN index.

`search_text` is already normalised and stemmed in Python (bot/services/search/text.py), so neither
engine stems or folds anything itself.

Careful in later migrations: alembic batch mode on SQLite rebuilds `products` and DROPS these triggers.
A migration that batch-alters `products` must re-create them (copy `_SQLITE_TRIGGERS`) and then run
`INSERT INTO products_fts(products_fts) VALUES('rebuild')`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TABLES = (
    """CREATE VIRTUAL TABLE products_fts USING fts5(
        search_text, content='products', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    "CREATE VIRTUAL TABLE products_fts_vocab USING fts5vocab('products_fts', 'row')",
)
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
        INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
        INSERT INTO products_fts(products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER products_fts_au AFTER UPDATE OF search_text ON products BEGIN
        INSERT INTO products_fts(products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in (*_SQLITE_TABLES, *_SQLITE_TRIGGERS):
            op.execute(statement)
        op.execute("INSERT INTO products_fts(products_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE products ADD COLUMN search_tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
        )
        op.execute("CREATE INDEX ix_products_search_tsv ON products USING gin (search_tsv)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("products_fts_au", "products_fts_ad", "products_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS products_fts_vocab")
        op.execute("DROP TABLE IF EXISTS products_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_products_search_tsv")
        op.execute("ALTER TABLE products DROP COLUMN IF EXISTS search_tsv")
