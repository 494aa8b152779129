"""Search that forgives what people write: English and brand words reach the catalog's Indonesian words, a
business's name ranks its products first, a letter listing several things finds each of them, typos that
split, join or drop letters still find, flag wordings and a kelurahan without sellers; questions nobody
answers stay empty."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.services.catalog_io import load_demo_catalog
from bot.services.region import load_region
from bot.services.search import search
from bot.services.search.query import need_items, parse_query
from bot.services.search.retrieval import attempts
from tests.support import onboard, t

METRO = load_region()
LIST_LETTER = (
    "Kepada Yth. Bapak/Ibu penyedia, kami dari Dinas Pendidikan membutuhkan: 1. kertas HVS A4, "
    "2. tinta printer, 3. stempel. Mohon penawarannya."
)


@pytest.fixture
def session(demo_session: AsyncSession) -> AsyncSession:
    return demo_session


async def _names(session: AsyncSession, text: str, limit: int = 5) -> list[str]:
    return [h.product_name for h in (await search(session, text, limit=limit, log=False)).results]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bottled drinking water", "Air Mineral"),
        ("rubber stamp", "Stempel"),
        ("office chair", "Kursi Kantor"),
        ("school uniforms", "Seragam Sekolah"),
        ("where can i buy ground coffee?", "Kopi"),
        ("kapal api", "Kopi"),  # a brand for the thing
        ("le minerale gelas", "Air Mineral Gelas"),
    ],
)
async def test_english_and_brand_words_find_the_indonesian_catalog(
    session: AsyncSession, text: str, expected: str
) -> None:
    names = await _names(session, text)
    assert names and expected in names[0], names


def test_english_words_keep_the_typed_word_as_an_alternative() -> None:
    concept = parse_query("mineral water", METRO).concepts[0]
    assert ("airmineral",) in concept.alternatives and ("mineral", "air") in concept.alternatives


async def test_a_business_name_ranks_its_products_first(session: AsyncSession) -> None:
    for text, business in (("toko sinar kantor", "Toko Sinar Kantor"), ("berkah rasa", "Dapur Katering Berkah Rasa")):
        hits = (await search(session, text, limit=3, log=False)).results
        assert hits and all(h.business_name == business for h in hits), (text, [h.business_name for h in hits])


async def test_product_words_do_not_pass_for_a_business_name(session: AsyncSession) -> None:
    # "Keripik Pisang Sari Rasa" is a business, but "keripik pisang" asks for the product from anyone.
    hits = (await search(session, "keripik pisang", limit=10, log=False)).results
    assert all("Keripik Pisang" in h.product_name for h in hits[:3])


def test_a_list_gives_its_items_and_a_shared_head() -> None:
    assert need_items(LIST_LETTER) == ["kertas hvs a4", "tinta printer", "stempel"]
    assert need_items("butuh snack box dan nasi kotak buat pelatihan") == ["snack box", "nasi kotak buat pelatihan"]
    assert need_items("sewa tenda dan kursi") == ["sewa tenda", "sewa kursi"]
    assert need_items("keripik pisang") == ["keripik pisang"]
    assert len(parse_query(LIST_LETTER, METRO).items) == 3
    assert parse_query("keripik pisang cokelat", METRO).items == ()


async def test_a_letter_listing_several_things_finds_each(session: AsyncSession) -> None:
    names = await _names(session, LIST_LETTER, limit=6)
    for wanted in ("Kertas HVS", "Tinta Printer", "Stempel"):
        assert any(wanted in n for n in names[:3]), (wanted, names)
    # A thing that answers the whole list still wins over the items one by one.
    assert "Jasa Fotokopi dan Jilid" in (await _names(session, "fotokopi dan jilid"))[0]


async def test_a_list_letter_in_the_chat(app: App, sessions: async_sessionmaker[AsyncSession]) -> None:
    await load_demo_catalog(sessions)
    chat = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await chat.say("Selamat pagi, kantor kami perlu nasi kotak 100 dan air mineral gelas 20 dus untuk rapat tanggal 5")
    assert "Nasi Kotak" in chat.text and "Air Mineral Gelas" in chat.text
    assert t("find.btn_record_need") not in chat.labels()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nasikotak", "Nasi Kotak"),  # two words typed as one
        ("foto kopi", "Fotokopi"),  # one word typed as two
        ("kartu nma", "Kartu Nama"),  # a short word missing a letter
        ("seragam sekola", "Seragam Sekolah"),  # the stemmer would cut it to "kola"
        ("samble lingkung", "Sambal Lingkung"),  # a misspelt spelling variant (sambel)
    ],
)
async def test_typos_that_split_join_or_drop_letters(session: AsyncSession, text: str, expected: str) -> None:
    names = await _names(session, text)
    assert names and expected in names[0], names


def test_flag_wordings() -> None:
    for text, flag in (
        ("kue basah halal mui", "halal"),
        ("keripik yang ada halalnya", "halal"),
        ("madu sudah sertifikasi halal", "halal"),
        ("sewa tenda yang ada di e-katalog lkpp", "ekatalog"),
        ("batik tersertifikasi tkdn", "tkdn"),
    ):
        parsed = parse_query(text, METRO)
        assert getattr(parsed.filters, flag), text
        assert not {"mui", "lkpp", "halalnya", "sertifikasi", "tersertifikasi"} & set(parsed.normalized.split()), text


def test_a_kelurahan_falls_back_to_its_kecamatan() -> None:
    parsed = parse_query("keripik pisang di yosodadi", METRO)
    tried = [(a.filters.kelurahan, a.filters.kecamatan) for a in attempts(parsed, parsed.concepts)]
    assert tried[:2] == [("Yosodadi", "Metro Timur"), (None, "Metro Timur")]


async def test_forgiving_never_answers_what_nobody_sells(session: AsyncSession) -> None:
    for text in ("car rental", "sewa apartemen", "used motorcycle", "mobil bekas dan motor", "tiket pesawat dan hotel"):
        result = await search(session, text, limit=5, log=False)
        assert result.results == (), (text, [h.product_name for h in result.results])
