"""Telling people something outside their own conversation: verification outcomes, checked claims, leads,
needs, event news, broadcast summaries. The one place that finds where a person is reached and queues it.

A message is an outbox row for the person's identity to reach (reachable first, then the one they wrote from
last), written in the caller's transaction. A `notice` payload (bot/services/outbox.py) is translated when it
is sent, in the recipient's language. The delivery worker sends it; the console shows it with the next reply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services.outbox import PENDING, notice
from models import Identity, OutboxMessage, utcnow

NOTICE = "notice"


async def latest_identities(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, int]:
    """Each user's identity to reach (reachable ones first, then the one used last), in one query."""
    if not user_ids:
        return {}
    other = aliased(Identity)
    latest = (
        select(other.id)
        .where(other.user_id == Identity.user_id)
        .order_by(other.reachable.desc(), other.last_seen_at.desc(), other.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Identity.user_id, Identity.id).where(Identity.user_id.in_(list(user_ids)), Identity.id == latest)
    )
    return {int(user_id): int(identity_id) for user_id, identity_id in rows}


async def latest_identity(session: AsyncSession, user_id: int) -> int | None:
    """The identity to reach one user; None without any."""
    return (await latest_identities(session, [user_id])).get(user_id)


async def queue(
    session: AsyncSession,
    user_id: int | None,
    payload: str,
    *,
    kind: str = NOTICE,
    dedupe_key: str | None = None,
    event_id: int | None = None,
    due_at: datetime | None = None,
) -> bool:
    """Queue a payload for one user; False when they cannot be reached, or this dedupe key was queued before."""
    identity_id = await latest_identity(session, user_id) if user_id is not None else None
    if identity_id is None:
        return False
    if dedupe_key is not None:
        known = await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if known is not None:
            return False
    session.add(
        OutboxMessage(
            identity_id=identity_id,
            kind=kind,
            payload=payload,
            status=PENDING,
            due_at=due_at or utcnow(),
            dedupe_key=dedupe_key,
            event_id=event_id,
        )
    )
    await session.flush()
    return True


async def tell(
    session: AsyncSession,
    user_id: int | None,
    key: str,
    params: Mapping[str, object] | None = None,
    choices: Sequence[tuple[str, str]] = (),
) -> bool:
    """Queue the notice `key` (with `params`, translated at send time) for one user; False when unreachable."""
    return await queue(session, user_id, notice(key=key, params=params, choices=choices))
