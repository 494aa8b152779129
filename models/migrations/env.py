"""Alembic environment. The app passes an open connection; the `alembic` CLI builds its own from DATABASE_URL."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from models import Base

config = context.config
target_metadata = Base.metadata

_SEARCH_OBJECT = re.compile(r"_fts($|_)|^search_vocab|search_tsv")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Keep autogenerate away from the search index objects (FTS5 tables on SQLite, the tsvector column and
    its GIN index on PostgreSQL), which migration 0002 manages by hand."""
    return not (
        type_ in {"table", "column", "index"}
        and reflected
        and compare_to is None
        and name
        and _SEARCH_OBJECT.search(name)
    )


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    from bot.config import DatabaseSettings
    from bot.db import create_engine

    url = config.get_main_option("sqlalchemy.url") or DatabaseSettings().url
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
        await connection.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    do_run_migrations(connection)
else:
    asyncio.run(_run_async())
