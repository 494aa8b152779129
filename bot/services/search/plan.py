"""From a parsed question to database queries, tried in order until one finds something.

Confidence rule: every concept of the question must match (after typo correction). Only when that finds
nothing and the question has 3+ concepts may one concept after the first two be left out (the first words
name the thing wanted: "keripik pisang lumer" still finds keripik pisang, "sewa mobil pengantin" does not
fall back to "sewa pengantin"). A category word ("kerajinan tapis") is a filter first and is dropped if
that finds nothing. Nothing weaker is ever returned.

Filters become marker tokens in the same full-text query (see `tokens.py`), so the index narrows by them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import combinations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.search.backends import RANKED_MAX, fetch_browse, fetch_matches
from bot.services.search.fts import Conjunction
from bot.services.search.query import Concept, ParsedQuery, SearchFilters, word_concept
from bot.services.search.results import Candidate
from bot.services.search.tokens import TKDN, TKDN25, TKDN40, filter_tokens
from bot.services.search.vocab import Vocabulary, is_stopword_typo

CANDIDATES = 50  # ranked per question; `SearchResult.total` counts up to this
CORE_CONCEPTS = 2  # the relaxed fallback never drops these


@dataclass(frozen=True)
class Attempt:
    """One full-text query: these concepts (all, or all but one later one) under these filters."""

    concepts: tuple[Concept, ...]
    filters: SearchFilters
    relaxed: bool = False


def correct_concepts(
    concepts: tuple[Concept, ...], vocab: Vocabulary
) -> tuple[tuple[Concept, ...], tuple[tuple[str, str], ...]]:
    """Replace words the catalog does not know by the nearest word it does (`sragam` -> `seragam`).

    The typed word stays an alternative (the cached vocabulary may miss a word another process just
    added). A misspelt stop word (`lampng`) is dropped, reported as corrected to "".
    """
    out: list[Concept] = []
    corrections: list[tuple[str, str]] = []
    for concept in concepts:
        word = concept.word
        if word is None or any(all(tok in vocab for tok in alt) for alt in concept.alternatives):
            out.append(concept)
            continue
        fixed = vocab.correct(word)
        if fixed is not None and fixed != word:
            corrections.append((word, fixed))
            better = word_concept(fixed)
            out.append(replace(better, alternatives=better.alternatives + concept.alternatives))
        elif is_stopword_typo(word):
            corrections.append((word, ""))
        else:
            out.append(concept)
    return tuple(out), tuple(corrections)


def attempts(parsed: ParsedQuery, concepts: tuple[Concept, ...]) -> Iterator[Attempt]:
    """Strict first (with, then without a category read from words), then the relaxed fallback."""
    filter_sets = [parsed.filters]
    if parsed.category_from_words and parsed.concepts:
        filter_sets.append(replace(parsed.filters, category=None))
    for filters in filter_sets:
        yield Attempt(concepts, filters)
    if len(concepts) > CORE_CONCEPTS:
        for filters in filter_sets:
            yield Attempt(concepts, filters, relaxed=True)


def conjunctions(attempt: Attempt) -> list[Conjunction]:
    """The attempt as an OR of AND-groups of concepts, each group also requiring the filter tokens."""
    terms = [c.alternatives for c in attempt.concepts]
    if attempt.relaxed:
        core, rest = terms[:CORE_CONCEPTS], terms[CORE_CONCEPTS:]
        groups = [core + list(kept) for kept in combinations(rest, len(rest) - 1)]
    else:
        groups = [terms]
    markers = [((token,),) for token in filter_tokens(attempt.filters)]
    return [[*group, *markers] for group in groups]


def estimate(conjunction: Conjunction, vocab: Vocabulary | None) -> int:
    """An upper bound of the products matching one AND-group, from document frequencies."""
    if vocab is None or not conjunction:
        return 0
    return min(sum(min((vocab.frequency(t) for t in alt), default=0) for alt in c) for c in conjunction)


async def browse(session: AsyncSession, filters: SearchFilters) -> list[Candidate]:
    """Products meeting the filters when no product was named ("ATK yang TKDN"), P3DN tiers first.

    Tier by tier (TKDN >= 40, >= 25, any, then all), newest first, until there are enough candidates:
    each step is a cheap capped index walk instead of a sort of the whole category.
    """
    tokens = filter_tokens(filters)
    if not tokens:
        return await fetch_browse(session, filters, limit=CANDIDATES)
    found: dict[int, Candidate] = {}
    for tier in (TKDN40, TKDN25, TKDN, None):
        group = [((t,),) for t in (*tokens, *([tier] if tier else []))]
        for c in await fetch_matches(session, [group], filters, limit=CANDIDATES, by_recent=True, scored=False):
            found.setdefault(c.product_id, c)
        if len(found) >= CANDIDATES:
            break
    return list(found.values())[:CANDIDATES]


async def find(
    session: AsyncSession, parsed: ParsedQuery, concepts: tuple[Concept, ...], vocab: Vocabulary | None
) -> tuple[list[Candidate], Attempt | None]:
    """Candidates of the first attempt that finds any, and that attempt (None when nothing was found)."""
    if not parsed.concepts:
        if not parsed.filters.any():
            return [], None
        return await browse(session, parsed.filters), Attempt((), parsed.filters)
    for attempt in attempts(parsed, concepts):
        groups = conjunctions(attempt)
        by_recent = not attempt.relaxed and estimate(groups[0], vocab) > RANKED_MAX
        # bm25 reads every matching document of every term for its statistics, even under LIMIT: a big
        # match set is taken newest first and ranked by its names and P3DN badges alone.
        found = await fetch_matches(
            session, groups, attempt.filters, limit=CANDIDATES, by_recent=by_recent, scored=not by_recent
        )
        if found:
            return found, attempt
    return [], None
