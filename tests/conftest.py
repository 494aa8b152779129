"""Shared fixtures: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), migrated once per run;
an empty database for migration tests; the whole bot; and `tg`, a fake Telegram Bot API on a free port.

With TEST_DATABASE_URL=postgresql+asyncpg://user@host:port/db the run creates its own database with a random
name on that server, migrates it, and drops it at the end, so runs sharing the server never collide.
Every test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import App, build_app
from bot.db import create_engine, is_sqlite, session_factory
from bot.migrate import upgrade
from bot.services.catalog_io import load_demo_catalog
from bot.services.region import bind_region, load_region
from bot.services.search import invalidate_vocabulary
from models import Base
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support import make_settings


def _pg_admin(url: str, statement: str) -> None:
    async def run() -> None:
        admin_url = make_url(url).set(database="postgres" if make_url(url).database != "postgres" else "test")
        eng = create_engine(admin_url.render_as_string(hide_password=False))
        async with eng.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
        await eng.dispose()

    asyncio.run(run())


def _migrate(url: str) -> None:
    async def run() -> None:
        eng = create_engine(url)
        await upgrade(eng)
        await eng.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of this run's migrated database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or is_sqlite(base):
        path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite+aiosqlite:///{path}"
        _migrate(url)
        yield url
        return
    name = f"bb_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        _pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the run's kind with nothing in it (not migrated), dropped afterwards: for migration tests."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or is_sqlite(base):
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"bb_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(base, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        _pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def clear_tables(engine: AsyncEngine) -> None:
    """Empty every model table (search index objects follow through their triggers)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if is_sqlite(str(engine.url)):
            for name in tables:
                await conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            joined = ", ".join(f'"{n}"' for n in tables)
            await conn.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the run's database, with every table emptied first."""
    eng = create_engine(database_url)
    await clear_tables(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory bound to the test engine, with the bundled Kota Metro region."""
    return bind_region(session_factory(engine), load_region())


@pytest.fixture
async def demo_session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session on the bundled demo catalog, search's vocabulary cache forgotten first."""
    invalidate_vocabulary()
    await load_demo_catalog(sessions)
    async with sessions() as session:
        yield session


@pytest.fixture
def data_dir() -> Path:
    """The repository's bundled data (demo catalog)."""
    return Path(__file__).resolve().parents[1] / "bot" / "data"


@pytest.fixture
async def app(engine: AsyncEngine, database_url: str) -> AsyncIterator[App]:
    """The whole bot (dispatcher, flows, services) on the test database."""
    application = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    yield application
    await application.close()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramAPI]:
    """A running fake Telegram Bot API server (tests/fakes/telegram_api.py), bound to a free port."""
    async with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphAPI]:
    """A running fake WhatsApp Cloud (Graph) API (tests/fakes/graph_api.py), bound to a free port."""
    async with FakeGraphAPI() as fake:
        yield fake
