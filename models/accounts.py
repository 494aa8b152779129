"""People, their channel identities and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class User(Base):
    """A person, whichever channels they use."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str | None] = mapped_column(String(16))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Made admin in the chat (`jadikan admin`) rather than by ADMIN_IDS: such an admin survives a restart.
    admin_promoted: Mapped[bool] = mapped_column(default=False, server_default=false())
    opd_verified: Mapped[bool] = mapped_column(default=False)
    opd_name: Mapped[str | None] = mapped_column(String(200))  # the agency (instansi)
    # The OPD profile (handlers/opd.py) and its check by an admin (bot/services/opd.py).
    full_name: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(100))
    nip: Mapped[str | None] = mapped_column(String(18))
    # None (never asked), "pending", "approved", "rejected", "revoked"; opd_verified is True only when approved.
    opd_status: Mapped[str | None] = mapped_column(String(16), index=True)
    opd_reason: Mapped[str | None] = mapped_column(String(300))
    opd_checked_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(16))
    consented_at: Mapped[datetime | None]
    onboarded: Mapped[bool] = mapped_column(default=False)
    # Announcements (broadcasts, event news) reach the user; `berhenti info` turns them off.
    announcements: Mapped[bool] = mapped_column(default=True, server_default=true())
    last_choices: Mapped[dict[str, object] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    identities: Mapped[list[Identity]] = relationship(back_populates="user", cascade="all, delete-orphan")


class OpdInvite(Base):
    """An invite code an admin made for one agency: whoever redeems it is verified OPD staff at once."""

    __tablename__ = "opd_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    agency: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Identity(Base):
    """One account of a user on one channel (a Telegram id, a WhatsApp BSUID, a console name)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str | None] = mapped_column(String(128))
    reachable: Mapped[bool] = mapped_column(default=True)
    # The number the platform vouches for (E.164): WhatsApp's sender number, a Telegram contact the user shared
    # of themself. Never a typed number: only this links identities of one person (bot/services/identity_links.py).
    verified_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="identities")


class IdentityLink(Base):
    """A proposal to join two identities with the same verified phone into one user; both sides must say yes.

    `status`: pending, merged, declined (a side said no), refused (both accounts hold data that cannot be joined),
    expired (too old, or a number changed). Confirmations are times, so a restart loses nothing.
    """

    __tablename__ = "identity_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(32))
    first_identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    second_identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    first_confirmed_at: Mapped[datetime | None]
    second_confirmed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class Conversation(Base):
    """The state of the one flow a user is in: which flow, which step, the answers so far."""

    __tablename__ = "conversations"
    # Ids are never reused, so a button that carries the id of a finished conversation stays stale.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """An update id already handled on a channel: the same delivery twice has one effect."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditLog(Base):
    """Who did what to whose data, for UU PDP accountability."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
