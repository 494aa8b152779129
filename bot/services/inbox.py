"""The durable intake: a platform update is stored here before the platform is told it arrived.

`accept_many` is one `INSERT … VALUES (…), (…) … ON CONFLICT DO NOTHING RETURNING id, update_key` for a
whole batch (one webhook call, or one long poll; SQLAlchemy's "insertmanyvalues" builds the multi-row form):
a webhook retried or a poll replayed is stored once (the same statement de-duplicates across processes).
Each stored update is handled exactly once: `claim_next` flips it from pending to handled inside the
transaction that applies its effects, so a crash before commit leaves it pending for the next start, and a
second worker that races for it finds it done.

Updates of one chat are handled in the order they were stored, even when several processes stored them
(webhook calls spread over processes): `claim_next` first takes the chat's lock for the transaction (an
advisory lock on PostgreSQL; on SQLite BEGIN IMMEDIATE already holds the only write lock), then takes the
oldest pending update of that chat, whichever process stored it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

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


# The statements of every update, built once on the table (Core, not ORM-enabled statements, which the
# session copies on every execution): SQLAlchemy then skips building them and their cache keys.
_INBOX = InboxUpdate.__table__
_ACCEPT = {
    name: insert(_INBOX)
    .values(
        channel=bindparam("b_channel"),
        update_key=bindparam("b_key"),
        chat=bindparam("b_chat"),
        payload=bindparam("b_payload"),
        status=PENDING,
        received_at=bindparam("b_at"),
    )
    .on_conflict_do_nothing(index_elements=["channel", "update_key"])
    .returning(_INBOX.c.id)
    for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
# It returns the key too: rows skipped as duplicates return nothing, so the ids are matched by key.
_ACCEPT_MANY = {name: statement.returning(_INBOX.c.update_key) for name, statement in _ACCEPT.items()}
_CHAT_LOCK = select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("b_lock"), 0)))
_OLDEST = (
    select(_INBOX.c.id)
    .where(
        _INBOX.c.status == PENDING,
        _INBOX.c.channel == bindparam("b_channel"),
        _INBOX.c.chat == bindparam("b_chat"),
    )
    .order_by(_INBOX.c.id)
    .limit(1)
    .scalar_subquery()
)
_CLAIM = (
    update(_INBOX)
    .where(_INBOX.c.id == _OLDEST, _INBOX.c.status == PENDING)
    .values(status=HANDLED, handled_at=bindparam("b_at"))
    .returning(_INBOX.c.id, _INBOX.c.payload)
)


async def accept_many(
    session: AsyncSession | AsyncConnection, channel: str, updates: Sequence[tuple[str, str, str]]
) -> dict[str, int]:
    """Store a batch of (update key, chat, payload) in one statement; the row id of each key stored now (a key
    stored before, or twice in the batch, is a duplicate: it is missing, or kept once)."""
    if not updates:
        return {}
    dialect = session.dialect if isinstance(session, AsyncConnection) else session.bind.dialect
    statement = _ACCEPT_MANY["postgresql" if dialect.name == "postgresql" else "sqlite"]
    at = utcnow()
    rows = [
        {"b_channel": channel, "b_key": key[:128], "b_chat": chat[:128], "b_payload": payload, "b_at": at}
        for key, chat, payload in updates
    ]
    found = await session.execute(statement, rows)
    return {key: inbox_id for inbox_id, key in found}


async def claim_next(session: AsyncSession, channel: str, chat: str) -> StoredUpdate | None:
    """Lock the chat for this transaction and mark its oldest pending update handled; None when none waits."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(_CHAT_LOCK, {"b_lock": f"inbox:{channel}:{chat}"})
    found = await session.execute(_CLAIM, {"b_channel": channel, "b_chat": chat[:128], "b_at": utcnow()})
    row = found.first()
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
