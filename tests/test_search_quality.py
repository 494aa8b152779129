"""Search quality over the demo catalog: recall@5 and MRR on a hand-made question set, zero results for
questions the catalog cannot answer (tests/data/search_quality.csv).

recall@5 of a question = expected products in the top 5 / min(expected, 5); MRR uses the rank of the
first expected product. Run with `-s` to see the per-question misses and the numbers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.catalog_io import load_demo_catalog
from bot.services.search import search

QUALITY_FILE = Path(__file__).resolve().parent / "data" / "search_quality.csv"
MIN_RECALL_AT_5 = 0.9


@dataclass(frozen=True)
class Case:
    query: str
    expected: frozenset[str]
    kind: str


def load_cases() -> list[Case]:
    with QUALITY_FILE.open(encoding="utf-8", newline="") as fh:
        return [Case(r["query"], frozenset(r["expected"].split()), r["kind"]) for r in csv.DictReader(fh)]


def test_quality_set_is_big_enough() -> None:
    cases = load_cases()
    kinds = {c.kind for c in cases}
    assert len(cases) >= 60
    assert sum(not c.expected for c in cases) >= 10
    assert {"morphology", "variant", "typo", "synonym", "noise", "filter", "none"} <= kinds


async def test_search_quality(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await load_demo_catalog(sessions) > 100
    recalls: list[float] = []
    reciprocal_ranks: list[float] = []
    misses: list[str] = []
    answered_unanswerable: list[str] = []
    async with sessions() as session:
        for case in load_cases():
            result = await search(session, case.query, limit=5, log=False)
            refs = [hit.product_ref for hit in result.results]
            if not case.expected:
                if refs:
                    answered_unanswerable.append(f"{case.query!r} -> {refs}")
                continue
            recall = len(case.expected & set(refs)) / min(len(case.expected), 5)
            first = next((i for i, ref in enumerate(refs, start=1) if ref in case.expected), None)
            recalls.append(recall)
            reciprocal_ranks.append(1 / first if first else 0.0)
            if recall < 1:
                misses.append(f"[{case.kind}] {case.query!r}: recall {recall:.2f} got {refs} ({result.normalized!r})")
    recall_at_5 = sum(recalls) / len(recalls)
    mrr = sum(reciprocal_ranks) / len(reciprocal_ranks)
    print(f"\nsearch quality: {len(recalls)} answerable questions, recall@5 = {recall_at_5:.3f}, MRR = {mrr:.3f}")
    print("\n".join(misses))
    assert not answered_unanswerable, answered_unanswerable
    assert recall_at_5 >= MIN_RECALL_AT_5
