"""broadcasts and events: opt-out, audiences, RSVP switch, reminders as outbox rows

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announcements", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience_arg", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("photo_ref", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("total", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("opted_out", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", sa.String(length=16), server_default="all", nullable=False))
        batch_op.add_column(sa.Column("rsvp", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_event_id"), ["event_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_dedupe_key"), ["dedupe_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_event_id_events"), "events", ["event_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_event_id_events"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_outbox_dedupe_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_outbox_event_id"))
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("event_id")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("rsvp")
        batch_op.drop_column("audience")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("finished_at")
        batch_op.drop_column("opted_out")
        batch_op.drop_column("total")
        batch_op.drop_column("photo_ref")
        batch_op.drop_column("audience_arg")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("announcements")
