"""What a platform tells us about the messages we sent it, and what a sender must know before sending.

For WhatsApp (and any channel with delivery receipts or a messaging window):

* `recipient`: the address to send to (the phone number when known, for `to`), when the person last wrote
  (the 24-hour customer-service window is counted from `identities.last_seen_at`) and whether an earlier try
  of this row was refused for being outside the window.
* `record_sent`: the platform's ids of every message a row went out as (and the template used, if any), so
  that `apply_status` finds the row whichever of them the platform reports delivered, read or failed.
* `template_recipients` / `reserve_template`: how many different people got a template (a message outside
  the 24-hour window) in the last 24 hours, counted from the database and reserved before sending, under
  a lock every worker process shares: the messaging tier caps that number across all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.outbox import FAILED, PENDING, SENT
from models import Identity, OutboxMessage, OutboxPart, User, utcnow

NEEDS_TEMPLATE = "needs_template"
WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW_ERROR = "131047"
CAP_LOCK_KEY = 7_310_412  # the PostgreSQL advisory lock that serialises counting against the daily cap

# Receipt statuses in the order they happen; a late "sent" never undoes a "read".
RECEIPTS = ("sent", "delivered", "read")


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where and whether free text may go: the person's phone (E.164) and when they last wrote."""

    phone: str | None
    last_seen_at: datetime | None
    refused_outside_window: bool = False

    def in_window(self, now: datetime | None = None) -> bool:
        """True while the person wrote within the last 24 hours (free text allowed)."""
        if self.last_seen_at is None or self.refused_outside_window:
            return False
        return (now or utcnow()) - self.last_seen_at < WINDOW


async def recipient(session: AsyncSession, outbox_id: int | None, channel: str, external_id: str) -> Recipient:
    """The recipient of a row (or of replies when `outbox_id` is None) as a sender needs it."""
    row = (
        await session.execute(
            select(User.phone, Identity.last_seen_at)
            .join(User, User.id == Identity.user_id)
            .where(Identity.channel == channel, Identity.external_id == external_id)
        )
    ).first()
    refused = False
    if outbox_id is not None:
        last_error = await session.scalar(select(OutboxMessage.last_error).where(OutboxMessage.id == outbox_id))
        refused = bool(last_error and last_error.startswith(OUTSIDE_WINDOW_ERROR))
    if row is None:
        return Recipient(None, None, refused)
    return Recipient(row[0], row[1], refused)


async def record_sent(
    session: AsyncSession, outbox_id: int, platform_message_ids: Sequence[str], template: str | None
) -> None:
    """Remember every platform id of the messages a row became (and the template it went as), so each of
    their receipts finds the row; the first id also stays on the row itself."""
    ids = [i[:128] for i in platform_message_ids if i]
    if not ids:
        return
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(platform_message_id=ids[0], template=template, sent_at=utcnow())
    )
    known = set(
        await session.scalars(select(OutboxPart.platform_message_id).where(OutboxPart.platform_message_id.in_(ids)))
    )
    session.add_all(
        OutboxPart(outbox_id=outbox_id, platform_message_id=i, status="sent") for i in ids if i not in known
    )
    await session.flush()


def _rank(status: str) -> int:
    return RECEIPTS.index(status) if status in RECEIPTS else -1


async def apply_status(
    session: AsyncSession, platform_message_id: str, status: str, error_code: str | None = None
) -> int | None:
    """A delivery receipt for one message of a row (a row may have gone out as several: a long text split,
    a photo and its text). The row id, or None when no row knows the message.

    * `failed` on any part fails the row, with the code (the part keeps it too; 131047 on free text: back to
      pending, to go as a template, or be marked needs_template);
    * `delivered` / `read`: the part moves forward (a late "sent" never undoes a "read"); the row is delivered
      (`delivered_at`) once every part is delivered or read, and read (`read_at`) once every part is read.
    """
    part = await session.scalar(select(OutboxPart).where(OutboxPart.platform_message_id == platform_message_id))
    if part is not None:
        row = await session.get(OutboxMessage, part.outbox_id)
    else:  # sent before parts were recorded
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.platform_message_id == platform_message_id).limit(1)
        )
    if row is None:
        return None
    if status == "failed":
        if part is not None:
            part.status, part.error_code = "failed", (error_code or "unknown")[:32]
        if error_code == OUTSIDE_WINDOW_ERROR and row.template is None:
            # Sent as free text but the window had closed: try again as a template (or mark needs_template).
            row.status, row.due_at, row.claimed_at = PENDING, utcnow(), None
        else:
            row.status, row.claimed_at = FAILED, None
        row.last_error = f"{error_code or 'unknown'}: failed receipt"
        return row.id
    if part is None or _rank(status) <= _rank(part.status) or part.status == "failed":
        return row.id
    part.status = status
    await session.flush()
    parts = list(await session.scalars(select(OutboxPart.status).where(OutboxPart.outbox_id == row.id)))
    now = utcnow()
    if row.delivered_at is None and all(_rank(p) >= _rank("delivered") for p in parts):
        row.delivered_at = now
    if row.read_at is None and all(p == "read" for p in parts):
        row.read_at = now
    return row.id


def _counted_recipients(channel: str, since: datetime) -> Any:
    """Identities that got (or are being sent) a template since `since`: what the messaging tier counts.
    A template being sent is reserved (template and sent_at set, still pending); a failed one does not count."""
    return (
        select(OutboxMessage.identity_id)
        .join(Identity, Identity.id == OutboxMessage.identity_id)
        .where(
            Identity.channel == channel,
            OutboxMessage.template.is_not(None),
            OutboxMessage.sent_at >= since,
            OutboxMessage.status.in_((SENT, PENDING)),
        )
        .distinct()
        .subquery()
    )


async def template_recipients(
    session: AsyncSession, channel: str, identity_external_id: str, now: datetime | None = None
) -> tuple[int, bool]:
    """(How many people got a template in the last 24 h on `channel`, whether this recipient is one of them)."""
    counted = _counted_recipients(channel, (now or utcnow()) - WINDOW)
    total = int(await session.scalar(select(func.count()).select_from(counted)) or 0)
    mine = await session.scalar(
        select(Identity.id)
        .join(counted, counted.c.identity_id == Identity.id)
        .where(Identity.channel == channel, Identity.external_id == identity_external_id)
        .limit(1)
    )
    return total, mine is not None


async def reserve_template(
    session: AsyncSession, channel: str, outbox_id: int, external_id: str, template: str, cap: int
) -> bool:
    """Count a template to this row's recipient against the daily cap of unique recipients, before it is sent;
    False when the cap is reached and the recipient is new today (the row waits).

    Every process asks the database, one at a time: on PostgreSQL under a transaction-level advisory lock,
    on SQLite under the write lock its BEGIN IMMEDIATE takes. So two workers together never pass the cap.
    The reservation (`template`, `sent_at` on the still pending row) counts at once; `release_template` takes
    it back when the send did not happen; a crash in between leaves it counted (on the safe side).
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(CAP_LOCK_KEY)))
    total, counted = await template_recipients(session, channel, external_id)
    if not counted and total >= cap:
        return False
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == PENDING)
        .values(template=template[:64], sent_at=utcnow())
    )
    return True


async def release_template(session: AsyncSession, outbox_id: int) -> None:
    """The reserved template was not sent (a retry later): it no longer counts against the cap."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == PENDING)
        .values(template=None, sent_at=None)
    )
