"""Edges found by reviewing this round's query understanding: a one-line question is no letter's line, a
container is the thing when nothing else is named, a bound before a year-like amount is a price, a count is no
price range, a real word after the city's name is no misspelt direction, the fiscal year is nothing."""

from __future__ import annotations

import pytest

from bot.services.region import load_region
from bot.services.search.query import parse_query

METRO = load_region()


def required(text: str) -> list[str]:
    return [c.label for c in parse_query(text, METRO).concepts if not c.optional]


@pytest.mark.parametrize(
    ("text", "words"),
    [("hp 2 unit", ["hp"]), ("lamp 20 pcs", ["lamp"]), ("no 1 kopi", ["no", "kopi"]), ("tempat", ["tempat"])],
)
def test_a_one_line_question_is_no_letters_administrative_line(text: str, words: list[str]) -> None:
    assert required(text) == words


@pytest.mark.parametrize("text", ["butuh 5 jerigen", "beli 2 loyang", "cari 10 tray"])
def test_a_container_after_a_count_is_the_thing_when_nothing_else_is_named(text: str) -> None:
    parsed = parse_query(text, METRO)
    assert [c.label for c in parsed.concepts] == [text.split()[-1]] and parsed.quantity == int(text.split()[1])


def test_a_bound_before_a_year_like_amount_is_a_price_and_the_fiscal_year_is_nothing() -> None:
    below = parse_query("pulpen di bawah 2000", METRO)
    assert below.filters.max_price == 2000 and required("pulpen di bawah 2000") == ["pulpen"]
    fiscal = parse_query("tahun anggaran 2026 butuh kertas", METRO)
    assert fiscal.filters.max_price is None and fiscal.quantity is None
    assert required("tahun anggaran 2026 butuh kertas") == ["kertas"]
    assert parse_query("Kebutuhan TA 2027: kursi lipat", METRO).filters.max_price is None


def test_a_range_of_counted_things_is_a_quantity_not_a_price() -> None:
    parsed = parse_query("snack box from 100 to 200 boxes", METRO)
    assert parsed.filters.max_price is None and parsed.filters.min_price is None and parsed.quantity == 100


@pytest.mark.parametrize(("text", "kecamatan"), [("koran metro utama", None), ("kopi metro pusaka", None),
                                                 ("kopi metro utra", "Metro Utara")])  # fmt: skip
def test_only_a_misspelt_word_after_the_city_is_a_direction(text: str, kecamatan: str | None) -> None:
    assert parse_query(text, METRO).filters.kecamatan == kecamatan


@pytest.mark.parametrize("text", [" " * 999 + "x", "kepada" + " " * 990 + "x", "\t" * 1000, ". " * 500 + "x"])
def test_long_runs_of_blanks_are_read_like_any_text(text: str) -> None:
    assert [c.label for c in parse_query(text, METRO).concepts] in ([], ["x"], ["kepada"], ["kepada", "x"])


# ---- found reviewing the next round's merge (places, long letters, English, flags)


@pytest.mark.parametrize(
    "text",
    ["kopi dan gula aren di bawah 50 ribu", "keripik pisang, kopi, gula aren maksimal 40rb",
     "nasi kotak dan snack box maks 20rb"],
)  # fmt: skip
def test_a_bound_said_at_the_end_of_a_list_binds_every_thing_of_it(text: str) -> None:
    parsed = parse_query(text, METRO)
    assert parsed.filters.max_price is not None
    assert {item.filters.max_price for item in parsed.items} == {parsed.filters.max_price}


@pytest.mark.parametrize(
    ("text", "things"),
    [("madu kampung di metro utara", ["madu", "kampung"]),
     ("telur ayam kampung di metro barat", ["telur", "ayam", "kampung"])],
)  # fmt: skip
def test_a_place_word_after_a_thing_is_part_of_it_not_the_places_lead(text: str, things: list[str]) -> None:
    parsed = parse_query(text, METRO)
    assert required(text) == things and parsed.filters.kecamatan is not None
    assert parse_query("katering satu kecamatan dengan yosomulyo", METRO).concepts[0].label == "katering"


def test_a_broken_things_name_stays_whole_and_only_the_room_after_it_ranks() -> None:
    assert required("mesin cuci tidak nyala") == ["mesin", "cuci"]
    assert required("karpet musholla kotor, ada jasa cuci?") == ["karpet"]


def test_a_landmark_never_leaves_only_a_services_verb_asked() -> None:
    assert "rumah" in {c.label for c in parse_query("sewa rumah dekat kampus", METRO).concepts}
    assert required("sewa rumah dekat kampus") != ["sewa"]


def test_exceeding_alone_is_no_ceiling_and_not_exceeding_is() -> None:
    assert parse_query("snack box exceeding 10k", METRO).filters.max_price is None
    assert parse_query("snack box not exceeding 10k", METRO).filters.max_price == 10000
    assert parse_query("snack box 20k or less", METRO).filters.max_price == 20000
    assert parse_query("snack box 25k maximum", METRO).filters.max_price == 25000
