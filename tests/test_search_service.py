"""Search through the real database (SQLite FTS5 or PostgreSQL tsvector): filters, P3DN ranking, hidden
products, hostile input, logging of every search and of unmet demand, index maintenance, the CLI contract."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import PermissionDenied
from bot.services import claims
from bot.services.catalog_io import load_demo_catalog
from bot.services.search import (
    invalidate_vocabulary,
    rebuild_index,
    record_need,
    reindex_product,
    reindex_vendor,
    search,
)
from models import Product, SearchLog, User, Vendor

REPO = Path(__file__).resolve().parents[1]
HOSTILE = [
    '"',
    'keripik"',
    "AND (",
    "NEAR(",
    "NEAR(keripik, pisang)",
    "*",
    ":*",
    "keripik:*",
    "-keripik",
    "keripik & | ! pisang",
    "'; DROP TABLE products; --",
    "\x00",
    "kue\ud800",
    "'; DROP TABLE products; -- keripik",
    "🍌🍌🍌",
    "keripik 🍌 pisang",
    "( ) [ ] { } ^ ~ ' \\",
]


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    invalidate_vocabulary()
    async with sessions() as s:
        yield s


async def add_vendor(session: AsyncSession, ref: str, **fields: Any) -> Vendor:
    fields.setdefault("business_name", f"Usaha {ref}")
    fields.setdefault("kecamatan", "Metro Pusat")
    vendor = Vendor(vendor_ref=ref, **fields)
    session.add(vendor)
    await session.flush()
    return vendor


async def add_product(session: AsyncSession, vendor: Vendor, ref: str, name: str, **fields: Any) -> Product:
    fields.setdefault("category", "makanan-minuman")
    product = Product(product_ref=ref, vendor_id=vendor.id, name=name, **fields)
    session.add(product)
    await reindex_product(session, product)
    return product


async def refs(session: AsyncSession, query: str, **kw: Any) -> list[str]:
    result = await search(session, query, log=False, limit=kw.pop("limit", 20), **kw)
    return [hit.product_ref for hit in result.results]


async def test_filters(session: AsyncSession) -> None:
    utara = await add_vendor(session, "V1", kecamatan="Metro Utara", address="Jl. Sumbawa 1, Banjarsari", halal=True)
    timur = await add_vendor(session, "V2", kecamatan="Metro Timur", address="Jl. Pala 7, Yosodadi", ekatalog=True)
    certified = await add_vendor(session, "V3", kecamatan="Metro Barat", tkdn_certified=True)
    await add_product(session, utara, "P1", "Keripik Pisang", price=Decimal(15000))
    await add_product(session, timur, "P2", "Keripik Pisang Cokelat", price=Decimal(25000))
    await add_product(session, certified, "P3", "Keripik Singkong", price=Decimal(12000))
    await add_product(session, timur, "P4", "Keripik Tempe", tkdn_percent=Decimal("30"), category="lainnya")
    await session.commit()

    assert sorted(await refs(session, "keripik")) == ["P1", "P2", "P3", "P4"]
    assert await refs(session, "keripik di Metro Utara") == ["P1"]
    assert sorted(await refs(session, "keripik di Yosodadi")) == ["P2", "P4"]
    assert sorted(await refs(session, "keripik sudah TKDN")) == ["P3", "P4"]
    assert sorted(await refs(session, "keripik e-katalog")) == ["P2", "P4"]
    assert await refs(session, "keripik halal") == ["P1"]
    assert sorted(await refs(session, "keripik di bawah 20 ribu")) == ["P1", "P3"]
    assert sorted(await refs(session, "makanan keripik")) == ["P1", "P2", "P3"]
    assert await refs(session, "keripik di metro selatan") == []
    result = await search(session, "keripik halal di metro utara maks 20rb", log=False)
    assert (result.filters.kecamatan, result.filters.halal, result.filters.max_price) == ("Metro Utara", True, 20000)


async def test_filters_alone_browse_in_p3dn_order(session: AsyncSession) -> None:
    plain = await add_vendor(session, "V1")
    listed = await add_vendor(session, "V2", ekatalog=True)
    await add_product(session, plain, "P1", "Map Plastik", category="atk")
    await add_product(session, listed, "P2", "Kertas HVS", category="atk")
    await add_product(session, listed, "P3", "Kopi Bubuk")
    await session.commit()
    assert await refs(session, "ATK") == ["P2", "P1"]
    assert await refs(session, "siapa ya?") == []


async def test_p3dn_priority_orders_equally_relevant_hits(session: AsyncSession) -> None:
    specs = [
        ("none", {}, None),
        ("verified", {"verified": True}, None),
        ("listed", {"ekatalog": True}, None),
        ("certified", {"tkdn_certified": True}, None),
        ("tkdn25", {}, Decimal("30")),
        ("tkdn40", {}, Decimal("45")),
    ]
    for ref, vendor_fields, percent in specs:
        vendor = await add_vendor(session, ref, business_name="Dapur Ibu", **vendor_fields)
        await add_product(session, vendor, ref, "Nasi Kotak Ayam Bakar", tkdn_percent=percent)
        await claims.import_checks(session, vendor)  # only claims the Dinas checked count (issue 11)
    await session.commit()
    ranked = await search(session, "nasi kotak", log=False, limit=10)
    assert [h.product_ref for h in ranked.results] == ["tkdn40", "tkdn25", "certified", "listed", "verified", "none"]
    scores = [h.score for h in ranked.results]
    assert scores == sorted(scores, reverse=True)
    top = ranked.results[0]
    assert top.badges.tkdn_percent == Decimal("45") and not top.badges.ekatalog


async def test_relevance_comes_before_badges(session: AsyncSession) -> None:
    plain = await add_vendor(session, "V1")
    strong = await add_vendor(session, "V2", ekatalog=True, verified=True, tkdn_certified=True)
    await add_product(session, plain, "EXACT", "Keripik Pisang Cokelat")
    await add_product(
        session,
        strong,
        "WEAK",
        "Paket Parsel Lebaran",
        tkdn_percent=Decimal("60"),
        description="Isi sirup, kue kering, kacang, keripik pisang, teh, kopi, gula dan minyak goreng.",
    )
    await session.commit()
    assert await refs(session, "keripik pisang") == ["EXACT", "WEAK"]


async def test_hidden_products_are_not_returned(session: AsyncSession) -> None:
    vendor = await add_vendor(session, "V1")
    await add_product(session, vendor, "SHOWN", "Kopi Robusta")
    await add_product(session, vendor, "HIDDEN", "Kopi Robusta Premium", visible=False)
    await session.commit()
    assert await refs(session, "kopi robusta") == ["SHOWN"]
    assert "HIDDEN" not in await refs(session, "kopi")


@pytest.mark.parametrize("query", [*HOSTILE, "keripik " * 700, "x" * 5000, "kue " + "🍌" * 4000])
async def test_hostile_input_returns_normally_and_is_logged(session: AsyncSession, query: str) -> None:
    vendor = await add_vendor(session, "V1")
    await add_product(session, vendor, "P1", "Keripik Pisang")
    await session.commit()
    result = await search(session, query)
    assert result.search_log_id is not None
    assert result.took_ms >= 0
    if query in ("keripik 🍌 pisang", "keripik & | ! pisang"):
        assert [h.product_ref for h in result.results] == ["P1"]
    assert await session.scalar(select(func.count()).select_from(Product)) == 1


async def test_every_search_is_logged_and_unmet_demand_marked(session: AsyncSession) -> None:
    vendor = await add_vendor(session, "V1")
    await add_product(session, vendor, "P1", "Keripik Pisang")
    await session.commit()
    found = await search(session, "siapa yang jual kripik pisang?")
    missing = await search(session, "jual mobil bekas")
    empty = await search(session, "halo pak")
    await search(session, "keripik", log=False)
    logs = {row.id: row for row in await session.scalars(select(SearchLog))}
    assert len(logs) == 3
    hit = logs[found.search_log_id or 0]
    assert (hit.query, hit.normalized, hit.hit_count, hit.unmet) == (
        "siapa yang jual kripik pisang?",
        "keripik pisang",
        1,
        False,
    )
    miss = logs[missing.search_log_id or 0]
    assert (miss.normalized, miss.hit_count, miss.unmet, miss.need_recorded) == ("mobil bekas", 0, True, False)
    assert not logs[empty.search_log_id or 0].unmet  # nothing was asked for


async def test_record_need(session: AsyncSession) -> None:
    buyer, other = User(display_name="Buyer"), User(display_name="Other")
    session.add_all([buyer, other])
    await session.commit()
    buyer_id, other_id = buyer.id, other.id
    missing = await search(session, "tiket pesawat", user_id=buyer_id)
    assert missing.search_log_id is not None
    with pytest.raises(PermissionDenied):
        await record_need(session, missing.search_log_id, other_id)
    await session.rollback()
    assert await record_need(session, missing.search_log_id, buyer_id)
    entry = await session.get_one(SearchLog, missing.search_log_id)
    assert entry.need_recorded and entry.unmet and entry.user_id == buyer_id
    assert not await record_need(session, 987654, buyer_id)


async def test_typo_correction_and_relaxed_fallback(session: AsyncSession) -> None:
    vendor = await add_vendor(session, "V1")
    await add_product(session, vendor, "P1", "Seragam PDH", category="konveksi")
    await add_product(session, vendor, "P2", "Keripik Pisang Cokelat")
    await session.commit()
    typo = await search(session, "sragam", log=False)
    assert [h.product_ref for h in typo.results] == ["P1"]
    assert typo.corrections == (("sragam", "seragam"),)
    relaxed = await search(session, "keripik pisang lumer", log=False)
    assert [h.product_ref for h in relaxed.results] == ["P2"] and relaxed.relaxed
    assert await refs(session, "sewa mobil pengantin") == []


async def test_new_words_are_searchable_and_correctable_at_once(session: AsyncSession) -> None:
    vendor = await add_vendor(session, "V1")
    await add_product(session, vendor, "P1", "Keripik Pisang")
    await session.commit()
    assert await refs(session, "keripik") == ["P1"]  # vocabulary now cached
    await add_product(session, vendor, "P2", "Sempol Ayam Goreng")
    await session.commit()
    assert await refs(session, "sempoll") == ["P2"]


async def test_reindex_vendor_follows_vendor_edits(session: AsyncSession) -> None:
    vendor = await add_vendor(session, "V1", kecamatan="Metro Pusat")
    await add_product(session, vendor, "P1", "Gerabah Hias")
    await session.commit()
    vendor.kecamatan = "Metro Timur"
    vendor.address = "Jl. Tejosari 40, Tejosari"
    vendor.ekatalog = True
    assert await reindex_vendor(session, vendor.id) == 1
    await session.commit()
    assert await refs(session, "gerabah di tejosari e-katalog") == ["P1"]
    assert await reindex_vendor(session, 424242) == 0


async def test_rebuild_index_restores_search_and_keeps_updated_at(session: AsyncSession) -> None:
    vendor = await add_vendor(session, "V1")
    product = await add_product(session, vendor, "P1", "Tapis Lampung")
    await session.commit()
    await session.execute(update(Product).values(search_text=""))
    await session.commit()
    await session.refresh(product)
    stamp = product.updated_at
    assert await refs(session, "tapis") == []
    assert await rebuild_index(session) == 1
    await session.commit()
    assert await refs(session, "tapis") == ["P1"]
    await session.refresh(product)
    assert product.updated_at == stamp


async def test_limit_offset_total(session: AsyncSession) -> None:
    vendor = await add_vendor(session, "V1")
    for i in range(7):
        await add_product(session, vendor, f"P{i}", f"Kue Basah {i}")
    await session.commit()
    page1 = await search(session, "kue basah", limit=5, log=False)
    page2 = await search(session, "kue basah", limit=5, offset=5, log=False)
    assert page1.total == page2.total == 7
    assert len(page1.results) == 5 and len(page2.results) == 2
    assert not {h.product_ref for h in page1.results} & {h.product_ref for h in page2.results}


async def test_search_ends_its_transaction(session: AsyncSession) -> None:
    await search(session, "keripik", log=False)
    assert not session.in_transaction()


async def test_cli_search_json_contract(sessions: async_sessionmaker[AsyncSession], database_url: str) -> None:
    invalidate_vocabulary()
    await load_demo_catalog(sessions)
    lines = ["keripik pisang", "", "jual mobil bekas", '"; DROP TABLE products; --', "  kue di Yosodadi  "]
    code = "import typer; from bot.cli_catalog import search_command; typer.run(search_command)"
    proc = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", code, "-", "--json", "--limit", "3"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["query"] for o in out] == lines
    keys = {"query", "results", "relaxed", "related", "took_ms"}
    assert all(set(o) == keys and isinstance(o["took_ms"], float) for o in out)
    assert all(o["related"] == [] for o in out if o["results"])  # near misses only when nothing is confident
    assert [r["product_ref"] for r in out[0]["results"]][:1] and len(out[0]["results"]) == 3
    first = out[0]["results"][0]
    assert set(first) == {"product_ref", "product_name", "vendor_ref", "business_name", "kecamatan", "score"}
    assert first["vendor_ref"] == "V001"
    assert out[1]["results"] == [] and out[2]["results"] == [] and out[3]["results"] == []
    assert {r["kecamatan"] for r in out[4]["results"]} == {"Metro Timur"}
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(SearchLog)) == 0
