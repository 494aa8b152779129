"""Reading what people write: a request letter gives its need, price words bound the price, needs and
occasions reach the product kinds serving them, word forms and transposed letters are forgiven, and a
question nobody answers shows its near misses (never as results)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.services.catalog_io import load_demo_catalog
from bot.services.region import load_region
from bot.services.search import search
from bot.services.search.index import Vocabulary
from bot.services.search.query import correct_concepts, parse_query, strip_frame, word_forms
from models import SearchLog
from tests.support import onboard, t

METRO = load_region()
LETTER = (
    "Selamat siang Bapak/Ibu, saya dari bagian umum Dinas Kominfo Kota Metro. "
    "Kami butuh 150 snack box halal untuk rapat koordinasi tanggal 20 Juni. Mohon infonya, terima kasih."
)


@pytest.fixture
def session(demo_session: AsyncSession) -> AsyncSession:
    return demo_session


def required(text: str) -> list[str]:
    return [c.label for c in parse_query(text, METRO).concepts if not c.optional]


def test_a_request_letter_gives_its_need_quantity_date_and_wishes() -> None:
    parsed = parse_query(LETTER, METRO)
    assert required(LETTER) == ["snack box"]
    # The occasion ("untuk rapat koordinasi") ranks but is not required.
    assert {c.label: c.optional for c in parsed.concepts}.get("koordinasi") is True
    assert (parsed.quantity, parsed.filters.halal) == (150, True)
    assert parsed.date is not None and parsed.date.startswith("tanggal 20")


def test_the_frame_is_cut_only_when_an_introduction_comes_first() -> None:
    assert strip_frame("keripik pisang, butuh 100 bungkus") == "keripik pisang butuh 100 bungkus"
    assert strip_frame("saya dari dinas pendidikan mau pesan nasi kotak") == "nasi kotak"


def test_an_example_of_the_thing_ranks_but_is_not_required() -> None:
    """ "souvenir ..., kayak gantungan kunci siger": the example says which one, after the letter's occasion too;
    the marker word names nothing, and an example alone is the thing asked for."""
    letter = "Halo kak, aku lagi nyari souvenir buat tamu seminar, kayak gantungan kunci siger gitu, butuh 100 pcs"
    assert strip_frame(letter) == "suvenir kayak gantungan kunci siger"  # "gitu" says nothing
    concepts = {c.label: c.optional for c in parse_query(letter, METRO).concepts}
    assert concepts["suvenir"] is False
    assert concepts["gantungan"] is concepts["kunci"] is concepts["siger"] is True
    assert "kayak" not in concepts
    assert {c.label: c.optional for c in parse_query("kue seperti bolu", METRO).concepts} == {
        "kue": False,
        "bolu": True,
    }
    assert [c.optional for c in parse_query("kayak", METRO).concepts] == [False]  # no example of anything


def test_the_thing_after_berupa_is_required_the_kind_before_it_ranks() -> None:
    letter = "Dengan hormat, kami memerlukan konsumsi berupa snack box sebanyak 50 kotak."
    parsed = parse_query(letter, METRO)
    assert (parsed.normalized, parsed.quantity) == ("konsumsi snack box", 50)
    assert [c.label for c in parsed.concepts if not c.optional] == ["snack box"]
    optional = {c.label: c.optional for c in parse_query("makanan ringan berupa keripik pisang", METRO).concepts}
    assert optional == {"makanan ringan": True, "keripik": False, "pisang": False}
    assert parse_query("kue berupa", METRO).normalized == "kue"  # the marker itself names nothing
    spanduk = parse_query("perlu cetak spanduk ukuran 3x1 meter", METRO)
    assert [c.label for c in spanduk.concepts if not c.optional] == ["cetak", "spanduk"]


def test_a_named_thing_said_again_after_the_occasion_says_which_one() -> None:
    """ "servis AC untuk perawatan 12 unit AC split": "split" ranks (the split units first), is not required, and
    the occasion's other words ("perawatan", "kantor") stay out."""
    letter = "Kami mengundang penyedia jasa servis AC untuk perawatan 12 unit AC split di kantor kecamatan"
    concepts = {c.label: c.optional for c in parse_query(letter, METRO).concepts}
    assert concepts["servis"] is concepts["ac"] is False
    assert concepts["split"] is True
    assert "perawatan" not in concepts and "kantor" not in concepts
    # No repeat, no example: the letter's occasion only ranks.
    assert required(LETTER) == ["snack box"]


def test_a_letter_names_its_need_in_the_sentence_with_a_strong_request_verb() -> None:
    """ "akan mengadakan sosialisasi" holds an event; the need is in the sentence that asks ("membutuhkan")."""
    letter = (
        "Selamat pagi. Kami dari Dinas Kesehatan akan mengadakan sosialisasi pada tanggal 14 Juli. "
        "Untuk itu kami membutuhkan snack box sebanyak 120 kotak. Terima kasih."
    )
    assert required(letter) == ["snack box"]
    assert required("saya mau keripik pisang") == ["keripik", "pisang"]  # a weak verb alone still frames


def test_a_list_after_the_occasion_and_a_colon_is_read() -> None:
    letter = "Saya bendahara SD 5 Metro, mau belanja ATK untuk semester ini: kertas HVS 10 rim, bolpoin, dan map."
    items = [item.normalized for item in parse_query(letter, METRO).items]
    assert items[1:] == ["kertas hvs", "bolpoin", "map"]


@pytest.mark.parametrize(
    ("text", "low", "high", "strict"),
    [
        ("keripik di bawah 20rb", None, 20_000, True),
        ("snack box under 15k", None, 15_000, True),
        ("keripik kurang dari 20 ribu", None, 20_000, True),
        ("keripik maks 20rb", None, 20_000, False),
        ("nasi kotak max 25k", None, 25_000, False),
        ("keripik 10-20 ribu", 10_000, 20_000, False),
        ("nasi kotak antara 15rb dan 25rb", 15_000, 25_000, False),
        ("batik di atas 200rb", 200_001, None, False),
    ],
)
def test_price_words(text: str, low: int | None, high: int | None, strict: bool) -> None:
    f = parse_query(text, METRO).filters
    assert (f.min_price, f.max_price, f.max_exclusive) == (low, high, strict)


def test_word_forms_beyond_the_stemmer() -> None:
    assert "rajin" in word_forms("pengrajin")
    assert "tenun" in word_forms("tenunan") and "tenun" in word_forms("penenun")
    assert "dagang" in word_forms("pedagang") and "jahit" in word_forms("penjahit")


async def _refs(session: AsyncSession, text: str) -> list[str]:
    return [h.product_name for h in (await search(session, text, limit=5, log=False)).results]


async def test_under_excludes_the_price_itself(session: AsyncSession) -> None:
    result = await search(session, "keripik di bawah 20rb", limit=20, log=False)
    assert result.results and all(h.price is not None and h.price < 20_000 for h in result.results)
    inclusive = await search(session, "keripik maks 20rb", limit=20, log=False)
    assert any(h.price == 20_000 for h in inclusive.results)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("keperluan rapat", "Snack Box"),
        ("konsumsi rapat", "Snack Box"),
        ("sncak box", "Snack Box"),
        ("aqua gelas untuk rapat", "Air Mineral Gelas"),
        ("banana chips", "Keripik Pisang"),
        ("tinta printer kantor", "Tinta Printer"),  # a printer itself nobody sells: ink is no printer
        (LETTER, "Snack Box"),
    ],
)
async def test_needs_brands_english_typos_and_generic_words(session: AsyncSession, text: str, expected: str) -> None:
    names = await _refs(session, text)
    assert names and expected in names[0], names


async def test_a_need_does_not_bring_unrelated_generic_matches(session: AsyncSession) -> None:
    assert not any("LELE" in name.upper() for name in await _refs(session, "konsumsi rapat"))


async def test_near_misses_are_related_not_results(session: AsyncSession) -> None:
    result = await search(session, "keripik durian", limit=5, log=False)
    assert result.results == () and result.total == 0
    assert 0 < len(result.related) <= 3 and all("Keripik" in h.product_name for h in result.related)
    assert (await search(session, "keripik pisang", log=False)).related == ()


async def test_no_answer_questions_stay_empty(session: AsyncSession) -> None:
    for text in ("mobil bekas", "tiket pesawat", "jasa pengacara"):
        assert await _refs(session, text) == [], text


async def test_long_request_letter_in_the_chat(app: App, sessions: async_sessionmaker[AsyncSession]) -> None:
    await load_demo_catalog(sessions)
    chat = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await chat.say(LETTER)
    assert "Snack Box" in chat.text.split("\n\n")[1]
    assert t("find.btn_record_need") not in chat.labels()


async def test_near_misses_in_the_chat_offer_to_record_the_need(
    app: App, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await load_demo_catalog(sessions)
    chat = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await chat.say("keripik durian")
    assert chat.said("find.none", query="keripik durian") and chat.said("find.related_title")
    assert chat.said("find.related_mark")
    await chat.press(t("find.btn_record_need"))
    for skip in ("lewati", "lewati"):  # the need's quantity and date (handlers/needs.py)
        await chat.say(skip)
    await chat.press(t("form.btn_save"))
    async with sessions() as s:
        entry = await s.scalar(select(SearchLog).where(SearchLog.query == "keripik durian"))
        assert entry is not None and entry.unmet and entry.need_recorded


async def test_few_full_answers_are_followed_by_the_same_kind_without_the_most_specific_word(
    session: AsyncSession,
) -> None:
    """ "keripik pisang balado": the one balado first, then the other keripik pisang (never keripik singkong);
    a question nobody answers whole gets nothing added ("keripik pisang durian" has no full answer)."""
    result = await search(session, "keripik pisang balado", limit=10, log=False)
    names = [h.product_name for h in result.results]
    assert names[0] == "Keripik Pisang Balado Pedas"
    assert {"Keripik Pisang Cokelat", "Keripik Pisang Original Asin"} <= set(names[1:])
    assert all("Keripik Pisang" in n for n in names)
    scores = [h.score for h in result.results]
    assert scores == sorted(scores, reverse=True)
    assert (await search(session, "kursi roda", log=False)).results == ()


def test_english_words_of_several_kinds_do_not_widen_the_indonesian_word() -> None:
    """ "crackers" may be kerupuk or rempeyek; "kerupuk" is kerupuk. "boxed lunches" is nasi kotak (plural, and
    "boxed" after a number is no unit)."""
    kerupuk = parse_query("kerupuk", METRO).concepts
    assert [alt for c in kerupuk for alt in c.alternatives] == [("kerupuk",)]
    crackers = parse_query("crackers", METRO).concepts
    assert {("kerupuk",), ("rempeyek",)} <= {alt for c in crackers for alt in c.alternatives}
    lunches = parse_query("i need 100 boxed lunches", METRO)
    assert ("nasibox",) in lunches.concepts[0].alternatives and lunches.quantity == 100


async def test_one_english_name_of_several_words_is_padded_word_by_word(session: AsyncSession) -> None:
    """ "organic rice" is beras organik: the organic one first, then the other rice."""
    names = [h.product_name for h in (await search(session, "organic rice", limit=10, log=False)).results]
    assert names[0] == "Beras Merah Organik 1 kg"
    assert len(names) > 1 and all(n.startswith("Beras") for n in names)


def test_a_wish_anywhere_in_a_letter_holds_but_halal_bihalal_is_no_wish() -> None:
    parsed = parse_query("hi, we need snack boxes for 200 people next week, halal please", METRO)
    assert parsed.filters.halal and required("hi, we need snack boxes for 200 people next week") == ["snack boxes"]
    assert not parse_query("butuh snack box untuk acara halal bihalal kantor", METRO).filters.halal
    letter = "Saya dari Kementerian Dalam Negeri. Kami butuh nasi kotak 50 porsi untuk rapat tanggal 3, terima kasih."
    assert not parse_query(letter, METRO).filters.tkdn  # outside the need, "dalam negeri" is a name


def test_after_a_service_verb_untuk_names_the_object() -> None:
    letter = "Kepada Yth penyedia, kami membutuhkan jasa servis untuk 5 unit laptop dan printer yang rusak"
    assert "laptop" in required(letter)
    assert required("cabai fresh from local farmers") == ["cabai"]  # "from" says where from


def test_laundry_is_not_every_washing() -> None:
    """English "laundry" finds laundries, not "Cuci AC" or "Sabun Cuci Piring" through a bare "cuci"."""
    alternatives = {alt for c in parse_query("laundry service", METRO).concepts for alt in c.alternatives}
    assert ("laundry",) in alternatives and ("cuci",) not in alternatives


async def test_a_thing_missing_under_the_wishes_gives_its_kind_there_as_near_misses(session: AsyncSession) -> None:
    """ "kain batik tulis" exists, none in Metro Utara: no answer, and the batik there as near misses (the
    chat's "Yang mendekati"); a thing nobody sells stays unanswered under a place too."""
    result = await search(session, "kain batik tulis di metro utara", log=False)
    assert result.results == () and result.related
    assert all("Batik" in h.product_name and h.kecamatan == "Metro Utara" for h in result.related)
    assert (await search(session, "kursi roda di metro utara", log=False)).results == ()


async def test_the_chat_says_when_the_answers_are_not_all_of_the_question(
    app: App, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await load_demo_catalog(sessions)
    chat = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await chat.say("keripik pisang lumer")  # no "lumer" in the catalog: the other keripik pisang, said so
    assert chat.said("find.relaxed") and "Keripik Pisang" in chat.text
    assert t("find.btn_record_need") in chat.labels()  # not all of it found: the need may be recorded
    async with sessions() as s:
        entry = await s.scalar(select(SearchLog).where(SearchLog.query == "keripik pisang lumer"))
        assert entry is not None and entry.unmet and entry.hit_count > 0
    await chat.say("keripik pisang")
    assert not chat.said("find.relaxed")  # all of it found: no such line
    assert t("find.btn_record_need") not in chat.labels()


def test_a_size_ranks_but_is_not_required() -> None:
    concepts = {c.label: c for c in parse_query("air mineral botol 600ml", METRO).concepts}
    assert concepts["600ml"].optional and ("600", "ml") in concepts["600ml"].alternatives
    assert not concepts["air mineral botol"].optional
    assert required("Perlu cepat: banner 2x1 m 5 lembar untuk sosialisasi besok pagi") == ["banner"]


async def test_words_the_stemmer_turns_into_another_thing_are_asked_as_written(session: AsyncSession) -> None:
    """ "gorengan" (fried street snacks) is no "goreng" product, and no word form of it either: the snack box
    that holds one is found, no "Ayam Goreng"."""
    assert parse_query("gorengan", METRO).concepts[0].alternatives == (("gorengan",),)
    names = [h.product_name for h in (await search(session, "gorengan", limit=10, log=False)).results]
    assert names == ["Snack Box Premium"]
    assert required("who can make an iron canopy") == ["iron", "kanopi"]  # "make" is no typo of "cake"


@pytest.mark.parametrize(
    ("text", "kelurahan"),
    [("keripik di yosomulya", "Yosomulyo"), ("kue daerah rejomulya", "Rejomulyo"), ("keripik di ganjarsari", None)],
)
def test_a_kelurahan_written_a_little_differently_after_a_place_word(text: str, kelurahan: str | None) -> None:
    """Only a clear winner counts: "ganjarsari" is as close to Ganjaragung as to Ganjarasri."""
    assert parse_query(text, METRO).filters.kelurahan == kelurahan


def test_a_later_sentence_that_specifies_gives_examples_that_rank() -> None:
    letter = "Kami membutuhkan plakat untuk 10 orang pensiunan. Bahan kayu atau akrilik. Terima kasih."
    concepts = {c.label: c.optional for c in parse_query(letter, METRO).concepts}
    assert concepts["plakat"] is False and concepts["kayu"] is concepts["akrilik"] is True


def test_an_agent_noun_known_only_by_its_root_names_the_seller() -> None:
    """ "pekebun cabai": the stemmer reads pekebun as kebun, a word of the catalog, but the buyer wants cabai."""
    vocab = Vocabulary({"kebun": 3, "cabai": 5, "sayur": 4})
    concepts, _ = correct_concepts(parse_query("pekebun cabai", METRO).concepts, vocab)
    assert {c.label: c.optional for c in concepts} == {"pekebun": True, "cabai": False}
    alone, _ = correct_concepts(parse_query("pekebun", METRO).concepts, vocab)
    assert [c.optional for c in alone] == [False]  # alone it is all there is to go on


def test_english_fillers_are_dropped_but_never_typo_targets() -> None:
    """ "could you recommend a good batik seller": batik; "bike repair" keeps "bike" (one letter from the filler
    "like"), so nothing is answered instead of any repair service."""
    assert required("could you recommend a good batik seller") == ["batik"]
    assert "bike" in required("bike repair")


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("kami butuh meja kantor, diutamakan yang sudah tayang di e-katalog", ["meja"]),
        ("seragam pdh wajib ber TKDN minimal 40%", ["seragam", "pdh"]),
        ("kursi kantor TKDN+BMP 40%", ["kursi"]),
    ],
)
def test_how_strongly_a_wish_is_meant_names_nothing(text: str, things: list[str]) -> None:
    parsed = parse_query(text, METRO)
    assert required(text) == things and (parsed.filters.tkdn or parsed.filters.ekatalog)
