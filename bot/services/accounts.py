"""Users and their channel identities: who is writing, in which role, with which rights."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import Inbound
from bot.errors import NotFound, PermissionDenied
from models import AuditLog, Identity, ProcessedUpdate, User, utcnow

ROLES = ("vendor", "opd", "buyer")
CONSENT_VERSION = "2026-11"
LAST_SEEN_RESOLUTION = timedelta(minutes=10)


async def resolve(
    session: AsyncSession, inbound: Inbound, admins: set[tuple[str, str]], default_language: str | None = None
) -> tuple[User, Identity]:
    """Find or create the user behind a channel identity; bootstrap admins from ADMIN_IDS."""
    identity = await session.scalar(
        select(Identity).where(Identity.channel == inbound.channel.value, Identity.external_id == inbound.external_id)
    )
    if identity is None:
        user = User(display_name=(inbound.display_name or "")[:200] or None, language=None)
        identity = Identity(channel=inbound.channel.value, external_id=inbound.external_id, user=user)
        session.add_all([user, identity])
        await session.flush()
    else:
        user = await session.get_one(User, identity.user_id)
        now = utcnow()
        if now - identity.last_seen_at > LAST_SEEN_RESOLUTION or not identity.reachable:
            identity.last_seen_at = now  # not on every message: one write less per update
            identity.reachable = True
    if (inbound.channel.value, inbound.external_id) in admins and not user.is_admin:
        user.is_admin = True
        session.add(AuditLog(actor_user_id=user.id, action="admin.bootstrap", subject=f"user:{user.id}"))
    if inbound.phone and not user.phone:
        user.phone = inbound.phone
    return user, identity


async def lock_user(session: AsyncSession, user_id: int) -> None:
    """Serialise concurrent updates of one user across processes (row lock on PostgreSQL).

    On SQLite the BEGIN IMMEDIATE of the write transaction already serialises writers.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(User.id).where(User.id == user_id).with_for_update())


async def first_delivery(session: AsyncSession, channel: str, update_id: str) -> bool:
    """Record an update id; False when it was handled before (a retried webhook, a replayed poll).

    One statement on both databases: INSERT ... ON CONFLICT DO NOTHING RETURNING id.
    """
    dialect_insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(ProcessedUpdate)
        .values(channel=channel, update_id=update_id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "update_id"])
        .returning(ProcessedUpdate.id)
    )
    return (await session.scalar(statement)) is not None


async def was_processed(session: AsyncSession, channel: str, update_id: str) -> bool:
    """True when this update id is already recorded."""
    found = await session.scalar(
        select(ProcessedUpdate.id).where(ProcessedUpdate.channel == channel, ProcessedUpdate.update_id == update_id)
    )
    return found is not None


async def purge_processed(session: AsyncSession, older_than: timedelta) -> int:
    """Forget update ids older than the platforms' retry window."""
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.created_at < utcnow() - older_than))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def set_role(user: User, role: str) -> None:
    """Set the self-declared role; OPD staff stay unverified until an admin approves them."""
    if role not in ROLES:
        raise PermissionDenied("error.bad_role")
    if user.role != role and role == "opd":
        user.opd_verified = False
    user.role = role


def give_consent(user: User) -> None:
    """Record the user's consent to the data notice, with its version and time (UU PDP)."""
    user.consent_version = CONSENT_VERSION
    user.consented_at = utcnow()


async def mark_unreachable(session: AsyncSession, channel: str, external_id: str) -> bool:
    """Remember that a user blocked the bot on a channel, so nothing more is sent there."""
    identity = await session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.external_id == external_id)
    )
    if identity is None:
        return False
    identity.reachable = False
    return True


def can_see_vendor_phones(user: User) -> bool:
    """Only approved OPD staff and admins see phone numbers that vendors restricted to OPD."""
    return user.is_admin or (user.role == "opd" and user.opd_verified)


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied()


async def pending_opd(session: AsyncSession, actor: User, limit: int = 10) -> list[User]:
    """OPD staff waiting for verification, oldest first (admins only)."""
    _require_admin(actor)
    rows = await session.scalars(
        select(User)
        .where(User.role == "opd", User.opd_verified.is_(False), User.onboarded.is_(True))
        .order_by(User.created_at, User.id)
        .limit(limit)
    )
    return list(rows)


async def verify_opd(session: AsyncSession, actor: User, user_id: int | None) -> User:
    """Approve a self-declared OPD staff member, so they see phone numbers vendors kept for OPD (admins only)."""
    _require_admin(actor)
    target = await session.get(User, user_id) if user_id is not None else None
    if target is None or target.role != "opd":
        raise NotFound()
    target.opd_verified = True
    session.add(AuditLog(actor_user_id=actor.id, action="opd.verify", subject=f"user:{target.id}"))
    return target
