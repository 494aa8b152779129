"""The models and the migrations describe the same schema (what `alembic check` reports), on either database."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Base
from models.migrations.filters import include_object


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"include_object": include_object, "compare_type": True, "render_as_batch": True}
    )
    return compare_metadata(context, Base.metadata)


async def test_models_match_the_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        differences = await conn.run_sync(_diff)
    assert differences == []
