"""Places and wishes as people write them: a place's lead words ("sekitaran", "deket") name nothing, a
misspelt place is still the place, "Metpus" is Metro Pusat as "Jaksel" is Jakarta Selatan, a short message's
"saya di Yosodadi" is where the buyer wants it, and the halal / TKDN / e-Katalog wishes survive typos, English
and listing words ("sudah masuk katalog") while a bare "katalog" stays a product."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.region import Kecamatan, Region, load_region
from bot.services.search import search
from bot.services.search.query import SearchFilters, parse_query

METRO = load_region()


@pytest.fixture
def session(demo_session: AsyncSession) -> AsyncSession:
    return demo_session


def place(text: str) -> tuple[str | None, str | None]:
    filters = parse_query(text, METRO).filters
    return filters.kecamatan, filters.kelurahan


def things(text: str) -> str:
    return parse_query(text, METRO).normalized


def wishes(text: str) -> set[str]:
    filters = parse_query(text, METRO).filters
    return {name for name in ("halal", "tkdn", "ekatalog") if getattr(filters, name)}


@pytest.mark.parametrize(
    "text",
    ["kopi sekitaran metro barat", "kopi seputaran mulyojati", "kopi kawasan metro barat", "kopi deket ganjaragung",
     "kopi dkt metro barat", "kopi lokasi metro barat", "kopi metro barat dan sekitarnya", "kopi wil. metro barat"],
)  # fmt: skip
def test_the_words_around_a_place_name_nothing(text: str) -> None:
    assert place(text)[0] == "Metro Barat"
    assert things(text) == "kopi"


@pytest.mark.parametrize(
    ("text", "kecamatan"),
    [("tapis metpus", "Metro Pusat"), ("tapis metsel", "Metro Selatan"), ("tapis metut", "Metro Utara"),
     ("tapis daerah mettim", "Metro Timur"), ("tapis metbar", "Metro Barat")],
)  # fmt: skip
def test_a_city_and_direction_clipped_to_one_word_is_the_kecamatan(text: str, kecamatan: str) -> None:
    assert place(text) == (kecamatan, None)
    assert things(text) == "tapis"


def test_the_clipped_form_is_generic_and_never_shadows_another_place() -> None:
    region = Region(
        name="Kota Jakarta",
        kecamatan=(Kecamatan("Jakarta Selatan", ("Kebayoran",)), Kecamatan("Jakarta Pusat", ("Jaksel",))),
    )
    assert region.match_kecamatan("jakpus", fuzzy=False) == "Jakarta Pusat"
    assert region.match_kecamatan("jaksel", fuzzy=False) is None  # a kelurahan of that name wins
    assert region.match_kelurahan("jaksel", fuzzy=False) == ("Jaksel", "Jakarta Pusat")


@pytest.mark.parametrize(
    ("text", "expected", "thing"),
    [("sambal roa hadimulya", ("Metro Pusat", None), "sambal roa"),
     ("kopi yosodady", ("Metro Timur", "Yosodadi"), "kopi"), ("kopi metro utra", ("Metro Utara", None), "kopi"),
     ("kopi metro selatn", ("Metro Selatan", None), "kopi"), ("abon metro timr", ("Metro Timur", None), "abon"),
     ("kopi yoso mulya", ("Metro Pusat", "Yosomulyo"), "kopi"),
     ("kopi banjar sary", ("Metro Utara", "Banjarsari"), "kopi"),
     ("kopi northern metro", ("Metro Utara", None), "kopi"), ("kopi asal metro utara", ("Metro Utara", None), "kopi")],
)  # fmt: skip
def test_a_misspelt_place_needs_no_lead_word(text: str, expected: tuple[str | None, str | None], thing: str) -> None:
    assert place(text) == expected
    assert things(text) == thing


@pytest.mark.parametrize(
    "text",
    ["kopi metro baru", "kopi di metro tv", "keripik yang ada di metro", "gorengan", "sari roti tawar",
     "kopi daerah utara"],  # a bare direction may be Lampung Utara
)  # fmt: skip
def test_words_that_only_look_like_a_place_stay_words(text: str) -> None:
    assert place(text) == (None, None)


def test_no_catalog_word_is_read_as_a_misspelt_place() -> None:
    """The lenient reading applies only to words no dictionary or word list knows; product words never qualify."""
    for word in ["brownies", "kemplang", "rempeyek", "seragam", "spanduk", "sulam", "tenda", "mukena", "songket"]:
        assert place(f"{word} murah") == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("saya di yosodadi butuh fotokopi", ("Metro Timur", "Yosodadi")),
     ("aku tinggal di metro utara, cari abon", ("Metro Utara", None)),
     ("kami dari kelurahan yosodadi butuh fotokopi", (None, None)),
     ("saya staf kelurahan Hadimulyo, perlu cetak spanduk", (None, None))],
)  # fmt: skip
def test_where_a_short_message_says_the_buyer_is_is_where_they_want_it(
    text: str, expected: tuple[str | None, str | None]
) -> None:
    assert place(text) == expected


def test_a_long_letters_address_is_no_wish() -> None:
    letter = (
        "Selamat pagi, kami dari panitia di kelurahan Yosodadi, untuk kegiatan posyandu bulan depan kami "
        "butuh snack box 100 kotak"
    )
    assert place(letter) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("kopi sudah masuk katalog", {"ekatalog"}), ("kopi tayang di katalog", {"ekatalog"}),
     ("kopi yang ada di katalog lkpp", {"ekatalog"}), ("kopi terdaftar lkpp", {"ekatalog"}),
     ("kopi e-katlog", {"ekatalog"}), ("kopi ekatalok", {"ekatalog"}), ("kopi katalog sektoral", {"ekatalog"}),
     ("kopi listed in e katalog", {"ekatalog"}), ("kopi sertifkat halal", {"halal"}),
     ("kopi sertipikat halal", {"halal"}), ("kopi logo halal", {"halal"}), ("kopi halal label", {"halal"}),
     ("kopi udh halal", {"halal"}), ("kopi hallal", {"halal"}), ("kopi TKDN-IK", {"tkdn"}),
     ("kopi srtifikat tkdn dan halal mui", {"tkdn", "halal"}), ("kopi sudah berlabel MUI", {"halal"}),
     ("kopi tingkat komponen dalam negeri", {"tkdn"}), ("kopi local content certificate", {"tkdn"}),
     ("kopi yang bisa dibeli lewat e-katalog", {"ekatalog"}), ("kopi katalog pemerintah", {"ekatalog"}),
     ("kopi kandungan lokal tinggi", {"tkdn"}), ("kopi with high tkdn", {"tkdn"})],
)  # fmt: skip
def test_wishes_as_people_write_them(text: str, expected: set[str]) -> None:
    assert wishes(text) == expected
    assert things(text) == "kopi"


@pytest.mark.parametrize("text", ["cetak katalog", "katalog produk kopi", "ada katalog kopi?", "acara halal bihalal"])
def test_a_bare_catalogue_is_a_product_not_a_wish(text: str) -> None:
    assert wishes(text) == set()


def test_oleh_oleh_next_to_a_thing_says_what_for() -> None:
    """ "oleh2 suvenir": the souvenir is required, the gift need ranks; alone it stands for the kinds serving it."""
    concepts = {c.label: c.optional for c in parse_query("oleh2 suvenir tejoagung", METRO).concepts}
    assert concepts == {"oleh": True, "suvenir": False}
    alone = parse_query("oleh-oleh", METRO).concepts
    assert [(c.need, c.optional) for c in alone] == [(True, False)]


async def test_a_misspelt_kecamatan_filters_the_answers(session: AsyncSession) -> None:
    result = await search(session, "keripik pisang metro utra", log=False)
    assert result.results and {h.kecamatan for h in result.results} == {"Metro Utara"}
    assert result.filters.kecamatan == "Metro Utara"


async def test_a_place_with_no_seller_of_the_thing_stays_unanswered(session: AsyncSession) -> None:
    """Nasi kotak is sold in Metro Pusat and Selatan, none in Metro Barat: "metbar" keeps it empty."""
    assert (await search(session, "nasi kotak metbar", log=False)).results == ()


async def test_a_listing_word_makes_the_catalogue_the_e_katalog(session: AsyncSession) -> None:
    listed = await search(session, "kopi yang sudah masuk katalog", log=False)
    assert listed.filters == SearchFilters(ekatalog=True)
    assert listed.results and all(h.badges.ekatalog for h in listed.results)
    assert (await search(session, "seragam sekolah udah tayang di katalog", log=False)).results == ()


@pytest.mark.parametrize(
    "text", ["snack box gak harus halal", "kopi tidak perlu tkdn", "kopi non halal", "kopi tanpa tkdn"]
)
def test_a_wish_turned_around_is_no_wish(text: str) -> None:
    assert wishes(text) == set()
    assert wishes("kopi halal, tidak harus tkdn") == {"halal"}
