"""The search vocabulary (the terms typo correction reads, with the number of products holding each) is kept by
the database and always equals what the products' index texts hold, whoever writes them: the vendor's chat
(add, edit, delete a product, change the business), a deletion of a user's data, a CSV import, a rebuild.

SQLite keeps it in `products_fts_vocab` (fts5vocab over the FTS5 index), PostgreSQL in a table kept by
statement triggers on `products`; both read as `search_vocabulary` (migration 0009). The truth each step is
compared with is counted here from `products.search_text`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import catalog, privacy
from bot.services.catalog_io import import_catalog
from bot.services.parsers import Price
from bot.services.search import invalidate_vocabulary, rebuild_index, search
from bot.services.search.index import get_vocabulary
from models import Product, User
from tests.support import vendor_with_products, write_csv

Sessions = async_sessionmaker[AsyncSession]
BUSINESS = {
    "business_name": "Tenun Zamrudwangi",
    "owner_name": "Sari",
    "phone": "0812-9876-5432",
    "kecamatan": "Metro Timur",
    "address": "Jl. Mawar No. 7",
    "ekatalog": False,
    "tkdn_certified": False,
    "description": "Kain tenun ikat.",
    "phone_visibility": "all",
}


async def stored(session: AsyncSession) -> dict[str, int]:
    """The vocabulary as the database keeps it (both answer the same query, see migration 0009)."""
    rows = await session.execute(text("SELECT term, ndoc FROM search_vocabulary"))
    return {str(term): int(n) for term, n in rows if n}


async def truth(session: AsyncSession) -> dict[str, int]:
    """Terms and product counts, counted from the index texts."""
    counts: Counter[str] = Counter()
    for search_text in await session.scalars(select(Product.search_text)):
        counts.update(set(search_text.split()))
    return dict(counts)


async def check(sessions: Sessions) -> dict[str, int]:
    async with sessions() as session:
        kept = await stored(session)
        assert kept == await truth(session)
        return kept


async def product_id(session: AsyncSession, name: str) -> int:
    return (await session.scalars(select(Product.id).where(Product.name == name))).one()


async def test_the_vocabulary_follows_the_vendor_chat_and_a_data_deletion(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        user_id = (
            await vendor_with_products(session, BUSINESS, ("Selendang Kencanasari", "Sarung Tenun Kencanasari"))
        ).id
    kept = await check(sessions)
    assert kept["kencanasari"] == 2 and kept["zamrudwangi"] == 2 and kept["selendang"] == 1

    async with sessions() as session, session.begin():
        user = await session.get_one(User, user_id)
        pid = await product_id(session, "Selendang Kencanasari")
        await catalog.update_product(session, user, pid, {"name": "Selendang Permatabiru"}, "console")
        await catalog.update_product(session, user, pid, {"price": Price(175000)}, "console")  # text unchanged
    kept = await check(sessions)
    assert kept["kencanasari"] == 1 and kept["permatabiru"] == 1

    async with sessions() as session, session.begin():
        user = await session.get_one(User, user_id)
        await catalog.delete_product(session, user, await product_id(session, "Sarung Tenun Kencanasari"))
    kept = await check(sessions)
    assert "kencanasari" not in kept and "sarung" not in kept and kept["zamrudwangi"] == 1

    async with sessions() as session, session.begin():  # the business's name is in every product's text
        user = await session.get_one(User, user_id)
        await catalog.save_vendor(session, user, {**BUSINESS, "business_name": "Tenun Safirlembayung"})
    kept = await check(sessions)
    assert "zamrudwangi" not in kept and kept["safirlembayung"] == 1

    async with sessions() as session, session.begin():
        await privacy.delete_my_data(session, await session.get_one(User, user_id))
    kept = await check(sessions)
    assert not {"safirlembayung", "permatabiru", "selendang"} & set(kept)


async def test_a_rolled_back_change_leaves_the_vocabulary_as_it_was(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        user_id = (await vendor_with_products(session, BUSINESS, ("Selendang Kencanasari",))).id
    before = await check(sessions)
    async with sessions() as session, session.begin():
        user = await session.get_one(User, user_id)
        pid = await product_id(session, "Selendang Kencanasari")
        async with session.begin_nested() as savepoint:  # what the dispatcher does when a handler refuses
            await catalog.update_product(session, user, pid, {"name": "Selendang Permatabiru"}, "console")
            await savepoint.rollback()
    assert await check(sessions) == before


async def test_the_vocabulary_follows_imports_and_a_rebuild(sessions: Sessions, data_dir: Path, tmp_path: Path) -> None:
    vendors, products = data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv"
    assert (await import_catalog(sessions, vendors, products)).ok
    kept = await check(sessions)
    assert len(kept) > 100

    v_rows = [["vendor_ref", "business_name"], ["V003", "Dapur Zamrudwangi"]]  # every V003 product is re-indexed
    p_rows = [["product_ref", "vendor_ref", "name"], ["PZ-1", "V003", "Bolu Permatabiru"]]
    v_file = write_csv(tmp_path / "v.csv", v_rows[0], v_rows[1:])
    report = await import_catalog(sessions, v_file, write_csv(tmp_path / "p.csv", p_rows[0], p_rows[1:]))
    assert report.ok, report.errors
    kept = await check(sessions)
    assert kept["zamrudwangi"] >= 2 and kept["permatabiru"] == 1

    async with sessions() as session, session.begin():  # a bulk write behind the index's back, then a rebuild
        await session.execute(update(Product).values(search_text=""))
        await rebuild_index(session)
    assert await check(sessions) == kept


async def test_typo_correction_reads_the_kept_vocabulary(sessions: Sessions) -> None:
    invalidate_vocabulary()
    async with sessions() as session, session.begin():
        await vendor_with_products(session, BUSINESS, ("Selendang Kencanasari",))
    async with sessions() as session:
        assert (await get_vocabulary(session)).frequency("kencanasari") == 1
        result = await search(session, "kencanasar", log=False)
        assert [hit.product_name for hit in result.results] == ["Selendang Kencanasari"]
        assert result.corrections == (("kencanasar", "kencanasari"),)
