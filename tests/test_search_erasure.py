"""Deleted data leaves the search index too (issue 9, item 8).

After "hapus data saya" the words of the business (owner, street, kelurahan, business name, description,
product names) must be gone from every table, from the raw full-text index (SQLite: the FTS5 shadow
tables `products_fts_data` / `products_fts_idx` and `fts5vocab`; PostgreSQL: `ts_stat` over the live
tsvectors and the `search_vocabulary` table) and from this process's cached search vocabulary, which typo
correction would otherwise offer.
On SQLite they must not even stay in the file's free pages (`PRAGMA secure_delete`).

FTS5 stores a term prefix-compressed against the term before it on the same page, so the raw segments
are searched for each word's distinctive *tail* (`TAILS`), which no compression removes.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, Text, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import is_sqlite
from bot.services import privacy
from bot.services.search import purge_deleted_text, search
from bot.services.search.index import get_vocabulary
from models import Base, User
from tests.support import vendor_with_products

SECRET = {
    "business_name": "Tenun Srikandiwungu",
    "owner_name": "Sutrisnowati Pramesti",
    "phone": "0812-9876-5432",
    "kecamatan": "Metro Timur",
    "address": "Jl. Kenangalestari No. 7, Yosodadi",
    "ekatalog": False,
    "tkdn_certified": False,
    "description": "Kain tenun ikat motif garudakencana.",
    "phone_visibility": "all",
}
SECRET_PRODUCTS = ("Selendangungu Tenun", "Sarung Tenun Garudakencana")
NEIGHBOUR = {**SECRET, "business_name": "Keripik Pak Budi", "owner_name": "Budi", "phone": "0812-1111-2222"}
NEIGHBOUR |= {"kecamatan": "Metro Utara", "address": "Jl. Sumbawa No. 1, Banjarsari", "description": "Keripik pisang."}
# The distinctive end of each secret word (owner, street, kelurahan, business, description, product).
TAILS = ("trisnowati", "ngalestari", "yosodadi", "kandiwungu", "dakencana", "endangungu")


async def _raw_index_text(session: AsyncSession) -> str:
    """Everything the full-text index holds, as one string (binary segments decoded leniently)."""

    def decoded(values: list[Any]) -> list[str]:
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values if v]

    if session.get_bind().dialect.name == "sqlite":
        parts: list[str] = []
        for sql in (
            "SELECT block FROM products_fts_data",
            "SELECT term FROM products_fts_idx",
            "SELECT term FROM products_fts_vocab",
        ):
            parts += decoded(list((await session.execute(text(sql))).scalars()))
        return " ".join(parts)
    parts = []
    for sql in ("SELECT word FROM ts_stat('SELECT search_tsv FROM products')", "SELECT term FROM search_vocabulary"):
        parts += decoded(list((await session.execute(text(sql))).scalars()))
    return " ".join(parts)


async def _every_text_column(session: AsyncSession) -> str:
    """The text of every string column of every model table, lower-cased."""
    parts: list[str] = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if columns:
            for row in await session.execute(select(*columns)):
                parts += [str(v) for v in row if v]
    return " ".join(parts).lower()


async def _everything(session: AsyncSession) -> str:
    vocabulary = " ".join((await get_vocabulary(session)).df)
    return " ".join((await _raw_index_text(session), await _every_text_column(session), vocabulary))


async def test_deleted_business_leaves_no_words_in_tables_or_index(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await purge_deleted_text(session)  # earlier tests' catalogs are gone from the tables, not yet the index
        await vendor_with_products(session, NEIGHBOUR, ("Keripik Pisang Manis",))
    async with sessions() as session:
        assert not [tail for tail in TAILS if tail in await _everything(session)]  # vocabulary now cached
    async with sessions() as session, session.begin():
        user_id = (await vendor_with_products(session, SECRET, SECRET_PRODUCTS)).id
    async with sessions() as session:
        found = await search(session, "selendangungu", log=False)
        assert [hit.product_name for hit in found.results] == ["Selendangungu Tenun"]
        indexed = await _raw_index_text(session) + " ".join((await get_vocabulary(session)).df)
        assert [tail for tail in TAILS if tail not in indexed] == ["trisnowati"]  # the owner is not indexed
        assert "trisnowati" in await _every_text_column(session)

    async with sessions() as session, session.begin():
        await privacy.delete_my_data(session, await session.get_one(User, user_id))

    async with sessions() as session:
        raw, tables = await _raw_index_text(session), await _every_text_column(session)
        cached = " ".join((await get_vocabulary(session)).df)
        assert [tail for tail in TAILS if tail in raw] == [], "deleted words are still in the full-text index"
        assert [tail for tail in TAILS if tail in tables] == [], "deleted words are still in a table"
        assert [tail for tail in TAILS if tail in cached] == [], "deleted words are still in the cached vocabulary"
        assert not (await search(session, "selendangungu", log=False)).results
        assert [h.business_name for h in (await search(session, "keripik", log=False)).results] == ["Keripik Pak Budi"]


def _checkpointed_file(path: Path) -> bytes:
    """The SQLite file's bytes after every page of the WAL has been copied into it."""
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # not busy: all pages copied
    return path.read_bytes()


async def test_deleted_business_leaves_no_bytes_in_the_sqlite_file(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    if not is_sqlite(database_url):
        pytest.skip("a SQLite file test")
    async with sessions() as session, session.begin():
        user_id = (await vendor_with_products(session, SECRET, SECRET_PRODUCTS)).id
    async with sessions() as session, session.begin():
        await privacy.delete_my_data(session, await session.get_one(User, user_id))
    content = _checkpointed_file(Path(str(make_url(database_url).database)))
    assert [tail for tail in TAILS if tail.encode() in content] == []
