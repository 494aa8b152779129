"""Invite codes for OPD staff: an admin makes one per agency; redeeming it verifies the person at once.

A code (`OPD-7KQ2M9PX`) has an expiry, a number of uses and can be revoked. Redeeming is one UPDATE that
counts the use only while the code is valid (not expired, not revoked, uses left), so two people racing for
the last use cannot both win; a refused code changes nothing. On Telegram the code also travels as a deep
link `https://t.me/<bot>?start=<code>`.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import audit, parsers
from bot.services.opd import APPROVED
from models import OpdInvite, User, utcnow

PREFIX = "OPD-"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed without mistakes
_LENGTH = 8
CODE = re.compile(rf"{PREFIX}[{_ALPHABET}]{{{_LENGTH}}}", re.IGNORECASE)
MAX_USES = 100
MAX_DAYS = 90


def require_admin(actor: User) -> None:
    """Refuse anyone but an admin."""
    if not actor.is_admin:
        raise PermissionDenied()


def new_code() -> str:
    """A fresh random code."""
    return PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))


def find_code(text: str) -> str | None:
    """The invite code in a typed text or a `/start` argument, upper-cased; None without one."""
    found = CODE.search(text or "")
    return found.group(0).upper() if found else None


def deep_link(bot_username: str, code: str) -> str | None:
    """`https://t.me/<bot>?start=<code>`, or None when the bot's username is not configured."""
    username = bot_username.strip().lstrip("@")
    return f"https://t.me/{username}?start={code}" if username else None


async def create(
    session: AsyncSession,
    actor: User,
    agency: str,
    *,
    days: int = 14,
    uses: int = 1,
    now: datetime | None = None,
) -> OpdInvite:
    """Make a code for one agency (admins only)."""
    require_admin(actor)
    agency = parsers.parse_name(agency, max_len=200)
    if not 1 <= uses <= MAX_USES or not 1 <= days <= MAX_DAYS:
        raise ValidationError("invite.bad_limits", uses=MAX_USES, days=MAX_DAYS)
    now = now or utcnow()
    invite = OpdInvite(
        code=new_code(),
        agency=agency,
        created_by=actor.id,
        max_uses=uses,
        uses=0,
        expires_at=now + timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    audit.record(session, actor.id, "invite.create", f"invite:{invite.id}")
    return invite


async def active(session: AsyncSession, actor: User, now: datetime | None = None) -> list[OpdInvite]:
    """Codes that can still be used, newest first (admins only)."""
    require_admin(actor)
    now = now or utcnow()
    rows = await session.scalars(
        select(OpdInvite)
        .where(OpdInvite.revoked_at.is_(None), OpdInvite.expires_at > now, OpdInvite.uses < OpdInvite.max_uses)
        .order_by(OpdInvite.created_at.desc(), OpdInvite.id.desc())
        .limit(50)
    )
    return list(rows)


async def revoke(session: AsyncSession, actor: User, invite_id: int | None) -> OpdInvite:
    """Stop a code from working (admins only)."""
    require_admin(actor)
    invite = await session.get(OpdInvite, invite_id) if invite_id is not None else None
    if invite is None:
        raise NotFound()
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        audit.record(session, actor.id, "invite.revoke", f"invite:{invite.id}")
    return invite


async def redeem(session: AsyncSession, user: User, code: str, now: datetime | None = None) -> OpdInvite:
    """Use a code: the user becomes approved OPD staff of the code's agency. An unknown, expired, revoked or
    used-up code raises ValidationError("invite.invalid") and changes nothing."""
    now = now or utcnow()
    normalised = find_code(code)
    if normalised is None:
        raise ValidationError("invite.invalid")
    invite_id = await session.scalar(
        update(OpdInvite)
        .where(
            OpdInvite.code == normalised,
            OpdInvite.revoked_at.is_(None),
            OpdInvite.expires_at > now,
            OpdInvite.uses < OpdInvite.max_uses,
        )
        .values(uses=OpdInvite.uses + 1)
        .returning(OpdInvite.id)
    )
    if invite_id is None:
        raise ValidationError("invite.invalid")
    invite = await session.get_one(OpdInvite, invite_id)
    await session.refresh(invite)
    user.role = "opd"
    user.opd_name = invite.agency
    user.opd_status = APPROVED
    user.opd_verified = True
    user.opd_reason = None
    user.opd_checked_at = now
    audit.record(session, user.id, "invite.redeem", f"invite:{invite.id}")
    return invite
