"""the PostgreSQL full-text index keeps at most 64 kB of pending entries (GIN gin_pending_list_limit)

PostgreSQL's GIN index (0002's `ix_products_search_tsv`) queues new entries in a *pending list* that every
search reads in full, row by row, until a vacuum, an analyze by autovacuum, or 4 MB of backlog (the default
limit) merges it into the index. A catalog is written rarely and searched on every question, and its edits
seldom reach autovacuum's thresholds (10-20% of the rows), so the list only grows: after a 100,000-product
rebuild it held 263 pages that each search scanned (~160 buffers more per question; a one-word index scan
~1 ms -> ~5 ms). With a 64 kB limit (8 pages) the writer that fills it merges it: searches never read more
than that, and writes are still merged in batches (rewriting the text of 100,000 products, under load:
17-19 s with 4 MB, 30-34 s with 64 kB, 48-52 s with `fastupdate = off`, which would insert each row's
~60 terms one by one). The upgrade also merges what is pending now. SQLite: nothing to do (FTS5).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
DIALECTS = ("postgresql",)  # SQLite's FTS5 has nothing like it (tests/test_migrations.py)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_products_search_tsv SET (gin_pending_list_limit = 64)")
    op.execute("SELECT gin_clean_pending_list('ix_products_search_tsv'::regclass)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_products_search_tsv RESET (gin_pending_list_limit)")
