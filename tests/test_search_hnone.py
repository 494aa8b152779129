"""Search confidence, word formation and chat typos through the real database: who-sells words, agent nouns,
the relaxed fallback, repair services of a thing, courses, spoken verb forms, vowel-less chat words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.search import invalidate_vocabulary, reindex_product, search
from models import Product, Vendor


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    invalidate_vocabulary()
    async with sessions() as s:
        yield s


async def catalog(session: AsyncSession, *names: str, business: str = "Usaha Satu") -> None:
    vendor = Vendor(vendor_ref=f"V{business}", business_name=business, kecamatan="Metro Pusat")
    session.add(vendor)
    await session.flush()
    for i, name in enumerate(names):
        product = Product(product_ref=f"{business}-{i}", vendor_id=vendor.id, name=name, category="lainnya")
        session.add(product)
        await reindex_product(session, product)
    await session.commit()


async def names(session: AsyncSession, query: str, **kw: Any) -> list[str]:
    result = await search(session, query, log=False, limit=10, **kw)
    return [hit.product_name for hit in result.results]


async def test_who_sells_and_the_shop_are_not_the_thing(session: AsyncSession) -> None:
    await catalog(session, "Keripik Pisang", "Telur Ayam Negeri", "Sayur Bayam", "Plakat Akrilik")
    assert await names(session, "produsen keripik") == ["Keripik Pisang"]
    assert await names(session, "agen telur") == ["Telur Ayam Negeri"]
    assert await names(session, "warung sayur") == ["Sayur Bayam"]
    assert await names(session, "pengrajin plakat") == ["Plakat Akrilik"]
    assert await names(session, "distributor semen") == []


async def test_an_agent_noun_after_the_thing_qualifies_it(session: AsyncSession) -> None:
    await catalog(session, "Seragam PDH", "Lemari Arsip", "Lele Segar")
    assert await names(session, "seragam perawat") == []  # a nurse's uniform
    assert await names(session, "lemari pendingin") == []  # a cooling cabinet
    assert await names(session, "pembudidaya lele") == ["Lele Segar"]  # before it: the one who sells it


async def test_the_root_of_an_agent_noun_is_wanted_where_the_catalog_has_it(session: AsyncSession) -> None:
    await catalog(session, "Buku Tulis", "Batik Tulis Lampung", "Cabai Rawit")
    assert (await names(session, "pembatik tulis"))[0] == "Batik Tulis Lampung"
    assert await names(session, "pekebun cabai") == ["Cabai Rawit"]  # no "kebun" product: the grower's cabai


async def test_the_relaxed_fallback_keeps_what_a_service_is_done_to(session: AsyncSession) -> None:
    await catalog(session, "Sabun Cuci Piring")
    assert await names(session, "sabun cuci baju") == []
    assert await names(session, "sabun cuci piring wangi") == ["Sabun Cuci Piring"]


async def test_a_relaxed_answer_names_a_thing_asked_not_only_the_service(session: AsyncSession) -> None:
    await catalog(session, "Sewa Tenda Terop", "Sewa Proyektor", business="Sewa Karya Tenda")
    found = await names(session, "sewa tenda camping")
    assert "Sewa Proyektor" not in found


async def test_a_repair_service_of_a_thing_answers_only_a_question_for_such_work(session: AsyncSession) -> None:
    await catalog(session, "Servis Laptop", "Cuci Karpet", "Permak Celana")
    missed = await search(session, "laptop", log=False)
    assert missed.results == () and [h.product_name for h in missed.related] == ["Servis Laptop"]
    assert await names(session, "karpet masjid") == []
    assert await names(session, "celana") == []
    assert await names(session, "servis laptop") == ["Servis Laptop"]
    assert await names(session, "laptop rusak") == ["Servis Laptop"]
    assert await names(session, "benerin laptop") == ["Servis Laptop"]
    assert await names(session, "cuci karpet") == ["Cuci Karpet"]
    assert await names(session, "penjahit celana") == ["Permak Celana"]


async def test_a_course_in_an_activity_is_not_its_product(session: AsyncSession) -> None:
    await catalog(session, "Jasa Jahit Kebaya", "Kotak Snack Rapat")
    assert await names(session, "pelatihan menjahit") == []
    assert await names(session, "kursus menjahit") == []
    assert await names(session, "jahit kebaya") == ["Jasa Jahit Kebaya"]


async def test_a_dictionary_root_is_no_derived_form(session: AsyncSession) -> None:
    await catalog(session, "Cap Kayu Stempel")
    assert await names(session, "kecap manis") == []
    assert await names(session, "kecap") == []


async def test_spoken_verb_forms_find_their_root(session: AsyncSession) -> None:
    await catalog(session, "Kaos Sablon", "Pagar Besi Las", "Air Mineral Gelas", "Undangan Cetak", "Tenda Sewa")
    assert await names(session, "nyablon kaos") == ["Kaos Sablon"]
    assert await names(session, "ngelas pagar") == ["Pagar Besi Las"]
    assert (await names(session, "cetakin undangan"))[0] == "Undangan Cetak"
    assert await names(session, "nyewa tenda") == ["Tenda Sewa"]


async def test_chat_words_without_vowels_get_them_back(session: AsyncSession) -> None:
    things = ("Nasi Kotak Ayam", "Nasi Kotak Ikan", "Kerupuk Udang", "Kerupuk Bawang", "Keripik Pisang", "Keripik")
    await catalog(session, *things)
    assert sorted(await names(session, "nasi ktk")) == ["Nasi Kotak Ayam", "Nasi Kotak Ikan"]
    assert (await names(session, "krpk udang"))[0] == "Kerupuk Udang"  # keripik or kerupuk: the one there is
    assert await names(session, "ktp") == []


async def test_a_short_word_keeps_its_first_letter(session: AsyncSession) -> None:
    await catalog(session, "Bros Sulam Usus", "Tas Sulam Usus")
    result = await search(session, "asus", log=False)
    assert result.results == () and result.corrections == ()


async def test_fleksi_is_flexi(session: AsyncSession) -> None:
    await catalog(session, "Spanduk Flexi", "Spanduk Kain")
    assert (await names(session, "spanduk fleksi"))[0] == "Spanduk Flexi"


async def test_the_worker_is_not_the_work(session: AsyncSession) -> None:
    await catalog(session, "Servis AC Split", "Kanopi Besi Las")
    assert await names(session, "teknisi ac") == ["Servis AC Split"]  # a technician repairs: the care is asked
    assert await names(session, "ahli las kanopi") == ["Kanopi Besi Las"]
    assert await names(session, "teknisi") == []


async def test_a_vowel_dropped_inside_a_real_word_and_a_pronoun_prefix(session: AsyncSession) -> None:
    await catalog(session, "Kue Kering Nastar", "Kue Kering Kastengel", "Tumpeng Kuning", "Susu Etawa", "Etawa Bubuk")
    assert (await names(session, "kue kring nastar"))[0] == "Kue Kering Nastar"
    assert (await names(session, "tumpeng kuneng"))[0] == "Tumpeng Kuning"  # no ku- + neng
    assert await names(session, "tawa") == []  # a vowel at a word's end or start makes another word
