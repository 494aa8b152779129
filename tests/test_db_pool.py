"""The PostgreSQL connection pool (bot/db.py): a fixed set of connections, and a connection the server closed
while it waited in the pool is replaced before a session uses it (no pre-ping round trips)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import App
from bot.db import is_sqlite


async def test_a_connection_the_server_closed_is_replaced_before_use(app: App, database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite has no server to close a connection")
    async with app.sessions() as session:
        before = await session.scalar(text("SELECT pg_backend_pid()"))
    # The server ends every connection of this database (a restart, an idle timeout) while they wait in the pool.
    url = make_url(database_url)
    admin = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username, database=url.database)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for _ in range(1000):  # until the server process has ended
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", before):
                break
            await asyncio.sleep(0.01)
    finally:
        await admin.close()
    await asyncio.sleep(0.1)  # the client's event loop reads the closed socket
    async with app.sessions() as session, session.begin():
        after = await session.scalar(text("SELECT pg_backend_pid()"))  # no error: a new connection
    assert after != before


async def test_the_pool_keeps_its_connections(app: App, database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite runs with one connection")
    pool = app.engine.pool
    assert pool.size() == app.settings.database.pool_size  # type: ignore[attr-defined]
    assert pool._max_overflow == 0  # type: ignore[attr-defined]  # no connection opened and closed per burst
