"""A place is where, not what: a variant sold only in another kecamatan gives the same kind in the place asked
("sambal bawang di Rejomulyo": the sambal of Metro Selatan), never another kind ("kue klepon": no kue kering);
places joined by "atau" are either place; the words around a place ("satu kecamatan", "se-kelurahan") go with
it while a stop word closing a phrase ("seragam dinas") stays; a short form of the city ("mt pusat") is the
city; a landmark ("dekat pasar Cendrawasih") only ranks; "antar ke" a place is the place; and a category
label's product words ("Batik" of "Pakaian, Batik & Konveksi") no longer make every product of the category
answer them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.region import load_region
from bot.services.search import invalidate_vocabulary, reindex_product, search
from bot.services.search.query import parse_query
from models import Product, Vendor

METRO = load_region()


def understood(text: str) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    parsed = parse_query(text, METRO)
    f = parsed.filters
    return parsed.normalized, f.kecamatan, f.kelurahan, f.other_kecamatan


@pytest.mark.parametrize(
    ("text", "kecamatan"),
    [("brownies mt pusat", "Metro Pusat"), ("brownies mt. pusat", "Metro Pusat"), ("kopi met utara", "Metro Utara"),
     ("tinta mtr brt", "Metro Barat"), ("kue mtro selatan", "Metro Selatan")],
)  # fmt: skip
def test_a_short_form_of_the_city_before_a_direction_is_the_city(text: str, kecamatan: str) -> None:
    assert understood(text)[:2] == (text.split()[0], kecamatan)


def test_a_short_word_without_a_direction_is_no_place() -> None:
    assert understood("mie ayam mt")[1] is None


@pytest.mark.parametrize(
    "text",
    ["kaos sablon satu kecamatan metro barat", "jasa kaos se kecamatan metro barat", "kaos yang satu kelurahan "
     "dengan mulyojati", "kaos sekecamatan metro barat"],
)  # fmt: skip
def test_the_same_area_as_a_place_is_the_place(text: str) -> None:
    normalized, kecamatan, _, _ = understood(text)
    assert kecamatan == "Metro Barat"
    assert not {"satu", "se", "kecamatan", "kelurahan", "sekecamatan"} & set(normalized.split())


@pytest.mark.parametrize(
    "text", ["seragam dinas di metro pusat", "seragam dinas metro pusat", "baju dinas di hadimulyo"]
)
def test_a_stop_word_closing_a_phrase_before_a_place_stays(text: str) -> None:
    assert understood(text)[0] in {"seragam dinas", "baju dinas"}


@pytest.mark.parametrize(
    ("text", "kecamatan", "others"),
    [("kue basah metro pusat atau metro barat", "Metro Pusat", ("Metro Barat",)),
     ("laundry hadimulyo atau iringmulyo", "Metro Pusat", ("Metro Timur",)),
     ("katering metro pusat, metro barat", "Metro Pusat", ("Metro Barat",)),
     ("tenda dari metro selatan maupun metro timur", "Metro Selatan", ("Metro Timur",))],
)  # fmt: skip
def test_places_joined_are_either_place(text: str, kecamatan: str, others: tuple[str, ...]) -> None:
    assert understood(text)[1:] == (kecamatan, None, others)


def test_a_kelurahan_with_its_own_kecamatan_is_one_place() -> None:
    assert understood("kue ulang tahun sekitar banjarsari metro utara")[1:] == ("Metro Utara", "Banjarsari", ())


def test_two_kelurahan_of_one_kecamatan_are_that_kecamatan() -> None:
    assert understood("katering hadimulyo barat atau hadimulyo timur")[1:] == ("Metro Pusat", None, ())


@pytest.mark.parametrize(
    ("text", "required", "ranks_only"),
    [("katering paling dekat dengan pasar cendrawasih", ["katering"], ["pasar", "cendrawasih"]),
     ("sablon kaos dekat kampus iain metro", ["sablon", "kaos"], ["kampus", "iain"]),
     ("jual sayur di pasar metro", ["sayur"], ["pasar"]),
     ("laundry deket rumah saya", ["laundry"], ["rumah"])],
)  # fmt: skip
def test_a_landmark_ranks_but_is_not_required(text: str, required: list[str], ranks_only: list[str]) -> None:
    concepts = parse_query(text, METRO).concepts
    assert [c.label for c in concepts if not c.optional] == required
    assert [c.label for c in concepts if c.optional] == ranks_only
    assert parse_query(text, METRO).filters.kecamatan is None  # no landmark's place is known


def test_a_street_is_no_landmark() -> None:
    assert "nasution" in understood("kopi di jalan ah nasution")[0]  # addresses are in the index


@pytest.mark.parametrize(
    "text", ["nasi kotak antar ke metro barat", "nasi kotak bisa dikirim ke mulyojati", "nasi kotak delivery ke metbar"]
)
def test_where_it_is_brought_is_the_place(text: str) -> None:
    assert understood(text)[:2] == ("nasi kotak", "Metro Barat")


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    invalidate_vocabulary()
    async with sessions() as s:
        yield s


async def add(session: AsyncSession, kecamatan: str, ref: str, name: str, address: str = "", **fields: Any) -> None:
    vendor = Vendor(vendor_ref=f"V{ref}", business_name=f"Usaha {ref}", kecamatan=kecamatan, address=address)
    session.add(vendor)
    await session.flush()
    fields.setdefault("category", "makanan-minuman")
    product = Product(product_ref=ref, vendor_id=vendor.id, name=name, **fields)
    session.add(product)
    await reindex_product(session, product)


async def names(session: AsyncSession, query: str) -> list[str]:
    return [h.product_name for h in (await search(session, query, log=False, limit=20)).results]


async def test_a_variant_sold_elsewhere_gives_its_kind_in_the_place(session: AsyncSession) -> None:
    await add(session, "Metro Pusat", "P1", "Sambal Bawang")
    await add(session, "Metro Selatan", "P2", "Sambal Roa")
    await add(session, "Metro Selatan", "P3", "Kue Kering Nastar")
    await add(session, "Metro Pusat", "P4", "Kue Klepon")
    await add(session, "Metro Selatan", "P5", "Seragam Sekolah SD", category="konveksi")
    await add(session, "Metro Pusat", "P6", "Seragam Sekolah SMP", category="konveksi")
    await session.commit()

    result = await search(session, "sambal bawang di rejomulyo", log=False)
    assert [h.product_name for h in result.results] == ["Sambal Roa"]
    assert result.relaxed  # not all of it: still logged as unmet
    assert await names(session, "sambal bawang di metro pusat") == ["Sambal Bawang"]
    assert await names(session, "kue klepon di metro selatan") == []  # a longer name is a kind of its own
    assert await names(session, "sambal bawang di metro timur") == []  # no sambal there at all
    assert await names(session, "seragam sekolah smp di metro selatan") == ["Seragam Sekolah SD"]
    assert await names(session, "meja lipat di metro selatan") == []  # sold nowhere


async def test_either_place_answers_from_both(session: AsyncSession) -> None:
    await add(session, "Metro Pusat", "P1", "Kue Klepon")
    await add(session, "Metro Barat", "P2", "Kue Nagasari")
    await add(session, "Metro Timur", "P3", "Kue Lemper")
    await session.commit()

    assert sorted(await names(session, "kue metro pusat atau metro barat")) == ["Kue Klepon", "Kue Nagasari"]
    assert await names(session, "kue di metro timur") == ["Kue Lemper"]


async def test_a_category_labels_product_word_is_not_in_every_product(session: AsyncSession) -> None:
    await add(session, "Metro Barat", "P1", "Mukena Katun", category="konveksi")
    await add(session, "Metro Barat", "P2", "Bordir Nama Dada", category="konveksi")
    await add(session, "Metro Pusat", "P3", "Kemeja Batik Cap", category="konveksi")
    await add(session, "Metro Barat", "P4", "Magnet Kulkas", category="kerajinan")
    await session.commit()

    assert await names(session, "batik di ganjaragung") == []
    assert await names(session, "batik") == ["Kemeja Batik Cap"]
    assert await names(session, "suvenir di metro barat") == []
    assert sorted(await names(session, "pakaian di metro barat")) == ["Bordir Nama Dada", "Mukena Katun"]


async def test_few_sellers_in_the_kelurahan_are_followed_by_its_kecamatans(session: AsyncSession) -> None:
    await add(session, "Metro Pusat", "P1", "Katering Harian", address="Jl. Jend. Sudirman 5, Yosomulyo")
    await add(session, "Metro Pusat", "P2", "Katering Kantor", address="Jl. Veteran 9")
    await add(session, "Metro Pusat", "P3", "Kopi Bubuk", address="Jl. Veteran 10", description="juga katering")
    await add(session, "Metro Timur", "P4", "Katering Pernikahan", address="Jl. Pala 1, Yosodadi")
    await session.commit()

    # the seller in Yosomulyo first, then Metro Pusat's other katering; not a product only its text answers
    assert await names(session, "katering di yosomulyo") == ["Katering Harian", "Katering Kantor"]
