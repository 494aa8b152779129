"""How retrieval picks its PostgreSQL plan for a newest-first question: never which products come back."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.search.index import Vocabulary
from bot.services.search.query import SearchFilters
from bot.services.search.retrieval import CANDIDATES, expected, fetch_matches, few_matches


def test_documents_is_the_most_frequent_term_and_follows_writes() -> None:
    vocab = Vocabulary(df={"keripik": 400, "pisang": 100, "jl": 1000})
    assert vocab.documents() == 1000
    for _ in range(5):
        vocab.add(["jl", "karpet"])
    assert vocab.documents() == 1005
    assert Vocabulary(df={}).documents() == 0


def test_expected_matches_assume_independent_terms() -> None:
    vocab = Vocabulary(df={"jl": 100_000, "karpet": 2_000, "kecmetroutara": 20_000, "nasi": 10_000, "kotak": 10_000})
    assert expected([[("karpet",)], [("kecmetroutara",)]], vocab) == pytest.approx(400)
    # A concept's alternatives add up; an alternative of several tokens needs them all.
    assert expected([[("karpet",), ("nasi", "kotak")]], vocab) == pytest.approx(3_000)
    assert expected([[("tidakada",)]], vocab) == 0
    assert expected([[("karpet",)]], None) == 0


def test_few_matches_prefers_the_walk_for_common_words() -> None:
    vocab = Vocabulary(df={"jl": 100_000, "keripik": 47_000, "pisang": 15_000, "karpet": 2_600, "metroutara": 20_000})
    keripik_pisang = [[("keripik",)], [("pisang",)]]  # ~7,000 matches: the walk ends early
    karpet_in_metro_utara = [[("karpet",)], [("metroutara",)]]  # ~500: the walk would read ~10,000 rows
    assert not few_matches([keripik_pisang], vocab)
    assert few_matches([karpet_in_metro_utara], vocab)
    assert not few_matches([karpet_in_metro_utara], Vocabulary(df={}))  # nothing known: PostgreSQL's own plan


async def test_sparse_is_the_same_answer(demo_session: AsyncSession) -> None:
    groups = [[[("keripik",)]], [[("kopi",)]]]
    walked = await fetch_matches(demo_session, groups, SearchFilters(), limit=CANDIDATES, by_recent=True, scored=False)
    picked = await fetch_matches(
        demo_session, groups, SearchFilters(), limit=CANDIDATES, by_recent=True, scored=False, sparse=True
    )
    assert walked and [c.product_id for c in picked] == [c.product_id for c in walked]
    assert [c.product_id for c in walked] == sorted((c.product_id for c in walked), reverse=True)


async def test_one_statement_serves_every_filter_value(demo_session: AsyncSession) -> None:
    """The full-text statement is built once per shape of question; prices and category are its parameters."""
    groups = [[[("keripik",)]]]

    async def prices(filters: SearchFilters) -> list[int]:
        found = await fetch_matches(demo_session, groups, filters, limit=CANDIDATES, by_recent=True, scored=False)
        return sorted(int(c.price) for c in found if c.price is not None)

    everything = await prices(SearchFilters())
    assert {12_000, 20_000, 25_000, 95_000} <= set(everything)
    assert await prices(SearchFilters(max_price=20_000)) == [p for p in everything if p <= 20_000]
    assert await prices(SearchFilters(max_price=20_000, max_exclusive=True)) == [p for p in everything if p < 20_000]
    assert await prices(SearchFilters(max_price=30_000, min_price=20_000)) == [
        p for p in everything if 20_000 <= p <= 30_000
    ]
    assert await prices(SearchFilters(category="makanan-minuman")) == everything
    assert await prices(SearchFilters(category="atk")) == []
