"""OPD profile on users, OPD invite codes, checks of vendor claims

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:40:03.219855
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "opd_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_opd_invites_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd_invites")),
        sa.UniqueConstraint("code", name=op.f("uq_opd_invites_code")),
    )
    op.create_table(
        "vendor_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("number", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("checked_by", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by"], ["users.id"], name=op.f("fk_vendor_claims_checked_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_vendor_claims_vendor_id_vendors"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_claims")),
        sa.UniqueConstraint("vendor_id", "claim", name=op.f("uq_vendor_claims_vendor_id_claim")),
    )
    with op.batch_alter_table("vendor_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vendor_claims_vendor_id"), ["vendor_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_promoted", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("full_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("job_title", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("nip", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("opd_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("opd_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("opd_checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_opd_status"), ["opd_status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_opd_status"))
        batch_op.drop_column("opd_checked_at")
        batch_op.drop_column("opd_reason")
        batch_op.drop_column("opd_status")
        batch_op.drop_column("nip")
        batch_op.drop_column("job_title")
        batch_op.drop_column("full_name")
        batch_op.drop_column("admin_promoted")

    with op.batch_alter_table("vendor_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_claims_vendor_id"))

    op.drop_table("vendor_claims")
    op.drop_table("opd_invites")
