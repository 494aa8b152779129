"""SQLite calls run in aiosqlite's thread (bot/db.py): a write that waits for another process's lock waits
there, so the event loop and the rest of the bot keep running, and it goes through once the lock is free."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from bot.db import create_engine


async def test_a_write_waits_for_another_process_without_stopping_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE notes (body TEXT)"))
        other = sqlite3.connect(path, isolation_level=None)  # another process holding the write lock
        other.execute("BEGIN IMMEDIATE")

        async def write() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO notes VALUES ('halo')"))

        writing = asyncio.create_task(write())
        ticks = 0
        while ticks < 20:  # the loop goes on while the write waits
            await asyncio.sleep(0.005)
            ticks += 1
        assert not writing.done()
        other.execute("COMMIT")
        other.close()
        await asyncio.wait_for(writing, 30)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT body FROM notes"))).scalars().all() == ["halo"]
    finally:
        await engine.dispose()
