"""Migrations: every revision goes up and down on its own (the stairway), on SQLite and on PostgreSQL.

Run with TEST_DATABASE_URL=postgresql+asyncpg://... for PostgreSQL; both tests work on a database of the
run's kind.
"""

from __future__ import annotations

from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine
from bot.migrate import alembic_config, downgrade, upgrade
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


def _revisions() -> list[tuple[str, str]]:
    """(revision, the one below it or "base"), from the first migration to head; the history is linear."""
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, f"several migration heads: {script.get_heads()}"
    steps = []
    for rev in reversed(list(script.walk_revisions("base", "heads"))):
        down = rev.down_revision
        assert not isinstance(down, tuple), f"{rev.revision} merges {down}: the stairway expects a line"
        steps.append((rev.revision, down or "base"))
    return steps


def _touches(revision: str, dialect: str) -> bool:
    """Whether a revision changes this database's schema: a migration for one database only names it in
    `DIALECTS` (e.g. a PostgreSQL index setting)."""
    module = ScriptDirectory.from_config(alembic_config()).get_revision(revision).module
    return dialect in getattr(module, "DIALECTS", (dialect,))


def _schema(conn: Connection) -> dict[str, Any]:
    """Everything a migration creates that we can read back: tables, columns, indexes, keys, and on each
    database its own objects (SQLite: triggers and FTS tables; PostgreSQL: triggers, functions and index
    storage options)."""
    insp = inspect(conn)
    tables = {}
    for name in sorted(set(insp.get_table_names()) - {"alembic_version"}):  # Alembic's own bookkeeping
        tables[name] = {
            "columns": sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(name)),
            "indexes": sorted((i["name"] or "", tuple(i["column_names"]), i["unique"]) for i in insp.get_indexes(name)),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(name)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(name)),
        }
    if conn.dialect.name == "sqlite":
        query = (
            "SELECT type, name FROM sqlite_master"
            " WHERE name NOT LIKE 'sqlite_%' AND tbl_name != 'alembic_version' ORDER BY type, name"
        )
    else:
        query = (
            "SELECT 'trigger', trigger_name || ' ON ' || event_object_table || ' ' || event_manipulation"
            " FROM information_schema.triggers WHERE trigger_schema = current_schema()"
            " UNION ALL SELECT 'function', p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema()"
            " UNION ALL SELECT 'index options', c.relname || ' ' || array_to_string(c.reloptions, ',') FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'i' AND c.reloptions IS NOT NULL ORDER BY 1, 2"
        )
    objects = [tuple(row) for row in conn.execute(text(query))]
    return {"tables": tables, "objects": objects}


async def _snapshot(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:
        return await conn.run_sync(_schema)


async def test_every_migration_goes_up_and_down_one_step_at_a_time(empty_database_url: str) -> None:
    """The stairway: for each revision in order, upgrade to it, downgrade one step, upgrade again. Each
    downgrade must give back exactly the schema of the revision below, and each upgrade the same schema
    every time, so any revision can be rolled back on its own and re-applied."""
    steps = _revisions()
    assert steps, "no migrations found"
    engine = create_engine(empty_database_url)
    try:
        seen = {"base": await _snapshot(engine)}
        for revision, below in steps:
            await upgrade(engine, revision)
            seen[revision] = await _snapshot(engine)
            if _touches(revision, engine.dialect.name):
                assert seen[revision] != seen[below], f"{revision} changes nothing"
            await downgrade(engine, below)
            assert await _snapshot(engine) == seen[below], f"downgrade of {revision} leaves something behind"
            await upgrade(engine, revision)
            assert await _snapshot(engine) == seen[revision], f"{revision} differs when applied again"
        assert {t.name for t in Base.metadata.sorted_tables} <= set(seen[steps[-1][0]]["tables"])
    finally:
        await engine.dispose()
