"""Conversation state: one row per user naming the active flow, its step and the answers so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Conversation, utcnow

STATE_VERSION = 1


@dataclass
class State:
    """The active flow of a user, as loaded from the database."""

    id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    expired: bool = False


async def load(session: AsyncSession, user_id: int, ttl: timedelta) -> State | None:
    """The user's active state; a state idle for longer than `ttl` is deleted and reported as expired."""
    row = await session.scalar(select(Conversation).where(Conversation.user_id == user_id))
    if row is None:
        return None
    if row.version != STATE_VERSION or utcnow() - row.updated_at > ttl:
        await session.delete(row)
        await session.flush()
        return State(id=row.id, flow=row.flow, step=row.step, expired=True)
    return State(id=row.id, flow=row.flow, step=row.step, data=dict(row.data or {}))


async def begin(session: AsyncSession, user_id: int, flow: str, step: str, data: dict[str, Any]) -> State:
    """Start a new flow for the user, replacing whatever was active (a new id invalidates old buttons)."""
    await session.execute(delete(Conversation).where(Conversation.user_id == user_id))
    row = Conversation(user_id=user_id, flow=flow, step=step, data=data, version=STATE_VERSION)
    session.add(row)
    await session.flush()
    return State(id=row.id, flow=flow, step=step, data=data)


async def save(session: AsyncSession, user_id: int, state: State) -> None:
    """Persist the step and data of an active flow."""
    row = await session.get(Conversation, state.id)  # usually from the session's identity map: no query
    if row is None or row.user_id != user_id:
        return
    row.step = state.step
    row.data = dict(state.data)
    row.updated_at = utcnow()
    await session.flush()


async def clear(session: AsyncSession, user_id: int) -> None:
    """End the user's active flow."""
    await session.execute(delete(Conversation).where(Conversation.user_id == user_id))
    await session.flush()


async def end(session: AsyncSession, user_id: int, state_id: int) -> None:
    """End this conversation if it is still the user's active one (a flow may have started another)."""
    await session.execute(delete(Conversation).where(Conversation.user_id == user_id, Conversation.id == state_id))
    await session.flush()


async def purge_stale(session: AsyncSession, ttl: timedelta) -> int:
    """Delete every state idle for longer than `ttl`; returns how many went."""
    result = await session.execute(delete(Conversation).where(Conversation.updated_at < utcnow() - ttl))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
