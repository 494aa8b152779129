"""OPD staff: their profile (name, agency, job title, NIP, phone) and the admins' check of it.

A self-declared OPD user fills in the profile and waits (`pending`) until an admin approves or rejects
them with a reason; an approval can be revoked later. Invite codes (bot/services/invites.py) approve at
once. Every outcome is told to the person through the outbox, in their language, and every admin action is
checked here and written to the audit log. Someone who refused the data consent or deleted their data is
not in the queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import audit, notify, parsers
from models import User, utcnow

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
REVOKED = "revoked"
MAX_REASON = 300
_DATA = Path(__file__).parent / "data" / "opd_metro.txt"
_NIP = re.compile(r"\d{18}")


@lru_cache(maxsize=8)
def agencies(setting: str = "") -> tuple[str, ...]:
    """The city's agencies: `OPD_AGENCIES` (separated by `;`) or the bundled Kota Metro list."""
    if setting.strip():
        items = setting.split(";")
    else:
        items = [line for line in _DATA.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return tuple(dict.fromkeys(" ".join(item.split()) for item in items if item.strip()))


def match_agency(text: str, known: tuple[str, ...]) -> str:
    """The listed agency a typed name means (exact, or the one listed name that contains it), else the typed
    name tidied (an agency missing from the list is still a valid answer)."""
    typed = " ".join(text.split()).casefold()
    for name in known:
        if name.casefold() == typed:
            return name
    if len(typed) >= 4:
        containing = [name for name in known if typed in name.casefold()]
        if len(containing) == 1:
            return containing[0]
    return parsers.parse_name(text, max_len=200)


def parse_nip(text: str) -> str:
    """An NIP (Nomor Induk Pegawai): 18 digits; spaces and dots are allowed when typed."""
    digits = re.sub(r"[\s.\-]", "", text or "")
    if not _NIP.fullmatch(digits):
        raise ValidationError("opd.nip_invalid")
    return digits


def parse_reason(text: str) -> str:
    """An admin's reason for a rejection or a revocation."""
    return parsers.parse_description(text, max_len=MAX_REASON)


def profile_values(user: User) -> dict[str, Any]:
    """The profile as the form's values."""
    return {
        "full_name": user.full_name,
        "agency": user.opd_name,
        "job_title": user.job_title,
        "nip": user.nip,
        "phone": user.phone,
    }


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied()


def in_queue(user: User) -> bool:
    """Whether this user waits for an admin: OPD, profile given, consent in force."""
    return user.role == "opd" and user.opd_status == PENDING and user.consented_at is not None


async def save_profile(session: AsyncSession, user: User, values: dict[str, Any]) -> User:
    """Store the OPD profile; it waits for an admin unless the person is approved for the same agency."""
    if user.role != "opd":
        raise PermissionDenied("opd.not_opd")
    if user.consented_at is None:
        raise PermissionDenied("catalog.consent_needed")
    agency = values.get("agency")
    keeps_approval = user.opd_status == APPROVED and agency == user.opd_name
    user.full_name = values.get("full_name")
    user.opd_name = agency
    user.job_title = values.get("job_title")
    user.nip = values.get("nip")
    if values.get("phone"):
        user.phone = values["phone"]
    if not keeps_approval:
        user.opd_status = PENDING
        user.opd_verified = False
        user.opd_reason = None
    audit.record(session, user.id, "opd.profile", f"user:{user.id}", user.opd_status)
    await session.flush()
    return user


@dataclass(frozen=True)
class Page:
    """One page of people for an admin, and how many there are in all."""

    users: list[User]
    total: int
    offset: int


async def _page(session: AsyncSession, condition: Any, offset: int, limit: int) -> Page:
    total = await session.scalar(select(func.count()).select_from(User).where(condition)) or 0
    offset = max(0, min(offset, max(0, total - 1)))
    rows = await session.scalars(
        select(User).where(condition).order_by(User.created_at, User.id).offset(offset).limit(limit)
    )
    return Page(list(rows), int(total), offset)


async def pending(session: AsyncSession, actor: User, offset: int = 0, limit: int = 10) -> Page:
    """OPD staff waiting for a check, oldest first (admins only)."""
    _require_admin(actor)
    condition = (User.role == "opd") & (User.opd_status == PENDING) & User.consented_at.is_not(None)
    return await _page(session, condition, offset, limit)


async def approved(session: AsyncSession, actor: User, offset: int = 0, limit: int = 10) -> Page:
    """Approved OPD staff (admins only), to revoke an approval."""
    _require_admin(actor)
    return await _page(session, (User.role == "opd") & User.opd_verified.is_(True), offset, limit)


async def _target(session: AsyncSession, user_id: int | None) -> User:
    target = await session.get(User, user_id) if user_id is not None else None
    if target is None or target.role != "opd":
        raise NotFound()
    return target


async def approve(session: AsyncSession, actor: User, user_id: int | None) -> User:
    """Approve an OPD staff member waiting in the queue; they are told."""
    _require_admin(actor)
    target = await _target(session, user_id)
    if not in_queue(target):
        raise ValidationError("verify.not_pending")
    target.opd_status = APPROVED
    target.opd_verified = True
    target.opd_reason = None
    target.opd_checked_at = utcnow()
    audit.record(session, actor.id, "opd.verify", f"user:{target.id}")
    await notify.tell(session, target.id, "verify.notice_approved", {"agency": target.opd_name or ""})
    return target


async def reject(session: AsyncSession, actor: User, user_id: int | None, reason: str) -> User:
    """Reject an OPD staff member waiting in the queue, with a reason; they are told."""
    _require_admin(actor)
    target = await _target(session, user_id)
    if not in_queue(target):
        raise ValidationError("verify.not_pending")
    return await _close(session, actor, target, REJECTED, reason)


async def revoke(session: AsyncSession, actor: User, user_id: int | None, reason: str) -> User:
    """Withdraw an approval (the person no longer sees phone numbers kept for OPD); they are told."""
    _require_admin(actor)
    target = await _target(session, user_id)
    if not target.opd_verified:
        raise ValidationError("verify.not_approved")
    return await _close(session, actor, target, REVOKED, reason)


async def _close(session: AsyncSession, actor: User, target: User, status: str, reason: str) -> User:
    """Reject or revoke: no OPD access, the reason kept, audited, and the person told why."""
    action, notice_key = {
        REJECTED: ("opd.reject", "verify.notice_rejected"),
        REVOKED: ("opd.revoke", "verify.notice_revoked"),
    }[status]
    target.opd_status = status
    target.opd_verified = False
    target.opd_reason = parse_reason(reason)
    target.opd_checked_at = utcnow()
    audit.record(session, actor.id, action, f"user:{target.id}")
    await notify.tell(session, target.id, notice_key, {"reason": target.opd_reason})
    return target
