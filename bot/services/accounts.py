"""Users and their channel identities: who is writing, in which role, with which rights."""

from __future__ import annotations

from collections.abc import Set
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import audit, conversations, identity_links
from bot.services.parsers import parse_phone
from models import Conversation, Identity, ProcessedUpdate, User, utcnow

ROLES = ("vendor", "opd", "buyer")
CONSENT_VERSION = "2026-11"
LAST_SEEN_RESOLUTION = timedelta(minutes=10)


# Identity and user in one query, the first statement of every update: built once.
_RESOLVE = (
    select(Identity, User)
    .join(User, User.id == Identity.user_id)
    .where(Identity.channel == bindparam("b_channel"), Identity.external_id == bindparam("b_external"))
)
# On SQLite (one writer at a time, BEGIN IMMEDIATE) the user's conversation comes with them, for the
# dispatcher's conversations.load; on PostgreSQL it is read after the user's row lock (`lock_user`).
_RESOLVE_WITH_CONVERSATION = (
    select(Identity, User, *conversations.COLUMNS)
    .join(User, User.id == Identity.user_id)
    .outerjoin(Conversation.__table__, Conversation.__table__.c.user_id == User.id)
    .where(Identity.channel == bindparam("b_channel"), Identity.external_id == bindparam("b_external"))
)
_LOCK_USER = select(User.id).where(User.id == bindparam("b_user")).with_for_update()
# The buttons of the last reply change on most updates: one prebuilt UPDATE, not an ORM flush of the user.
_USERS = User.__table__
_SET_CHOICES = update(_USERS).where(_USERS.c.id == bindparam("b_user")).values(last_choices=bindparam("b_choices"))


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING on both databases."""
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def _find_identity(session: AsyncSession, channel: str, external_id: str) -> Identity | None:
    return await session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.external_id == external_id)
    )


def normalise_phone(phone: str | None) -> str | None:
    """A phone number a channel reports, in E.164; None when it is missing or not a valid number.

    Channels hand over what the platform says; nothing unchecked reaches the 32-character column.
    """
    if not phone:
        return None
    try:
        return parse_phone(phone)
    except ValidationError:
        return None


async def resolve(
    session: AsyncSession,
    channel: str,
    external_id: str,
    display_name: str | None = None,
    phone: str | None = None,
    admins: Set[tuple[str, str]] = frozenset(),
) -> tuple[User, Identity]:
    """Find or create the user behind a channel identity; bootstrap admins from ADMIN_IDS.

    Safe when two processes see the first two messages of a new user at once: the identity is inserted with
    ON CONFLICT DO NOTHING, and the loser takes the winner's identity (and drops the user it had begun).
    `phone` is a number the platform vouches for (WhatsApp's sender, a Telegram contact of the sender themself),
    never a typed one; it is stored only when valid, in E.164, and may link the identity to the same person on
    another channel (bot/services/identity_links.py).
    """
    sqlite = session.bind.dialect.name == "sqlite"
    statement = _RESOLVE_WITH_CONVERSATION if sqlite else _RESOLVE
    found = (await session.execute(statement, {"b_channel": channel, "b_external": external_id})).first()
    if found is not None and sqlite:
        conversations.preloaded(session, found[1].id, tuple(found)[2:])
    if found is None:
        user = User(display_name=(display_name or "")[:200] or None, language=None)
        session.add(user)
        await session.flush()
        new_id = await session.scalar(
            _insert(session)(Identity)
            .values(user_id=user.id, channel=channel, external_id=external_id)
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
            .returning(Identity.id)
        )
        if new_id is None:  # another process created this identity first: use theirs
            await session.delete(user)
            await session.flush()
            identity = await _find_identity(session, channel, external_id)
            if identity is None:  # pragma: no cover - the conflicting row is committed before we get here
                raise RuntimeError(f"identity {channel} vanished during its creation")
            user = await session.get_one(User, identity.user_id)
        else:
            identity = await session.get_one(Identity, new_id)
    else:
        identity, user = found[0], found[1]
        now = utcnow()
        if now - identity.last_seen_at > LAST_SEEN_RESOLUTION or not identity.reachable:
            identity.last_seen_at = now  # not on every message: one write less per update
            identity.reachable = True
    if (channel, external_id) in admins and not user.is_admin:
        user.is_admin = True
        audit.record(session, user.id, "admin.bootstrap", f"user:{user.id}")
    if phone and phone != identity.verified_phone and (valid_phone := normalise_phone(phone)):
        if not user.phone:
            user.phone = valid_phone
        await identity_links.note_verified_phone(session, identity, valid_phone)
    return user, identity


async def sync_admins(session: AsyncSession, admins: Set[tuple[str, str]]) -> tuple[int, int]:
    """Make ADMIN_IDS the truth at start-up: grant its known identities, revoke every other admin except
    those an admin promoted in the chat (`jadikan admin`, `admin_promoted`).

    Returns (granted, revoked); each change is in the audit log (`admin.bootstrap` / `admin.revoke`).
    """
    listed: set[int] = set()
    if admins:
        pairs = [(Identity.channel == channel) & (Identity.external_id == ext) for channel, ext in admins]
        listed = set(await session.scalars(select(Identity.user_id).where(or_(*pairs))))
    granted = revoked = 0
    for user in await session.scalars(select(User).where(User.id.in_(listed), User.is_admin.is_(False))):
        user.is_admin = True
        audit.record(session, None, "admin.bootstrap", f"user:{user.id}", "config.admin_ids")
        granted += 1
    for user in await session.scalars(
        select(User).where(User.is_admin.is_(True), User.admin_promoted.is_(False), User.id.not_in(listed))
    ):
        user.is_admin = False
        audit.record(session, None, "admin.revoke", f"user:{user.id}", "config.admin_ids")
        revoked += 1
    await session.flush()
    return granted, revoked


async def lock_user(session: AsyncSession, user_id: int) -> None:
    """Serialise concurrent updates of one user across processes (row lock on PostgreSQL).

    On SQLite the BEGIN IMMEDIATE of the write transaction already serialises writers.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(_LOCK_USER, {"b_user": user_id})


async def remember_choices(session: AsyncSession, user: User, memo: dict[str, Any] | None) -> None:
    """Store the choices of the user's last reply (`User.last_choices`), which typed answers are matched against.

    When the user has other unsaved changes, the flush writes it with them (one UPDATE, as before). Otherwise
    (most updates) it is written with its own prebuilt statement, not an ORM flush: the loaded user is told
    the new value as already stored, so nothing writes it twice.
    """
    if inspect(user).modified:
        user.last_choices = memo
        return
    await session.execute(_SET_CHOICES, {"b_user": user.id, "b_choices": memo})
    set_committed_value(user, "last_choices", memo)


async def first_delivery(session: AsyncSession, channel: str, update_id: str) -> bool:
    """Record an update id; False when it was handled before (a retried webhook, a replayed poll).

    One statement on both databases: INSERT ... ON CONFLICT DO NOTHING RETURNING id.
    """
    statement = (
        _insert(session)(ProcessedUpdate)
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
    if user.role != role:
        user.opd_verified = False
        # Back to OPD with a profile given: it waits for an admin again; any other role leaves the queue.
        user.opd_status = "pending" if role == "opd" and user.full_name else None
    user.role = role


def give_consent(user: User) -> None:
    """Record the user's consent to the data notice, with its version and time (UU PDP)."""
    user.consent_version = CONSENT_VERSION
    user.consented_at = utcnow()


async def mark_unreachable(session: AsyncSession, channel: str, external_id: str) -> bool:
    """Remember that a user blocked the bot on a channel, so nothing more is sent there."""
    identity = await _find_identity(session, channel, external_id)
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


async def set_admin(
    session: AsyncSession, actor: User, user_id: int | None, make_admin: bool, config_admins: Set[tuple[str, str]]
) -> User:
    """Promote or demote a user (admins only). An admin from ADMIN_IDS cannot be demoted in the chat (the next
    start would make them admin again), and nobody demotes themselves."""
    _require_admin(actor)
    target = await session.get(User, user_id) if user_id is not None else None
    if target is None:
        raise NotFound()
    if make_admin:
        if not target.is_admin:
            target.is_admin = True
            target.admin_promoted = True
            audit.record(session, actor.id, "admin.promote", f"user:{target.id}")
        return target
    if target.id == actor.id:
        raise ValidationError("roles.not_yourself")
    identities = await session.execute(
        select(Identity.channel, Identity.external_id).where(Identity.user_id == target.id)
    )
    if any((channel, external) in config_admins for channel, external in identities):
        raise ValidationError("roles.config_admin")
    if target.is_admin:
        target.is_admin = False
        target.admin_promoted = False
        audit.record(session, actor.id, "admin.demote", f"user:{target.id}")
    return target


async def admins(session: AsyncSession, actor: User) -> list[User]:
    """Every admin (admins only)."""
    _require_admin(actor)
    return list(await session.scalars(select(User).where(User.is_admin.is_(True)).order_by(User.id)))


async def find_user(session: AsyncSession, actor: User, reference: str) -> User:
    """A user named by an admin: `12` (the user id shown in admin lists) or a phone number (admins only)."""
    _require_admin(actor)
    typed = reference.strip().lstrip("#")
    if typed.isascii() and typed.isdecimal() and len(typed) <= 9:
        found = await session.get(User, int(typed))
    else:
        phone = normalise_phone(typed)
        found = await session.scalar(select(User).where(User.phone == phone).limit(1)) if phone else None
    if found is None:
        raise NotFound("roles.no_such_user")
    return found
