"""Conversation state: one row per user naming the active flow, its step and the answers so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
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


# Read and written on every update: plain column statements on the table, built once (no ORM objects, no
# identity map, no per-call statement building).
_TABLE = Conversation.__table__
# What `load` reads; accounts.resolve reads the same columns with the user on SQLite (`preloaded`).
COLUMNS = (_TABLE.c.id, _TABLE.c.flow, _TABLE.c.step, _TABLE.c.data, _TABLE.c.version, _TABLE.c.updated_at)
_LOAD = select(*COLUMNS).where(_TABLE.c.user_id == bindparam("b_user"))
_PRELOADED = "conversations.preloaded"
_SAVE = (  # bind names differ from the column names, as an UPDATE's SET clause requires
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.user_id == bindparam("b_user"))
    .values(step=bindparam("b_step"), data=bindparam("b_data"), updated_at=bindparam("b_at"))
)
# Starting and ending a flow: Core statements too (no ORM object to flush for a row nobody loads as one).
_CLEAR = delete(_TABLE).where(_TABLE.c.user_id == bindparam("b_user"))
_END = delete(_TABLE).where(_TABLE.c.user_id == bindparam("b_user"), _TABLE.c.id == bindparam("b_id"))
_BEGIN = insert(_TABLE).returning(_TABLE.c.id)


def preloaded(session: AsyncSession, user_id: int, values: Sequence[Any]) -> None:
    """Keep the user's conversation as another query of this transaction read it (`COLUMNS`, all None when
    there is none), for the next `load`; any write of a conversation forgets it."""
    session.info[_PRELOADED] = (user_id, tuple(values))


def _forget(session: AsyncSession) -> None:
    session.info.pop(_PRELOADED, None)


async def load(session: AsyncSession, user_id: int, ttl: timedelta) -> State | None:
    """The user's active state; a state idle for longer than `ttl` is deleted and reported as expired."""
    kept = session.info.pop(_PRELOADED, None)
    if kept is not None and kept[0] == user_id:
        values = kept[1]
    else:
        found = (await session.execute(_LOAD, {"b_user": user_id})).first()
        values = tuple(found) if found is not None else (None,)
    state_id, flow, step, data, version, updated_at = values if values[0] is not None else (None,) * 6
    if state_id is None:
        return None
    if version != STATE_VERSION or utcnow() - updated_at > ttl:
        await session.execute(_END, {"b_user": user_id, "b_id": state_id})
        return State(id=state_id, flow=flow, step=step, expired=True)
    return State(id=state_id, flow=flow, step=step, data=dict(data or {}))


async def begin(session: AsyncSession, user_id: int, flow: str, step: str, data: dict[str, Any]) -> State:
    """Start a new flow for the user, replacing whatever was active (a new id invalidates old buttons)."""
    _forget(session)
    await session.execute(_CLEAR, {"b_user": user_id})
    new_id = (
        await session.execute(
            _BEGIN, {"user_id": user_id, "flow": flow, "step": step, "data": data, "version": STATE_VERSION}
        )
    ).scalar_one()
    await session.flush()  # as before: what the flow changed so far is written (cheap when nothing is)
    return State(id=new_id, flow=flow, step=step, data=data)


async def save(session: AsyncSession, user_id: int, state: State) -> None:
    """Persist the step and data of an active flow (nothing when it is no longer the user's)."""
    _forget(session)
    await session.execute(
        _SAVE, {"b_id": state.id, "b_user": user_id, "b_step": state.step, "b_data": dict(state.data), "b_at": utcnow()}
    )


async def clear(session: AsyncSession, user_id: int) -> None:
    """End the user's active flow."""
    _forget(session)
    await session.execute(_CLEAR, {"b_user": user_id})
    await session.flush()


async def end(session: AsyncSession, user_id: int, state_id: int) -> None:
    """End this conversation if it is still the user's active one (a flow may have started another)."""
    _forget(session)
    await session.execute(_END, {"b_user": user_id, "b_id": state_id})
    await session.flush()


async def purge_stale(session: AsyncSession, ttl: timedelta) -> int:
    """Delete every state idle for longer than `ttl`; returns how many went."""
    _forget(session)
    result = await session.execute(delete(_TABLE).where(_TABLE.c.updated_at < utcnow() - ttl))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
