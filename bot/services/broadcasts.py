"""Broadcasts: an admin's announcement to a segment, written to the outbox in one transaction.

Recipients are chosen in SQL and inserted with one `INSERT … SELECT` (unique per broadcast and identity), so
a city-wide broadcast is one statement, and a crash before commit leaves no half-queued broadcast. One identity
per person (the one they used last). People who turned announcements off are left out and counted. The
delivery worker sends the rows; `finish` closes broadcasts with nothing left to send, for the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import notify
from bot.services.outbox import PENDING, WAITING_FOR_CAP, notice
from models import Broadcast, Identity, OutboxMessage, Product, Rsvp, User, Vendor, utcnow

KIND = "broadcast"
SEGMENTS = ("all", "vendors", "opd", "category", "kecamatan", "event")
STOP_ACTION = "info:off"  # the button under every announcement (handlers/announcements.py)
MAX_TEXT = 3500


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a broadcast is for: a segment, and for some segments its argument (category slug, kecamatan, event id)."""

    segment: str
    arg: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """How a broadcast is going."""

    id: int
    audience: Audience
    text: str
    status: str
    total: int
    sent: int
    failed: int
    blocked: int
    pending: int
    needs_template: int
    opted_out: int
    waiting_cap: int  # pending rows held back by WhatsApp's daily cap of recipients (not in `pending`)
    created_at: datetime
    finished_at: datetime | None

    @property
    def seconds(self) -> float | None:
        """How long delivery took, once finished."""
        return (self.finished_at - self.created_at).total_seconds() if self.finished_at else None


def require_admin(actor: User) -> None:
    """Refuse anyone but an admin (the check every admin action starts with)."""
    if not actor.is_admin:
        raise PermissionDenied("broadcast.not_allowed")


def _people(audience: Audience) -> Select[tuple[int]]:
    """User ids in the segment (before opt-out)."""
    people = select(User.id).where(User.onboarded.is_(True))
    segment, arg = audience.segment, audience.arg
    if segment == "all":
        return people
    if segment == "vendors":  # who chose the vendor role, or has a business profile (e.g. imported)
        return people.where(or_(User.role == "vendor", exists().where(Vendor.user_id == User.id)))
    if segment == "opd":
        return people.where(User.role == "opd")
    if segment == "category" and arg:
        in_category = (
            select(Product.id)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(Vendor.user_id == User.id, Product.category == arg, Product.visible.is_(True))
        )
        return people.where(exists(in_category))
    if segment == "kecamatan" and arg:
        return people.where(exists().where(Vendor.user_id == User.id, func.lower(Vendor.kecamatan) == arg.lower()))
    if segment == "event" and arg and arg.isdecimal():
        going = select(Rsvp.id).where(
            Rsvp.user_id == User.id, Rsvp.event_id == int(arg), Rsvp.status.in_(("yes", "maybe"))
        )
        return people.where(exists(going))
    raise ValidationError("broadcast.bad_audience")


def _latest_identity() -> Select[tuple[int]]:
    """Per user, the identity they used last (so one person gets one copy)."""
    other = aliased(Identity)
    return (
        select(other.id)
        .where(other.user_id == User.id)
        .order_by(other.last_seen_at.desc(), other.id.desc())
        .limit(1)
        .scalar_subquery()
    )


async def count(session: AsyncSession, actor: User, audience: Audience) -> tuple[int, int]:
    """The exact number of recipients, and how many of the segment turned announcements off (admins only)."""
    require_admin(actor)
    people = _people(audience).subquery()
    rows = await session.execute(
        select(User.announcements, func.count()).where(User.id.in_(select(people.c.id))).group_by(User.announcements)
    )
    by_choice = {bool(on): int(n) for on, n in rows}
    return by_choice.get(True, 0), by_choice.get(False, 0)


def rsvp_choices(event_id: int) -> list[tuple[str, str]]:
    """The answer buttons of an event invitation (handled by handlers/events.py)."""
    return [(f"event.btn_{answer}", f"event:rsvp:{event_id}:{answer}") for answer in ("yes", "maybe", "no")]


async def create(
    session: AsyncSession,
    actor: User,
    text: str,
    audience: Audience,
    photo_ref: str | None = None,
    invite_to: int | None = None,
) -> Broadcast:
    """Queue an announcement for every recipient in the segment (admins only); delivery starts after commit.

    With `invite_to` (an event id) the message carries that event's Hadir / Mungkin / Tidak hadir buttons.
    """
    require_admin(actor)
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationError("broadcast.bad_text", limit=MAX_TEXT)
    _reachable, opted_out = await count(session, actor, audience)
    broadcast = Broadcast(
        author_user_id=actor.id,
        audience=audience.segment,
        audience_arg=audience.arg,
        text=text,
        photo_ref=photo_ref,
        event_id=invite_to or (int(audience.arg) if audience.segment == "event" and audience.arg else None),
        status="sending",
        opted_out=opted_out,
    )
    session.add(broadcast)
    await session.flush()
    choices = [*(rsvp_choices(invite_to) if invite_to else []), ("broadcast.btn_stop", STOP_ACTION)]
    payload = notice(text=text, photo=photo_ref, choices=choices)
    now = utcnow()
    recipients = (
        select(
            literal(broadcast.id),
            Identity.id,
            literal(KIND),
            literal(payload),
            literal(PENDING),
            literal(0),
            literal(now),
            literal(now),
        )
        .join(User, User.id == Identity.user_id)
        .where(
            Identity.id == _latest_identity(),
            User.id.in_(_people(audience)),
            User.announcements.is_(True),
        )
    )
    columns = ["broadcast_id", "identity_id", "kind", "payload", "status", "attempts", "due_at", "created_at"]
    result = await session.execute(insert(OutboxMessage).from_select(columns, recipients))
    broadcast.total = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if broadcast.total == 0:
        broadcast.status, broadcast.finished_at = "done", now
    return broadcast


async def report(session: AsyncSession, actor: User, broadcast_id: int) -> Report:
    """Delivery so far of one broadcast (admins only)."""
    require_admin(actor)
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFound("broadcast.not_found")
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status)
    )
    by_status = {status: int(n) for status, n in rows}
    waiting_cap = int(
        await session.scalar(
            select(func.count()).where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.status == PENDING,
                OutboxMessage.last_error == WAITING_FOR_CAP,
            )
        )
        or 0
    )
    return Report(
        id=broadcast.id,
        audience=Audience(broadcast.audience, broadcast.audience_arg),
        text=broadcast.text,
        status=broadcast.status,
        total=broadcast.total,
        sent=by_status.get("sent", 0),
        failed=by_status.get("failed", 0),
        blocked=by_status.get("blocked", 0),
        pending=by_status.get(PENDING, 0) - waiting_cap,
        needs_template=by_status.get("needs_template", 0),
        opted_out=broadcast.opted_out,
        waiting_cap=waiting_cap,
        created_at=broadcast.created_at,
        finished_at=broadcast.finished_at,
    )


async def recent(session: AsyncSession, actor: User, limit: int = 5) -> list[Report]:
    """The latest broadcasts with their delivery counts, newest first (admins only)."""
    require_admin(actor)
    ids = await session.scalars(select(Broadcast.id).order_by(Broadcast.id.desc()).limit(limit))
    return [await report(session, actor, broadcast_id) for broadcast_id in ids]


async def finish(session: AsyncSession) -> list[int]:
    """Close the broadcasts with nothing pending, and queue each author a summary; the ids closed."""
    open_ = Broadcast.status == "sending"
    still_pending = exists().where(OutboxMessage.broadcast_id == Broadcast.id, OutboxMessage.status == PENDING)
    done = list(await session.scalars(select(Broadcast).where(open_, ~still_pending)))
    for broadcast in done:
        last_sent = await session.scalar(
            select(func.max(OutboxMessage.sent_at)).where(OutboxMessage.broadcast_id == broadcast.id)
        )
        broadcast.status, broadcast.finished_at = "done", last_sent or utcnow()
        if broadcast.author_user_id is not None:
            await _tell_author(session, broadcast)
    await session.flush()
    return [b.id for b in done]


async def _tell_author(session: AsyncSession, broadcast: Broadcast) -> None:
    author = await session.get(User, broadcast.author_user_id)
    if author is None or not author.is_admin:
        return
    summary = await report(session, author, broadcast.id)
    params = {
        "id": summary.id,
        "total": summary.total,
        "sent": summary.sent,
        "failed": summary.failed,
        "blocked": summary.blocked,
        "needs_template": summary.needs_template,
        "opted_out": summary.opted_out,
        "minutes": round((summary.seconds or 0) / 60, 1),
    }
    await notify.tell(session, author.id, "broadcast.finished", params)


async def set_announcements(session: AsyncSession, user: User, on: bool) -> bool:
    """Turn announcements on or off for a user; True when that changed something. Pending ones are withdrawn."""
    changed = user.announcements != on
    user.announcements = on
    if not on:
        mine = select(Identity.id).where(Identity.user_id == user.id)
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.identity_id.in_(mine),
                OutboxMessage.kind == KIND,
                OutboxMessage.status == PENDING,
            )
            .values(status="opted_out")
        )
    return changed
