"""one person on two channels (verified phones, identity links); every part of a sent outbox row; kept pictures

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_phone", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_identities_verified_phone"), ["verified_phone"], unique=False)
    op.create_table(
        "identity_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("first_identity_id", sa.Integer(), nullable=False),
        sa.Column("second_identity_id", sa.Integer(), nullable=False),
        sa.Column("first_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("second_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_identity_id"],
            ["identities.id"],
            name=op.f("fk_identity_links_first_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_identity_id"],
            ["identities.id"],
            name=op.f("fk_identity_links_second_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_links")),
    )
    op.create_index(op.f("ix_identity_links_first_identity_id"), "identity_links", ["first_identity_id"])
    op.create_index(op.f("ix_identity_links_second_identity_id"), "identity_links", ["second_identity_id"])
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "outbox_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("platform_message_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_parts_outbox_id_outbox"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_parts")),
        sa.UniqueConstraint("platform_message_id", name=op.f("uq_outbox_parts_platform_message_id")),
    )
    op.create_index(op.f("ix_outbox_parts_outbox_id"), "outbox_parts", ["outbox_id"])
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("whatsapp_media_id", sa.String(length=128), nullable=True),
        sa.Column("whatsapp_uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("sha256", name=op.f("uq_media_sha256")),
    )


def downgrade() -> None:
    op.drop_table("media")
    op.drop_index(op.f("ix_outbox_parts_outbox_id"), table_name="outbox_parts")
    op.drop_table("outbox_parts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("read_at")
        batch_op.drop_column("delivered_at")
    op.drop_index(op.f("ix_identity_links_second_identity_id"), table_name="identity_links")
    op.drop_index(op.f("ix_identity_links_first_identity_id"), table_name="identity_links")
    op.drop_table("identity_links")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identities_verified_phone"))
        batch_op.drop_column("verified_phone")
