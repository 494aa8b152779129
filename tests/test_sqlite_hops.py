"""SQLite statements go to aiosqlite's thread in one hop each (bot/db.py `_OneHopCursor`), and the transaction
is still a BEGIN IMMEDIATE one: these tests pin both, and that what SQLAlchemy reads from a cursor is right."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hops.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls made in aiosqlite's thread, by name."""
    made: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(getattr(fn, "__name__", "?"))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    return made


async def test_a_transaction_is_one_hop_per_statement_and_one_for_the_commit(
    engine: AsyncEngine, hops: list[str]
) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        assert (await conn.execute(text("SELECT body FROM notes"))).scalars().all() == ["a"]
    # BEGIN IMMEDIATE travels with the first statement; the pool's rollback after the commit makes no hop.
    assert hops == ["in_thread", "in_thread", "commit"]


async def test_the_transaction_takes_the_write_lock_before_its_first_read(engine: AsyncEngine, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "hops.db", isolation_level=None, timeout=0)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("SELECT count(*) FROM notes"))  # a read first, as read-then-write flows do
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again after the commit
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_rowcount_lastrowid_and_returning(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        assert inserted.lastrowid == 1
        await conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), [{"b": "y"}, {"b": "z"}])  # executemany
        updated = await conn.execute(text("UPDATE notes SET body = body || '!' WHERE id > 1"))
        assert updated.rowcount == 2
        returned = await conn.execute(text("UPDATE notes SET body = 'w' WHERE id = 1 RETURNING id, body"))
        assert returned.all() == [(1, "w")]
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all() == ["w", "y!", "z!"]


async def test_a_failed_statement_rolls_back_and_the_connection_goes_on(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES ('same')"))
            await conn.execute(text("INSERT INTO notes (body) VALUES ('same')"))
    async with engine.begin() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM notes"))).scalar() == 0
        await conn.execute(text("INSERT INTO notes (body) VALUES ('after')"))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT body FROM notes"))).scalars().all() == ["after"]
