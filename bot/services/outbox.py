"""The outbox: every message the bot sends is a row here first, written in the transaction it reports.

A reply batch (the answer to one update) is one row of kind `reply`; it is sent right after commit by the
process that handled the update, and, should that process die first, by the next start (`undelivered`).
A row is marked `sent` after the platform took it (replies in small batches, `mark_many`), so a crash leaves
at most the rows in flight or waiting for their mark to be sent twice, never one lost. `blocked` rows are for
recipients who blocked the bot; `failed` ones ran out of tries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Identity, OutboxMessage, User, utcnow

PENDING = "pending"
SENT = "sent"
BLOCKED = "blocked"
FAILED = "failed"
RETRY = "retry"  # an outcome, not a status: the row goes back to pending
REPLY = "reply"
# `last_error` of a pending row held back by a platform's daily cap of recipients (WhatsApp's messaging tier).
WAITING_FOR_CAP = "daily_cap"


@dataclass(frozen=True, slots=True)
class Envelope:
    """One outbox row as a sender needs it: where it goes, what it says, in which language."""

    id: int
    channel: str
    external_id: str
    payload: str
    attempts: int = 0
    language: str | None = None
    kind: str = REPLY


def envelopes(*extra: Any) -> Select[Any]:
    """Outbox rows as `Envelope` fields (plus `extra` columns), joined to their recipient and language."""
    return (
        select(
            OutboxMessage.id,
            Identity.channel,
            Identity.external_id,
            OutboxMessage.payload,
            OutboxMessage.attempts,
            User.language,
            OutboxMessage.kind,
            *extra,
        )
        .join(Identity, Identity.id == OutboxMessage.identity_id)
        .join(User, User.id == Identity.user_id)
    )


def notice(
    *,
    key: str | None = None,
    text: str | None = None,
    params: Mapping[str, object] | None = None,
    choices: Sequence[tuple[str, str]] = (),
    photo: str | None = None,
    footer: str | None = None,
) -> str:
    """A message translated when it is sent, in the recipient's language (bot/core/wire.py renders it).

    `key` (a locale key, with `params`) or `text` (already written, e.g. an admin's announcement); `choices`
    are (label key, button payload) pairs; `footer` is a locale key added under the text. A param given as
    `{"datetime": "<ISO time>"}` is shown as a local date and time.
    """
    document = {
        "notice": {
            "key": key,
            "text": text,
            "params": dict(params or {}),
            "choices": [list(c) for c in choices],
            "photo": photo,
            "footer": footer,
        }
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# The reply row of every update: a prebuilt Core INSERT on the table (no ORM object to flush and keep).
_ENQUEUE_REPLY = (
    insert(OutboxMessage.__table__)
    .values(
        identity_id=bindparam("b_identity"),
        kind=REPLY,
        payload=bindparam("b_payload"),
        status=PENDING,
        due_at=bindparam("b_at"),
        created_at=bindparam("b_at"),
    )
    .returning(OutboxMessage.__table__.c.id)
)


async def enqueue_reply(session: AsyncSession, identity_id: int, payload: str) -> int:
    """Record the replies to one update (sent after commit); its row id."""
    now = utcnow()
    row_id = await session.scalar(_ENQUEUE_REPLY, {"b_identity": identity_id, "b_payload": payload, "b_at": now})
    assert row_id is not None
    return row_id


async def mark(session: AsyncSession, row_id: int, status: str, error: str | None = None) -> None:
    """Record the outcome of one send attempt: sent, blocked, failed, or pending again (a retry)."""
    now = utcnow()
    status = PENDING if status == RETRY else status
    values: dict[str, object] = {"status": status, "attempts": OutboxMessage.attempts + 1, "claimed_at": None}
    if status == SENT:
        values["sent_at"] = now
    if error is not None:
        values["last_error"] = error[:2000]
    # Only a row still pending: a platform's "failed" receipt may have settled it while it was being sent.
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING).values(**values)
    )


async def mark_many(session: AsyncSession, outcomes: Sequence[tuple[int, str]]) -> None:
    """Record the outcomes of many sends at once: (row id, status) pairs; one statement per status."""
    by_status: dict[str, list[int]] = {}
    for row_id, status in outcomes:
        by_status.setdefault(PENDING if status == RETRY else status, []).append(row_id)
    now = utcnow()
    for status, ids in by_status.items():
        values: dict[str, object] = {"status": status, "attempts": OutboxMessage.attempts + 1, "claimed_at": None}
        if status == SENT:
            values["sent_at"] = now
        # Only rows still pending, as in `mark`: a receipt may have settled one while its outcome waited.
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status == PENDING).values(**values)
        )


async def undelivered(
    session: AsyncSession, *, kind: str = REPLY, created_before: datetime | None = None, limit: int = 10_000
) -> list[Envelope]:
    """Pending rows of a kind, oldest first, with their recipient's channel address (after a restart)."""
    query = envelopes().where(OutboxMessage.kind == kind, OutboxMessage.status == PENDING)
    if created_before is not None:
        query = query.where(OutboxMessage.created_at < created_before)
    rows = await session.execute(query.order_by(OutboxMessage.id).limit(limit))
    return [Envelope(*row) for row in rows]


async def count_by_status(session: AsyncSession, kind: str = REPLY) -> dict[str, int]:
    """How many rows of a kind are in each status (reports and tests)."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.kind == kind).group_by(OutboxMessage.status)
    )
    return {status: int(n) for status, n in rows}


async def take_due(
    session: AsyncSession, channel: str, external_id: str, now: datetime | None = None
) -> list[Envelope]:
    """Due rows (not replies) for one identity, marked sent: for a channel that shows them itself (the console)."""
    now = now or utcnow()
    rows = list(
        await session.execute(
            envelopes()
            .where(
                Identity.channel == channel,
                Identity.external_id == external_id,
                OutboxMessage.kind != REPLY,
                OutboxMessage.status == PENDING,
                OutboxMessage.due_at <= now,
            )
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
    )
    if rows:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row[0] for row in rows]))
            .values(status=SENT, sent_at=now, attempts=OutboxMessage.attempts + 1)
        )
    return [Envelope(*row) for row in rows]
