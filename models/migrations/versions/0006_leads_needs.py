"""leads: needed-by date, answer and status times; needs and need requests (unmet demand)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("normalized", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("request_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
        sa.UniqueConstraint("normalized", name=op.f("uq_needs_normalized")),
    )
    op.create_table(
        "need_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("search_log_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"], ["needs.id"], name=op.f("fk_need_requests_need_id_needs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["search_log_id"],
            ["search_log.id"],
            name=op.f("fk_need_requests_search_log_id_search_log"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_need_requests_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_requests")),
        sa.UniqueConstraint("search_log_id", name=op.f("uq_need_requests_search_log_id")),
    )
    with op.batch_alter_table("need_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_requests_need_id"), ["need_id"], unique=False)

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("needed_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("answer", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("answer_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answer_note")
        batch_op.drop_column("answer")
        batch_op.drop_column("needed_by")

    with op.batch_alter_table("need_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_requests_need_id"))

    op.drop_table("need_requests")
    op.drop_table("needs")
