"""The durable intake: a platform update is stored here before the platform is told it arrived.

`accept` is one `INSERT … ON CONFLICT DO NOTHING RETURNING id`: a webhook retried or a poll replayed is
stored once (the same statement de-duplicates across processes). Each stored update is handled exactly once:
`claim_next` flips it from pending to handled inside the transaction that applies its effects, so a crash
before commit leaves it pending for the next start, and a second worker that races for it finds it done.

Updates of one chat are handled in the order they were stored, even when several processes stored them
(webhook calls spread over processes): `claim_next` first takes the chat's lock for the transaction (an
advisory lock on PostgreSQL; on SQLite BEGIN IMMEDIATE already holds the only write lock), then takes the
oldest pending update of that chat, whichever process stored it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import InboxUpdate, utcnow

PENDING = "pending"
HANDLED = "handled"


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """A pending update as the intake hands it on: its row id, the sender's chat and the payload."""

    id: int
    channel: str
    chat: str
    payload: str


async def single_statement(session: AsyncSession) -> None:
    """Before `accept` in a fresh transaction: on PostgreSQL, let the statement commit by itself (autocommit:
    one round trip instead of BEGIN, INSERT, COMMIT). Nothing else may be written in that transaction."""
    if session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def accept(session: AsyncSession, channel: str, update_key: str, chat: str, payload: str) -> int | None:
    """Store an update; its row id, or None when this update was stored before (a duplicate delivery)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(InboxUpdate)
        .values(
            channel=channel,
            update_key=update_key[:128],
            chat=chat[:128],
            payload=payload,
            status=PENDING,
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["channel", "update_key"])
        .returning(InboxUpdate.id)
    )
    return await session.scalar(statement)


async def claim_next(session: AsyncSession, channel: str, chat: str) -> StoredUpdate | None:
    """Lock the chat for this transaction and mark its oldest pending update handled; None when none waits."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"inbox:{channel}:{chat}", 0))))
    oldest = (
        select(InboxUpdate.id)
        .where(InboxUpdate.status == PENDING, InboxUpdate.channel == channel, InboxUpdate.chat == chat[:128])
        .order_by(InboxUpdate.id)
        .limit(1)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id == oldest, InboxUpdate.status == PENDING)
            .values(status=HANDLED, handled_at=utcnow())
            .returning(InboxUpdate.id, InboxUpdate.payload)
        )
    ).first()
    return None if row is None else StoredUpdate(row.id, channel, chat, row.payload)


async def pending(session: AsyncSession, channel: str | None = None, limit: int = 10_000) -> list[StoredUpdate]:
    """Updates accepted but not handled yet (after a restart), oldest first."""
    query = select(InboxUpdate.id, InboxUpdate.channel, InboxUpdate.chat, InboxUpdate.payload).where(
        InboxUpdate.status == PENDING
    )
    if channel is not None:
        query = query.where(InboxUpdate.channel == channel)
    rows = await session.execute(query.order_by(InboxUpdate.id).limit(limit))
    return [StoredUpdate(*row) for row in rows]


async def count_pending(session: AsyncSession) -> int:
    """How many accepted updates wait to be handled (health and shutdown reports)."""
    found = await session.scalar(select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status == PENDING))
    return int(found or 0)


async def purge_handled(session: AsyncSession, older_than: timedelta) -> int:
    """Forget handled updates older than the platforms' retry window (their keys still de-duplicate until then)."""
    result = await session.execute(
        delete(InboxUpdate).where(InboxUpdate.status == HANDLED, InboxUpdate.received_at < utcnow() - older_than)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
