"""app_state: facts the application keeps about its own data (the search index's fingerprint)

The stored search texts (`products.search_text`, `vendors.search_text`) are built from the word lists in
`bot/services/search/data/`, the region file and the index format. When any of them changes, texts written
before no longer match what questions are turned into; the app compares the fingerprint kept here with the
current one at start-up and rebuilds the texts when they differ (`bot.services.search.index.reindex_if_stale`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_state")),
    )


def downgrade() -> None:
    op.drop_table("app_state")
