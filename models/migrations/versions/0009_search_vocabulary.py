"""search vocabulary kept by the database on PostgreSQL (the terms typo correction reads, with their counts)

PostgreSQL: a table `search_vocabulary(term, ndoc)`: every lexeme of `products.search_tsv` and in how many
products it occurs, as `ts_stat('SELECT search_tsv FROM products')` would say, but read in milliseconds
instead of a pass over every tsvector (~0.7 s at 100,000 products). Statement-level triggers on
`products` keep it (after INSERT, UPDATE, DELETE and TRUNCATE, whoever writes: the bot's forms, a cascade
from a deleted vendor; a rolled-back savepoint undoes it too). Each statement adds up its rows' lexemes first
(the transition tables), then writes the net change per term in one upsert, terms in sorted order, so two
one-statement writers lock the rows they share in the same order (a vendor's product edit is one); a term
whose count drops to 0 is deleted (the words of a deleted business leave the table at once). Like 0002's
objects the table is hand-made, outside the models (`models/migrations/filters.py`).

Bulk writers (the CSV import, `rebuild_index`) set `banggabeli.vocabulary = 'deferred'` for their
transaction and recount the table from the tsvectors before they commit: a trigger per row of a
100,000-row executemany would update the same hot terms (`metro`, ...) once per row in one transaction,
each update a new row version the next one walks past (quadratic; 10,000 rows took minutes).

SQLite has the same thing already: `products_fts_vocab` (fts5vocab over the FTS5 index, which 0002's
triggers keep); a view gives it the same name and columns, so both databases answer
`SELECT term, ndoc FROM search_vocabulary`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each branch sums its rows' lexemes into (terms, counts), sorted by term; one upsert applies them.
_FUNCTION = """CREATE FUNCTION search_vocabulary_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        terms text[];
        counts integer[];
        gone text[];
    BEGIN
        IF current_setting('banggabeli.vocabulary', true) = 'deferred' THEN
            RETURN NULL;  -- a bulk writer recounts the whole table before it commits
        ELSIF TG_OP = 'TRUNCATE' THEN
            DELETE FROM search_vocabulary;
            RETURN NULL;
        ELSIF TG_OP = 'INSERT' THEN
            SELECT array_agg(term ORDER BY term), array_agg(n ORDER BY term) INTO terms, counts FROM (
                SELECT t.term, count(*)::integer AS n
                FROM new_rows, unnest(tsvector_to_array(new_rows.search_tsv)) AS t(term) GROUP BY t.term
            ) d;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(term ORDER BY term), array_agg(n ORDER BY term) INTO terms, counts FROM (
                SELECT t.term, -count(*)::integer AS n
                FROM old_rows, unnest(tsvector_to_array(old_rows.search_tsv)) AS t(term) GROUP BY t.term
            ) d;
        ELSE  -- UPDATE: only rows whose text changed (a price edit adds nothing), new lexemes less old ones
            WITH changed AS (
                SELECT o.search_tsv AS old_tsv, n.search_tsv AS new_tsv
                FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE o.search_text IS DISTINCT FROM n.search_text
            )
            SELECT array_agg(term ORDER BY term), array_agg(n ORDER BY term) INTO terms, counts FROM (
                SELECT term, sum(n)::integer AS n FROM (
                    SELECT t.term, 1 AS n FROM changed, unnest(tsvector_to_array(changed.new_tsv)) AS t(term)
                    UNION ALL
                    SELECT t.term, -1 FROM changed, unnest(tsvector_to_array(changed.old_tsv)) AS t(term)
                ) c GROUP BY term HAVING sum(n) <> 0
            ) d;
        END IF;
        IF terms IS NULL THEN
            RETURN NULL;
        END IF;
        WITH upserted AS (
            INSERT INTO search_vocabulary AS v (term, ndoc)
            SELECT * FROM unnest(terms, counts)
            ON CONFLICT (term) DO UPDATE SET ndoc = v.ndoc + excluded.ndoc
            RETURNING v.term, v.ndoc
        )
        SELECT array_agg(term) INTO gone FROM upserted WHERE ndoc <= 0;
        IF gone IS NOT NULL THEN
            DELETE FROM search_vocabulary WHERE term = ANY (gone) AND ndoc <= 0;
        END IF;
        RETURN NULL;
    END
    $$"""
_TRIGGERS = (
    "CREATE TRIGGER products_vocabulary_ai AFTER INSERT ON products"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_vocabulary_follow()",
    "CREATE TRIGGER products_vocabulary_au AFTER UPDATE ON products"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION search_vocabulary_follow()",
    "CREATE TRIGGER products_vocabulary_ad AFTER DELETE ON products"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_vocabulary_follow()",
    "CREATE TRIGGER products_vocabulary_at AFTER TRUNCATE ON products"
    " FOR EACH STATEMENT EXECUTE FUNCTION search_vocabulary_follow()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIEW search_vocabulary AS SELECT term, doc AS ndoc FROM products_fts_vocab")
        return
    op.execute("CREATE TABLE search_vocabulary (term text PRIMARY KEY, ndoc integer NOT NULL)")
    op.execute(
        "INSERT INTO search_vocabulary (term, ndoc)"
        " SELECT word, ndoc FROM ts_stat('SELECT search_tsv FROM products') ORDER BY word"
    )
    op.execute(_FUNCTION)
    for statement in _TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP VIEW IF EXISTS search_vocabulary")
        return
    for event in ("at", "ad", "au", "ai"):
        op.execute(f"DROP TRIGGER IF EXISTS products_vocabulary_{event} ON products")
    op.execute("DROP FUNCTION IF EXISTS search_vocabulary_follow()")
    op.execute("DROP TABLE IF EXISTS search_vocabulary")
