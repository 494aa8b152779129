"""A release that changes the word lists, the region or the index format brings the stored index texts up to
date when the bot starts: products written under the old lists are found as the new lists read questions."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import build_app
from bot.services.region import load_region
from bot.services.search import index, invalidate_vocabulary, reindex_if_stale, search
from models import AppState, Product
from tests.support import make_settings, vendor_with_products
from tests.test_search_vocabulary import BUSINESS

Sessions = async_sessionmaker[AsyncSession]


async def found(sessions: Sessions, question: str) -> list[str]:
    invalidate_vocabulary()
    async with sessions() as session, session.begin():
        return [h.product_name for h in (await search(session, question, log=False)).results]


async def stored_fingerprint(sessions: Sessions) -> str | None:
    async with sessions() as session:
        return await session.scalar(select(AppState.value).where(AppState.key == index.FINGERPRINT_KEY))


async def stale_texts(sessions: Sessions) -> None:
    """What a catalog written by an older release looks like: texts built from other word lists."""
    async with sessions() as session, session.begin():
        await session.execute(update(Product).values(search_text="kain lama"))


def test_the_fingerprint_follows_the_word_lists_and_the_region(monkeypatch: pytest.MonkeyPatch) -> None:
    region = load_region()
    first = index.index_fingerprint(region)
    assert first == index.index_fingerprint(load_region())  # the same lists and region: the same fingerprint
    monkeypatch.setattr(index, "INDEX_FORMAT", index.INDEX_FORMAT + 1)
    assert index.index_fingerprint(region) != first


async def test_the_start_rebuilds_texts_from_other_word_lists_once(
    engine: AsyncEngine, database_url: str, sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sessions() as session, session.begin():
        await vendor_with_products(session, BUSINESS, ("Seragam Batik Kencanasari",))
    async with sessions() as session, session.begin():
        await reindex_if_stale(session)  # a fresh database: built and recorded with the current lists
    async with sessions() as session, session.begin():
        assert await reindex_if_stale(session) is None  # current: nothing to do
    await stale_texts(sessions)
    monkeypatch.setattr(index, "INDEX_FORMAT", index.INDEX_FORMAT + 1)  # a release that changed the lists

    app = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    await app.close()
    assert await found(sessions, "seragam kencanasari") == ["Seragam Batik Kencanasari"]
    assert await stored_fingerprint(sessions) == index.index_fingerprint(load_region())

    await stale_texts(sessions)  # a second start with the same release leaves the texts alone
    app = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    await app.close()
    assert await found(sessions, "seragam kencanasari") == []


async def test_processes_starting_together_rebuild_without_failing(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await vendor_with_products(session, BUSINESS, ("Seragam Batik Kencanasari",))
    await stale_texts(sessions)

    async def start() -> int | None:
        async with sessions() as session, session.begin():
            return await reindex_if_stale(session)

    results = await asyncio.gather(start(), start())
    assert sorted(results, key=lambda r: r is None) == [1, None]  # one rebuilt the stale text, the other waited
    assert await found(sessions, "seragam kencanasari") == ["Seragam Batik Kencanasari"]
