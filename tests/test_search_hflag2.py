"""Wishes and near misses as people write them: a permit the catalog keeps no filter for (P-IRT, NIB, BPOM, a
verified seller) is read like a flag and never searched for as a thing, unless it is what some work is about
("jasa pembuatan NIB"); and a product that only names an asked thing as its modifier ("Meja Kayu Jati" for timber,
"Gantungan Kunci" for a locksmith) answers neither a question with a word left out nor one asking for a worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.region import load_region
from bot.services.search import invalidate_vocabulary, reindex_product, search
from bot.services.search.query import parse_query
from bot.services.search.ranking import names_as_head
from models import Product, Vendor

METRO = load_region()


def things(text: str) -> str:
    return parse_query(text, METRO).normalized


def wishes(text: str) -> set[str]:
    filters = parse_query(text, METRO).filters
    return {name for name in ("halal", "tkdn", "ekatalog") if getattr(filters, name)}


@pytest.mark.parametrize(
    ("text", "thing", "wished"),
    [("madu hutan ber-PIRT dan halal", "madu hutan", {"halal"}),
     ("keripik pisang yang sudah punya NIB", "keripik pisang", set()),
     ("sambal yang sudah ada izin BPOM", "sambal", set()),
     ("gula aren yg punya nib dan pirt", "gula aren", set()),
     ("keripik tempe p-irt halal", "keripik tempe", {"halal"}),
     ("jamu yang sudah terdaftar BPOM", "jamu", set()),
     ("verified seller of batik", "batik", set()),
     ("penjual terverifikasi jasa laundry", "laundry jasa", set()),
     ("kopi bubuk izin edar dan e-katalog", "kopi bubuk", {"ekatalog"})],
)  # fmt: skip
def test_a_permit_without_a_filter_is_a_wish_not_a_thing(text: str, thing: str, wished: set[str]) -> None:
    assert things(text) == thing
    assert wishes(text) == wished


@pytest.mark.parametrize(
    ("text", "word"),
    [("jasa pembuatan NIB", "nib"), ("pengurusan sertifikat halal", "halal"), ("pelatihan e-katalog untuk UMKM",
     "katalog"), ("biro jasa urus PIRT", "pirt"), ("konsultan TKDN", "tkdn")],
)  # fmt: skip
def test_a_certificate_that_work_is_done_for_is_what_is_asked(text: str, word: str) -> None:
    assert wishes(text) == set()
    assert word in things(text).split()


@pytest.mark.parametrize(
    ("name", "asked", "heads"),
    [("Meja Kayu Jati", ["kayu", "jati"], False), ("Susu Kambing Etawa", ["kambing", "etawa"], False),
     ("Suvenir Magnet Kulkas", ["kulkas"], False), ("Sewa Proyektor Plus Layar", ["layar"], False),
     ("Abon Ikan Tuna", ["ikan", "tuna"], False), ("Keripik Pisang Cokelat", ["keripik", "pisang"], True),
     ("Jasa Jahit Kebaya", ["jahit"], True), ("Suvenir Miniatur Siger", ["suvenir"], True),
     ("Laundry Karpet", ["karpet"], True), ("Baju Dinas PDH", ["seragam", "pdh"], True)],
)  # fmt: skip
def test_a_name_is_what_it_opens_with(name: str, asked: list[str], heads: bool) -> None:
    assert names_as_head(name, [((w,),) for w in asked]) is heads


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    invalidate_vocabulary()
    async with sessions() as s:
        yield s


async def _catalog(session: AsyncSession, names: list[str], **vendor: Any) -> None:
    seller = Vendor(vendor_ref="V1", business_name="Usaha Maju", kecamatan="Metro Pusat", **vendor)
    session.add(seller)
    await session.flush()
    for i, name in enumerate(names):
        product = Product(product_ref=f"P{i}", vendor_id=seller.id, name=name, category="lainnya")
        session.add(product)
        await reindex_product(session, product)
    await session.commit()


async def _found(session: AsyncSession, query: str) -> list[str]:
    return [h.product_name for h in (await search(session, query, log=False)).results]


async def test_a_word_left_out_never_turns_a_thing_into_what_it_qualifies(session: AsyncSession) -> None:
    await _catalog(
        session,
        ["Meja Kayu Jati", "Susu Kambing Etawa", "Suvenir Magnet Kulkas", "Gantungan Kunci Siger", "Keripik Pisang",
         "Jasa Jahit Kebaya"],
    )  # fmt: skip
    for query in ("kayu jati gelondongan", "kambing etawa jantan", "kulkas dua pintu", "tukang kunci",
                  "ahli kunci rumah"):  # fmt: skip
        assert await _found(session, query) == [], query
    assert await _found(session, "keripik pisang lumer") == ["Keripik Pisang"]
    assert await _found(session, "tukang jahit") == ["Jasa Jahit Kebaya"]
    assert await _found(session, "gantungan kunci") == ["Gantungan Kunci Siger"]


async def test_a_permit_asked_with_a_thing_finds_the_thing(session: AsyncSession) -> None:
    await _catalog(session, ["Madu Hutan", "Pagar Besi"], halal=True)
    assert await _found(session, "madu hutan yang sudah ada PIRT dan halal") == ["Madu Hutan"]
    assert await _found(session, "jasa pembuatan NIB") == []


@pytest.mark.parametrize(
    ("text", "preferred"),
    [("Diutamakan penyedia yang sudah terdaftar di e-Katalog dan bersertifikat TKDN.", True),
     ("kopi bubuk, kalau bisa yang halal", True), ("tinta printer, prioritas yang TKDN", True),
     ("madu halal kalau ada", True), ("telur ayam yang masuk e-katalog", False),
     ("kursi wajib TKDN, diutamakan e-katalog", False), ("spanduk, syaratnya harus ber-TKDN", False),
     ("kopi bubuk", False)],
)  # fmt: skip
def test_a_flag_after_diutamakan_is_a_preference(text: str, preferred: bool) -> None:
    assert parse_query(text, METRO).flags_preferred is preferred


async def test_a_preferred_flag_nobody_meets_still_finds_the_thing(session: AsyncSession) -> None:
    await _catalog(session, ["Telur Ayam Negeri"])
    assert await _found(session, "telur ayam, diutamakan yang sudah e-katalog") == ["Telur Ayam Negeri"]
    assert await _found(session, "telur ayam yang sudah e-katalog") == []
    assert await _found(session, "telur ayam, wajib e-katalog") == []


async def test_a_likeness_or_a_supply_of_a_thing_is_not_the_thing(session: AsyncSession) -> None:
    await _catalog(session, ["Suvenir Magnet Kulkas", "Tinta Printer Epson", "Gantungan Kunci Siger", "Susu Kambing"])
    for query in ("kulkas", "printer baru", "kunci gembok", "kambing untuk aqiqah"):
        assert await _found(session, query) == [], query
    assert await _found(session, "magnet kulkas") == ["Suvenir Magnet Kulkas"]
    assert await _found(session, "tinta printer") == ["Tinta Printer Epson"]
    assert await _found(session, "susu kambing") == ["Susu Kambing"]
    assert await _found(session, "gantungan kunci") == ["Gantungan Kunci Siger"]


async def test_a_service_found_by_its_description_is_no_answer_for_the_thing(session: AsyncSession) -> None:
    seller = Vendor(vendor_ref="V1", business_name="Solusi Tekno", kecamatan="Metro Pusat")
    session.add(seller)
    await session.flush()
    product = Product(
        product_ref="P1", vendor_id=seller.id, name="Servis Laptop", category="jasa",
        description="Perbaikan komputer dan printer.",
    )  # fmt: skip
    session.add(product)
    await reindex_product(session, product)
    await session.commit()
    assert await _found(session, "beli printer baru") == []
    assert await _found(session, "printer rusak minta diperbaiki") == ["Servis Laptop"]
    assert await _found(session, "solusi tekno") == ["Servis Laptop"]


@pytest.mark.parametrize(
    ("text", "wished"),
    [("nasi kotak halal, tkdn tidak wajib", {"halal"}), ("sambal tkdn nggak wajib", set()),
     ("kue halal, ga usah tkdn", {"halal"}), ("roti yg ga halal jg gpp", set()),
     ("keripik halal, gak harus e-katalog", {"halal"}), ("halal tidak wajib, tapi harus e-katalog", {"ekatalog"}),
     ("tkdn not required, halal please", {"halal"}), ("kopi yang tidak perlu tkdn tapi halal", {"halal"})],
)  # fmt: skip
def test_a_wish_taken_back_after_the_flag_is_no_wish(text: str, wished: set[str]) -> None:
    assert wishes(text) == wished
