"""Telling one person something outside their own conversation (a verification outcome, a checked claim).

The message is an outbox row for the person's most recently used identity, written in the caller's
transaction; it is a `notice` (bot/services/outbox.py), so it is translated when it is sent, in the
recipient's language. The delivery worker sends it; the console shows it with the next reply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.outbox import PENDING, notice
from models import Identity, OutboxMessage, utcnow

NOTICE = "notice"


async def latest_identity(session: AsyncSession, user_id: int) -> int | None:
    """The id of the identity this user wrote from last (reachable ones first); None without any."""
    return await session.scalar(
        select(Identity.id)
        .where(Identity.user_id == user_id)
        .order_by(Identity.reachable.desc(), Identity.last_seen_at.desc(), Identity.id.desc())
        .limit(1)
    )


async def tell(
    session: AsyncSession,
    user_id: int,
    key: str,
    params: Mapping[str, object] | None = None,
    choices: Sequence[tuple[str, str]] = (),
) -> OutboxMessage | None:
    """Queue the notice `key` (with `params`, translated at send time) for one user; None when unreachable."""
    identity_id = await latest_identity(session, user_id)
    if identity_id is None:
        return None
    row = OutboxMessage(
        identity_id=identity_id,
        kind=NOTICE,
        payload=notice(key=key, params=params, choices=choices),
        status=PENDING,
        due_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row
