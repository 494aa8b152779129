"""Questions in English and in English mixed with Indonesian, as expats, students and staff write them: a colour
says which one, not what ("white mukena"); what follows "with" ranks but is not required ("office chair with
wheels"); chat shorthand, weekdays and who it is for name nothing ("any1", "on friday", "for my mum"); an English
occasion beside a thing ranks it in the catalog's words ("cake for a birthday": ulang tahun); and English words
for what nobody sells, or that are one letter from a catalog word ("beer" ~ beef, "mum" ~ umum), stay unanswered."""

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


def required(text: str) -> list[str]:
    return [c.label for c in parse_query(text, METRO).concepts if not c.optional]


def ranking_only(text: str) -> list[str]:
    return [c.label for c in parse_query(text, METRO).concepts if c.optional]


@pytest.mark.parametrize(
    ("text", "thing", "colour"),
    [("white mukena", "mukena", "white"), ("black office chair", "kantor chair", "black"),
     ("red chillies 2 kg", "cabai", "red"), ("navy blue polo shirt", "polo shirt", "navy blue")],
)  # fmt: skip
def test_a_colour_says_which_one_not_what(text: str, thing: str, colour: str) -> None:
    assert required(text) == [thing]
    assert ranking_only(text) == [colour]


@pytest.mark.parametrize(
    ("text", "thing", "feature"),
    [("office chair with wheels", "kantor chair", "wheels"), ("rubber stamp with our company logo", "rubber stempel",
     "logo"), ("leather bag with eco print", "leather bag", "eco print")],
)  # fmt: skip
def test_what_follows_with_ranks_but_is_not_required(text: str, thing: str, feature: str) -> None:
    assert " ".join(required(text)) == thing
    assert feature in ranking_only(text)


def test_with_before_anything_named_is_no_feature() -> None:
    assert required("with wheels") == ["wheels"]


@pytest.mark.parametrize(
    ("text", "thing"),
    [("any1 sell printer ink?", "printer tinta"), ("does any1 knw where to buy coffee", "coffee"),
     ("need 50 lunch boxes on friday", "nasi boxes"), ("where can my mom buy a mukena", "mukena"),
     ("whatsapp me if u sell batik", "batik"), ("lol where can i get honey", "honey"),
     ("looking for a mukena for my mum", "mukena")],
)  # fmt: skip
def test_chat_shorthand_days_and_who_it_is_for_name_nothing(text: str, thing: str) -> None:
    assert required(text) == [thing]
    assert parse_query(text, METRO).normalized == thing


@pytest.mark.parametrize(
    ("text", "words"),
    [("chocolate cake for a birthday", ("ulang", "tahun")), ("print 200 invites for my sister's wedding", ("nikah",)),
     ("goodie bags for a workshop", ("latih",))],
)  # fmt: skip
def test_an_english_occasion_beside_a_thing_ranks_it_in_the_catalogs_words(text: str, words: tuple[str, ...]) -> None:
    occasion = parse_query(text, METRO).concepts[0]
    assert occasion.optional
    assert words in occasion.alternatives


@pytest.mark.parametrize(
    ("text", "alternative"),
    [("print wedding invites", ("undangan",)), ("ironing service", ("setrika",)), ("my printer is broken", ("servis",)),
     ("banner printer listed in e-catalogue", ("spanduk",)), ("namecards", ("kartu", "nama")),
     ("ceramic pots", ("gerabah",)), ("cone tent", ("tenda", "kerucut")), ("face masks", ("masker",)),
     ("tailors", ("jahit",))],
)  # fmt: skip
def test_english_words_find_the_indonesian_product_word(text: str, alternative: tuple[str, ...]) -> None:
    assert any(alternative in c.alternatives for c in parse_query(text, METRO).concepts if not c.optional)


@pytest.mark.parametrize("text", ["kopi bubuk 250 gr", "coffee grounds 250 gr", "madu 1 kilogram", "air 5 ltr"])
def test_a_short_or_english_weight_is_a_quantity(text: str) -> None:
    assert not {"gr", "kilogram", "ltr"} & set(parse_query(text, METRO).normalized.split())


@pytest.mark.parametrize(
    "text",
    ["where to buy beer in Metro", "some cold beers pls", "cat food near me", "dog food", "pork sausages",
     "cigarettes", "vodka or whisky", "gold jewellery"],
)  # fmt: skip
async def test_what_nobody_sells_stays_unanswered(session: AsyncSession, text: str) -> None:
    assert (await search(session, text, log=False)).results == ()


async def test_a_colour_the_catalog_does_not_name_still_finds_the_thing(session: AsyncSession) -> None:
    result = await search(session, "white office chairs", log=False)
    assert [hit.product_name for hit in result.results[:2]] == ["Kursi Kantor Kayu Jati", "Sewa Kursi Futura"]


async def test_clothes_to_be_washed_and_ironed_find_a_laundry(session: AsyncSession) -> None:
    result = await search(session, "where can I get my clothes washed and ironed", log=False)
    assert result.results
    assert result.results[0].product_name == "Laundry Kiloan"


@pytest.mark.parametrize(
    ("text", "word"),
    [("tailors", "jahit"), ("projectors for rent", "proyektor"), ("iron fences", "pagar"), ("rubber stamps", "stempel"),
     ("plaques for the winners", "plakat"), ("hats", "topi")],
)  # fmt: skip
def test_the_plural_of_a_word_the_variants_fold_is_that_word(text: str, word: str) -> None:
    assert any((word,) in c.alternatives for c in parse_query(text, METRO).concepts if not c.optional)


def test_shirts_are_kaos_as_well_as_kemeja_like_a_shirt() -> None:
    concept = parse_query("committee shirts", METRO).concepts[0]
    assert {("kemeja",), ("kaos",)} <= set(concept.alternatives)


@pytest.mark.parametrize(
    ("text", "thing"),
    [("laptop saya rusak need repair", "laptop"), ("laptop saya rusak butuh servis", "laptop"),
     ("computer kami error need repair", "komputer"), ("AC saya bocor need service", "ac")],
)  # fmt: skip
def test_an_owner_after_the_thing_is_no_introduction(text: str, thing: str) -> None:
    assert required(text)[0] == thing


@pytest.mark.parametrize(
    ("text", "ceiling"),
    [("snack box 20k or less", 20000), ("lunch box 25 thousand rupiah max", 25000), ("kaos 50k tops", 50000),
     ("snack box not exceeding rp 20.000", 20000), ("kopi 50rb maksimal", 50000)],
)  # fmt: skip
def test_a_ceiling_said_after_the_amount(text: str, ceiling: int) -> None:
    parsed = parse_query(text, METRO)
    assert parsed.filters.max_price == ceiling
    assert not {"max", "less", "tops", "exceeding", "maksimal"} & set(parsed.normalized.split())


def test_a_count_with_max_is_no_price() -> None:
    parsed = parse_query("snack box 20 pcs max", METRO)
    assert parsed.filters.max_price is None
    assert parsed.quantity == 20
    assert parsed.normalized == "snack box"
