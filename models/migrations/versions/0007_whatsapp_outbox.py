"""whatsapp: the platform's message id and the template used, on outbox rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform_message_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("template", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_platform_message_id"), ["platform_message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_platform_message_id"))
        batch_op.drop_column("template")
        batch_op.drop_column("platform_message_id")
