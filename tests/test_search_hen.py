"""English and mixed Indonesian-English questions: English price words bound the price, an amount said without
a bound names no product, English counts are quantities, an English word finds its Indonesian catalog word
(plurals and verb forms too), qualifiers ("in jars", "for kids", "monthly") rank but are never required, an
everyday product phrase wins over a need inside it, and English for things nobody sells stays unanswered."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.region import load_region
from bot.services.search import search
from bot.services.search.query import parse_query

METRO = load_region()


@pytest.fixture
def session(demo_session: AsyncSession) -> AsyncSession:
    return demo_session


def _required(text: str) -> list[str]:
    return [c.label for c in parse_query(text, METRO).concepts if not c.optional]


@pytest.mark.parametrize(
    ("text", "ceiling", "exclusive", "floor"),
    [
        ("snack box cheaper than 12k", 12_000, True, None),
        ("snack box at most 10k per box", 10_000, False, None),
        ("honey below IDR 100,000", 100_000, True, None),
        ("less than IDR 20.000 nasi kotak", 20_000, True, None),
        ("ground coffee max 50 thousand", 50_000, False, None),
        ("tent no more than 3 million", 3_000_000, False, None),
        ("kaos not more than 50k", 50_000, False, None),
        ("budget of 25k snack box", 25_000, False, None),
        ("coffee between 10k and 20k", 20_000, False, 10_000),
        ("t-shirts from 40k to 60k", 60_000, False, 40_000),
        ("batik at least 200k", None, False, 200_001),
    ],
)
def test_english_price_words_bound_the_price(
    text: str, ceiling: int | None, exclusive: bool, floor: int | None
) -> None:
    filters = parse_query(text, METRO).filters
    assert (filters.max_price, filters.max_exclusive, filters.min_price) == (ceiling, exclusive, floor)
    # nothing of the amount is left to search for
    assert not any(ch.isdigit() for c in parse_query(text, METRO).concepts for ch in c.label)


@pytest.mark.parametrize(
    "text", ["kopi harga 50rb", "snack box around 15k", "snack box Rp 15.000", "snack box 15000 rupiah"]
)
def test_an_amount_without_a_bound_names_no_product(text: str) -> None:
    parsed = parse_query(text, METRO)
    assert parsed.filters.max_price is None and parsed.filters.min_price is None
    assert len(_required(text)) == 1  # the thing, not "15k" or "rupiah"


def test_english_counts_are_quantities() -> None:
    assert parse_query("tumpeng for 30 guests", METRO).quantity == 30
    shirts = [c for c in parse_query("custom printed t-shirts 200 pieces", METRO).concepts if not c.optional]
    assert len(shirts) == 1 and ("kaos",) in shirts[0].alternatives
    assert _required("batik fabric by the meter") == ["batik kain"]
    assert _required("fresh eggs by the tray") == ["telur"]


def test_qualifiers_rank_but_are_not_required() -> None:
    concepts = {c.label: c.optional for c in parse_query("homemade chili sauce in jars", METRO).concepts}
    assert concepts["jars"] is True and False in concepts.values()
    concepts = {c.label: c.optional for c in parse_query("office cleaning monthly contract", METRO).concepts}
    assert concepts["monthly"] is True and concepts["contract"] is True
    # a qualifier alone names nothing
    assert _required("monthly contract") == []


def test_verb_forms_and_plurals_find_the_word_list_entry() -> None:
    assert [c.alternatives[0] for c in parse_query("laptop fixed", METRO).concepts][1] == ("servis",)
    assert ("servis", "ac") in parse_query("my AC serviced", METRO).concepts[-1].alternatives  # "ac service"
    assert ("suvenir",) in parse_query("door prizes", METRO).concepts[0].alternatives
    # a plural that the spelling variants fold to Indonesian ("bags" -> tas) still finds its phrase
    assert parse_query("goody bags", METRO).concepts[0].label == "goody tas"


def test_an_everyday_phrase_wins_over_a_need_inside_it() -> None:
    """ "house cleaning" is a cleaning service, not the need "kebersihan" (soap, brooms, laundry)."""
    parsed = parse_query("house cleaning service", METRO)
    assert not any(c.need for c in parsed.concepts)
    assert ("bersih", "rumah") in parsed.concepts[0].alternatives
    assert any(c.need for c in parse_query("kebersihan kantor", METRO).concepts)  # the need itself stays one


def test_local_content_is_tkdn() -> None:
    assert parse_query("local content certified furniture", METRO).filters.tkdn


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where can i get my laptop fixed", "Servis Laptop"),
        ("who can repair a printer", "Servis Printer"),
        ("snack boxes under 12k for 50 pax", "Snack Box"),
        ("honey in glass jars", "Madu"),
        ("ink refill for printer", "Tinta Printer Refill"),
        ("filing cabinet", "Lemari Arsip"),
        ("rekomendasi tempat service laptop dong", "Servis Laptop"),
        ("butuh catering buat meeting besok 40 orang", "Prasmanan"),
        ("men's long sleeve batik shirt", "Kemeja Batik"),
        ("eco-printed silk fabric", "Kain Ecoprint Sutra"),
    ],
)
async def test_english_questions_find_the_catalog_word(session: AsyncSession, text: str, expected: str) -> None:
    result = await search(session, text, log=False)
    assert result.results and expected in result.results[0].product_name, [h.product_name for h in result.results]


async def test_english_price_bound_holds_in_the_answer(session: AsyncSession) -> None:
    result = await search(session, "snack box cheaper than 15k", limit=20, log=False)
    assert result.results and all(h.price is not None and h.price < 15_000 for h in result.results)


@pytest.mark.parametrize(
    "text",
    [
        "where can I rent a car with a driver?",
        "car wash near me",
        "motorcycle spare parts shop",
        "who sells smartphones?",
        "medicine for fever",
        "cement and sand supplier",
        "monthly contract",
        "white t-shirts under 10k",
    ],
)
async def test_english_for_things_nobody_sells_stays_unanswered(session: AsyncSession, text: str) -> None:
    result = await search(session, text, log=False)
    assert result.results == (), [h.product_name for h in result.results]


def test_a_count_glued_to_its_unit_is_a_quantity_and_names_no_need() -> None:
    parsed = parse_query("jual kaos polos ga kak? mau 100pcs", METRO)
    assert parsed.quantity == 100 and "100pcs" not in parsed.normalized
    assert ("kaos",) in parsed.concepts[0].alternatives
    assert parse_query("beras 5kg", METRO).concepts[-1].optional  # a size still ranks


def test_words_after_for_stay_required_when_only_generic_words_come_before() -> None:
    assert _required("local products for gifts") == ["suvenir"]
    assert _required("tumpeng for syukuran kantor") == ["tumpeng"]


def test_english_procurement_framing_is_no_product() -> None:
    assert _required("RFQ for 20 units office chairs") == ["kantor kursi"]  # "office chair"
    parsed = parse_query("we need a cleaning service contractor for 6 months starting next month", METRO)
    assert [c.label for c in parsed.concepts if not c.optional] == ["kebersihan service"]
    assert parsed.date == "next month"


def test_a_halal_cert_or_label_is_the_flag_not_a_product() -> None:
    for text in ("catering with halal cert", "snack box with halal label"):
        parsed = parse_query(text, METRO)
        assert parsed.filters.halal and len(_required(text)) == 1, text


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("we're looking for a caterer", ("katering",)),
        ("don't you sell tumpeng?", ("tumpeng",)),
        ("book a projector for tomorrow", ("proyektor",)),
    ],
)
def test_english_contractions_and_booking_name_no_product(text: str, thing: tuple[str, ...]) -> None:
    concepts = [c for c in parse_query(text, METRO).concepts if not c.optional]
    assert len(concepts) == 1 and thing in concepts[0].alternatives, concepts
