"""Every migration runs down to nothing and up again on the configured database."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.migrate import downgrade, upgrade
from models import Base


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_round_trip(engine: AsyncEngine) -> None:
    expected = {t.name for t in Base.metadata.sorted_tables}
    assert expected <= await _tables(engine)
    await downgrade(engine, "base")
    assert not expected & await _tables(engine)
    await upgrade(engine)
    assert expected <= await _tables(engine)
