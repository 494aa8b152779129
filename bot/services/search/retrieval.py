"""Retrieval: from a parsed question to full-text queries, tried in order until one finds something.

*Confidence rule.* Every concept of the question must match (after typo correction). Only when that finds
nothing and the question has 3+ concepts may one concept after the first two be left out (the first words
name the thing wanted: "keripik pisang lumer" still finds keripik pisang, "sewa mobil pengantin" does not
fall back to "sewa pengantin"). A category word ("kerajinan tapis") is a filter first and is dropped if
that finds nothing. Nothing weaker is returned from here (`service.py` may follow a strict answer with the
same kind's other variants, see `_pad` there). Filters become marker tokens (see `index.py`) in the
same full-text query, so the index narrows by them.

*Safe expressions.* User text never reaches either engine: SQLite FTS5 `MATCH` and PostgreSQL
`to_tsquery('simple', ...)` expressions are assembled here from tokens that fully match `[^\\W_]+`
(letters and digits only), each one quoted, joined with our own operators. Anything else (quotes,
AND/OR/NOT/NEAR as operators, `*`, `:`, `-`, parentheses, emoji, NUL) cannot get in; an operator word the
buyer typed is just a quoted word. Shape: OR over *conjunctions*; a conjunction is AND over *concepts*; a
concept is OR over *alternatives*; an alternative is AND over tokens.

*Engines.* SQLite FTS5 with bm25(), or PostgreSQL tsvector ('simple') with ts_rank(); both return the
same `Candidate`s, with `relevance` higher-is-better. Only visible products are returned (the join to
vendors drops orphans). Ranking is the expensive part when a query matches a large share of the catalog
(bm25 runs over every match, and its statistics read every document of every term): when the estimated
match count is above `RANKED_MAX`, the newest matches are taken in rowid order (the index walks them
without sorting) unscored, and `ranking.py` orders them by name match and P3DN badges (100k products,
"keripik pisang" with 13k matches: 58 ms ranked, 0.07 ms newest-first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from math import prod
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.util import ClauseAdapter

from bot.services.claims import EKATALOG_CHECKED, HALAL_CHECKED, PERCENT_CHECKED, TKDN_CHECKED, checked_mask
from bot.services.search.index import (
    EKATALOG,
    HALAL,
    TKDN,
    TKDN25,
    TKDN40,
    Vocabulary,
    category_token,
    kecamatan_token,
    kelurahan_token,
)
from bot.services.search.query import SERVICE_WORDS, Concept, ParsedQuery, SearchFilters
from models import Product, Vendor

CANDIDATES = 50  # ranked per question; `SearchResult.total` counts up to this
CORE_CONCEPTS = 2  # the relaxed fallback never drops these
RANKED_MAX = 1000
SPARSE_FACTOR = 3  # a row read through the full-text index costs about this many rows of a newest-first walk


class Candidate(NamedTuple):
    """A matching product as read from the database, before P3DN ranking (a named tuple: made for every row
    of every question: a third of the cost of a frozen dataclass of these 20 fields)."""

    product_id: int
    product_ref: str
    product_name: str
    price: Decimal | None
    unit: str | None
    photo_ref: str | None
    tkdn_percent: Decimal | None
    updated_at: datetime | None
    vendor_ref: str
    business_name: str
    kecamatan: str | None
    ekatalog: bool
    tkdn_certified: bool
    verified: bool
    halal: bool
    # Which claims the Dinas checked (bot/services/claims.py): ranking counts only these.
    tkdn_checked: bool
    percent_checked: bool
    ekatalog_checked: bool
    halal_checked: bool
    relevance: float


# ------------------------------------------------------------------------ safe full-text expressions

Alternative = Sequence[str]
ConceptTerms = Sequence[Alternative]
Conjunction = Sequence[ConceptTerms]

_TOKEN_RE = re.compile(r"[^\W_]+")


def _safe(tokens: Alternative) -> list[str]:
    return [t for t in tokens if _TOKEN_RE.fullmatch(t)]


def _build(conjunctions: Sequence[Conjunction], quote: str, and_: str, or_: str) -> str | None:
    ors: list[str] = []
    for conjunction in conjunctions:
        ands: list[str] = []
        for concept in conjunction:
            alts = []
            for alternative in concept:
                toks = [quote + t + quote for t in _safe(alternative)]
                if toks:
                    alts.append(toks[0] if len(toks) == 1 else "(" + and_.join(toks) + ")")
            if not alts:
                break  # a concept with nothing searchable makes this conjunction unmatchable
            ands.append(alts[0] if len(alts) == 1 else "(" + or_.join(dict.fromkeys(alts)) + ")")
        else:
            if ands:
                ors.append(ands[0] if len(ands) == 1 else "(" + and_.join(ands) + ")")
    if not ors:
        return None
    return ors[0] if len(ors) == 1 else or_.join(dict.fromkeys(ors))


def fts5_match(conjunctions: Sequence[Conjunction]) -> str | None:
    """An FTS5 MATCH expression such as `("nasibox" OR ("nasi" AND "kotak")) AND "ayam"`."""
    return _build(conjunctions, '"', " AND ", " OR ")


def pg_tsquery(conjunctions: Sequence[Conjunction]) -> str | None:
    """A `to_tsquery('simple', ...)` string such as `('nasibox' | ('nasi' & 'kotak')) & 'ayam'`."""
    return _build(conjunctions, "'", " & ", " | ")


def filter_tokens(filters: SearchFilters) -> list[str]:
    """The marker tokens every product meeting these filters has in its index text (price has none)."""
    tokens = []
    if filters.kelurahan:
        tokens.append(kelurahan_token(filters.kelurahan))
    elif filters.kecamatan:
        tokens.append(kecamatan_token(filters.kecamatan))
    if filters.category:
        tokens.append(category_token(filters.category))
    tokens += [flag for flag, on in ((TKDN, filters.tkdn), (EKATALOG, filters.ekatalog), (HALAL, filters.halal)) if on]
    return tokens


def filter_markers(filters: SearchFilters) -> list[ConceptTerms]:
    """The filters as concepts of marker tokens, each required: the place is one concept whose alternatives
    are the kecamatan named ("Metro Pusat atau Metro Barat": either), the others one token each."""
    tokens = filter_tokens(filters)
    if not filters.other_kecamatan or filters.kelurahan or not filters.kecamatan:
        return [((token,),) for token in tokens]
    places = tuple((kecamatan_token(k),) for k in (filters.kecamatan, *filters.other_kecamatan))
    return [places, *(((token,),) for token in tokens[1:])]


# ----------------------------------------------------------------------------------- the two engines

_COLUMNS = (
    Product.id,
    Product.product_ref,
    Product.name,
    Product.price,
    Product.unit,
    Product.photo_ref,
    Product.tkdn_percent,
    Product.updated_at,
    Vendor.vendor_ref,
    Vendor.business_name,
    Vendor.kecamatan,
    Vendor.ekatalog,
    Vendor.tkdn_certified,
    Vendor.verified,
    Vendor.halal,
    checked_mask(),
)
_FTS = table("products_fts", column("rowid"))
# What the answer reads of a product (in `_COLUMNS` and the claim checks), and its vendor to join.
_PRODUCT_COLUMNS = (*(c for c in _COLUMNS[:8]), Product.vendor_id)


def _where(stmt: Select[Any], filters: SearchFilters, *, vendor_joined: bool = True) -> Select[Any]:
    """The filters as SQL conditions. Prices and the category are named parameters whose values
    `_where_values` gives, so one statement serves every value (see `_match_statement`)."""
    # Places are matched by their marker tokens only (see index.py): the index text is built from a
    # lenient reading of the vendor's kecamatan/kelurahan/address, which a column comparison is not. (So
    # `_shape` gives them as stand-ins: a place condition here would have to become a parameter.)
    stmt = stmt.where(Product.visible.is_(True))
    if filters.tkdn and vendor_joined:
        stmt = stmt.where(or_(Vendor.tkdn_certified.is_(True), Product.tkdn_percent > 0))
    elif filters.tkdn:
        # The product's own percent first: the seller's certificate is looked up only for products without one,
        # in a hash of the certified sellers built once. `IN`, not a correlated EXISTS: PostgreSQL costs an
        # EXISTS as one lookup per row even when it hashes it, which made newest-first walks look 35x dearer
        # than they are ("keripik singkong tkdn", 100k: 3,580 -> 636 buffers).
        certified = select(Vendor.id).where(Vendor.tkdn_certified.is_(True))
        stmt = stmt.where(or_(Product.tkdn_percent > 0, Product.vendor_id.in_(certified)))
    if filters.ekatalog:
        stmt = stmt.where(Vendor.ekatalog.is_(True))
    if filters.halal:
        stmt = stmt.where(Vendor.halal.is_(True))
    if filters.max_price is not None:
        most = bindparam("max_price", type_=Integer)
        stmt = stmt.where(Product.price < most if filters.max_exclusive else Product.price <= most)
    if filters.min_price is not None:
        stmt = stmt.where(Product.price >= bindparam("min_price", type_=Integer))
    if filters.category:
        stmt = stmt.where(Product.category == bindparam("category", type_=String))
    return stmt


def _where_values(filters: SearchFilters) -> dict[str, Any]:
    """The values of `_where`'s parameters for these filters."""
    values: dict[str, Any] = {}
    if filters.max_price is not None:
        values["max_price"] = filters.max_price
    if filters.min_price is not None:
        values["min_price"] = filters.min_price
    if filters.category:
        values["category"] = filters.category
    return values


def _shape(filters: SearchFilters) -> SearchFilters:
    """The filters with the values `_where` takes as parameters replaced by stand-ins: equal shapes give
    the same SQL (every other field stays, so a condition added to `_where` can never be lost). Places are
    stand-ins too: `_where` never reads them (their marker tokens are in the full-text expression), and one
    statement per kelurahan was built and compiled the first time each was asked (~2 ms on PostgreSQL)."""
    return replace(
        filters,
        max_price=None if filters.max_price is None else 0,
        min_price=None if filters.min_price is None else 0,
        category="?" if filters.category else None,
        kecamatan="?" if filters.kecamatan else None,
        kelurahan="?" if filters.kelurahan else None,
        other_kecamatan=("?",) if filters.other_kecamatan else (),
    )


def _candidate(row: Any) -> Candidate:
    # Positional: _COLUMNS are in Candidate's field order (4x faster than reading the row by name), the four
    # checked claims as one mask.
    *fields, checked, relevance = row
    checked = int(checked or 0)
    return Candidate(
        *fields,
        bool(checked & TKDN_CHECKED),
        bool(checked & PERCENT_CHECKED),
        bool(checked & EKATALOG_CHECKED),
        bool(checked & HALAL_CHECKED),
        float(relevance or 0.0),
    )


def _sqlite_match(shape: SearchFilters, by_recent: bool, scored: bool, limit: int) -> Select[Any]:
    bm25 = literal_column("bm25(products_fts)")
    stmt = (
        select(*_COLUMNS, (-bm25 if scored else literal_column("1.0")).label("relevance"))
        .select_from(_FTS)
        .join(Product, Product.id == _FTS.c.rowid)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(sql_text("products_fts MATCH :match"))
    )
    return _where(stmt.order_by(_FTS.c.rowid.desc() if by_recent else bm25), shape).limit(limit)


def _pg_match(shape: SearchFilters, by_recent: bool, scored: bool, limit: int, sparse: bool) -> Select[Any]:
    # The matches are filtered, ordered and cut to `limit` on products alone, and only those rows are joined
    # to their vendors and claims: joining every match first hashed the whole vendors table for each
    # question (100k products, "kopi bubuk di bawah 50 ribu", 1,115 matches: ~30% faster).
    tsv = literal_column("products.search_tsv")
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("tsq", type_=Text))
    relevance = func.ts_rank(tsv, tsquery, 1)
    # The inner query reads each kept product's row anyway: it carries the columns the answer shows, so the
    # outer one joins only vendors and claims (not a second look-up of 50 products: ~200 buffers a question).
    inner = select(*_PRODUCT_COLUMNS, (relevance if scored else literal_column("1.0")).label("relevance"))
    inner = inner.select_from(Product).where(tsv.op("@@")(tsquery))
    joined = shape.ekatalog or shape.halal  # the filters that read only the vendor's columns
    if joined:
        inner = inner.join(Vendor, Vendor.id == Product.vendor_id)
    best = _where(inner, shape, vendor_joined=joined)
    # `id + 0` is the same order, but one the primary key cannot give: the matches are collected through the
    # full-text index and the newest kept, instead of walking the whole catalog newest first (see `sparse`).
    newest = (Product.id + 0).desc() if sparse else Product.id.desc()
    best = best.order_by(newest if by_recent else relevance.desc()).limit(limit)
    found = best.subquery("found")
    from_found = ClauseAdapter(found)  # the product columns inside the claim checks read `found` too
    shown = [found.c[c.key] for c in _COLUMNS[:8]] + [from_found.traverse(c.expression) for c in _COLUMNS[8:]]
    return (
        select(*shown, found.c.relevance)
        .select_from(found)
        .join(Vendor, Vendor.id == found.c.vendor_id)
        .order_by(found.c.id.desc() if by_recent else found.c.relevance.desc())
    )


@lru_cache(maxsize=512)
def _match_statement(
    dialect: str, shape: SearchFilters, by_recent: bool, scored: bool, limit: int, sparse: bool
) -> Select[Any]:
    """The full-text statement for one shape of question, built once: the expression (`match` on SQLite,
    `tsq` on PostgreSQL) and the filter values are parameters. Building it and its cache key cost about as
    much client time as PostgreSQL's whole answer to a rare word (~0.5 ms a question, 100k products)."""
    if dialect == "sqlite":
        return _sqlite_match(shape, by_recent, scored, limit)
    return _pg_match(shape, by_recent, scored, limit, sparse)


async def fetch_matches(
    session: AsyncSession,
    conjunctions: Sequence[Conjunction],
    filters: SearchFilters,
    *,
    limit: int,
    by_recent: bool = False,
    scored: bool = True,
    sparse: bool = False,
) -> list[Candidate]:
    """Products whose index text satisfies the expression and the filters, best first, at most `limit`.

    `by_recent` walks the matches newest first instead of ranking them all; `scored=False` gives every
    match the same relevance (for browsing by filters). `sparse` (PostgreSQL; same results): the matches
    are few for the catalog's size, so the newest are best picked from all of them, not found by walking
    the catalog newest first until `limit` match (which PostgreSQL's planner prefers whenever it expects
    the walk to end early; "karpet di Metro Utara", 100k products: ~12,000 rows read, 3x slower).
    """
    dialect = session.get_bind().dialect.name
    expression = fts5_match(conjunctions) if dialect == "sqlite" else pg_tsquery(conjunctions)
    if expression is None:
        return []
    stmt = _match_statement(dialect, _shape(filters), by_recent, scored, limit, sparse and dialect != "sqlite")
    values = {"match" if dialect == "sqlite" else "tsq": expression, **_where_values(filters)}
    # On the session's connection, as Core: the ORM's result machinery cost ~0.4 ms a question for plain rows.
    connection = await session.connection()
    return [_candidate(row) for row in await connection.execute(stmt, values)]


def _tier_order() -> ColumnElement[int]:
    return case(
        (Product.tkdn_percent >= 40, 1),
        (Product.tkdn_percent >= 25, 2),
        (or_(Vendor.tkdn_certified.is_(True), Product.tkdn_percent > 0), 3),
        else_=4,
    )


async def fetch_browse(session: AsyncSession, filters: SearchFilters, *, limit: int) -> list[Candidate]:
    """Products that meet the filters when the question named no product ("ATK yang TKDN"), P3DN order."""
    stmt = select(*_COLUMNS, literal_column("1.0").label("relevance")).join(Vendor, Vendor.id == Product.vendor_id)
    stmt = _where(stmt, filters).order_by(
        _tier_order(), Vendor.ekatalog.desc(), Vendor.verified.desc(), Product.updated_at.desc(), Product.id.desc()
    )
    rows = await (await session.connection()).execute(stmt.limit(limit), _where_values(filters))
    return [_candidate(row) for row in rows]


# --------------------------------------------------------------------- attempts, strict then relaxed


@dataclass(frozen=True)
class Attempt:
    """One full-text query: these concepts (all, or all but one later one) under these filters."""

    concepts: tuple[Concept, ...]
    filters: SearchFilters
    relaxed: bool = False


def attempts(parsed: ParsedQuery, concepts: tuple[Concept, ...], relax: bool = True) -> Iterator[Attempt]:
    """Strict first (in the kelurahan, then its kecamatan; with, then without a category read from words), then
    the relaxed fallback (if `relax`)."""
    filter_sets = [parsed.filters]
    if parsed.filters.kelurahan:  # many sellers never gave their kelurahan: then its kecamatan
        filter_sets.append(replace(parsed.filters, kelurahan=None))
    if parsed.category_from_words and parsed.concepts:
        filter_sets += [replace(f, category=None) for f in filter_sets]
    for filters in filter_sets:
        yield Attempt(concepts, filters)
    if relax and droppable(concepts):
        for filters in filter_sets:
            yield Attempt(concepts, filters, relaxed=True)


def droppable(concepts: Sequence[Concept]) -> list[int]:
    """Where the relaxed fallback may leave one concept out: never the first `CORE_CONCEPTS`, nor what a
    service is done to ("sabun cuci baju": soap for washing clothes is no dish soap, whatever else it says)."""
    core = set(range(CORE_CONCEPTS))
    core |= {i + 1 for i, c in enumerate(concepts) if c.word in SERVICE_WORDS}
    return [i for i in range(len(concepts)) if i not in core]


def conjunctions(attempt: Attempt) -> list[Conjunction]:
    """The attempt as an OR of AND-groups of concepts, each group also requiring the filter tokens."""
    terms = [c.alternatives for c in attempt.concepts]
    groups = [terms[:i] + terms[i + 1 :] for i in droppable(attempt.concepts)] if attempt.relaxed else [terms]
    markers = filter_markers(attempt.filters)
    return [[*group, *markers] for group in groups]


def estimate(conjunction: Conjunction, vocab: Vocabulary | None) -> int:
    """An upper bound of the products matching one AND-group, from document frequencies."""
    if vocab is None or not conjunction:
        return 0
    return min(sum(min((vocab.frequency(t) for t in alt), default=0) for alt in c) for c in conjunction)


def expected(conjunction: Conjunction, vocab: Vocabulary | None) -> float:
    """The products likely to match one AND-group if its terms occurred independently; an overestimate
    when the catalog is larger than its most frequent term."""
    documents = vocab.documents() if vocab else 0
    if vocab is None or not documents:
        return 0.0
    share = 1.0
    for concept in conjunction:
        share *= min(1.0, sum(prod(vocab.frequency(t) / documents for t in alt) for alt in concept))
    return share * documents


def few_matches(groups: Sequence[Conjunction], vocab: Vocabulary | None) -> bool:
    """Whether picking the newest of all the matches is cheaper than walking the catalog newest first: the
    walk reads about CANDIDATES * size / matches rows, each about a third of the cost of a row read through
    the full-text index (measured at 100k products)."""
    documents = vocab.documents() if vocab else 0
    matches = sum(expected(g, vocab) for g in groups)
    return documents > 0 and matches * matches * SPARSE_FACTOR < CANDIDATES * documents


async def browse(session: AsyncSession, filters: SearchFilters) -> list[Candidate]:
    """Products meeting the filters when no product was named ("ATK yang TKDN"), P3DN tiers first.

    Tier by tier (TKDN >= 40, >= 25, any, then all), newest first, until there are enough candidates:
    each step is a cheap capped index walk instead of a sort of the whole category.
    """
    markers = filter_markers(filters)
    if not markers:
        return await fetch_browse(session, filters, limit=CANDIDATES)
    found: dict[int, Candidate] = {}
    for tier in (TKDN40, TKDN25, TKDN, None):
        group = [*markers, *([((tier,),)] if tier else [])]
        for c in await fetch_matches(session, [group], filters, limit=CANDIDATES, by_recent=True, scored=False):
            found.setdefault(c.product_id, c)
        if len(found) >= CANDIDATES:
            break
    return list(found.values())[:CANDIDATES]


async def find(
    session: AsyncSession,
    parsed: ParsedQuery,
    concepts: tuple[Concept, ...],
    vocab: Vocabulary | None,
    *,
    relax: bool = True,
) -> tuple[list[Candidate], Attempt | None]:
    """Candidates of the first attempt that finds any, and that attempt (None when nothing was found);
    `relax=False` tries the strict attempts only."""
    if not parsed.concepts:
        if not parsed.filters.any():
            return [], None
        return await browse(session, parsed.filters), Attempt((), parsed.filters)
    required = tuple(c for c in concepts if not c.optional)  # "printer kantor" needs a printer
    if not required:
        return [], None  # only generic words ("jual rumah", "kantor"): nothing named, no confident answer
    trade = tuple(c for c in concepts if not c.optional or c.trade)
    # "pembatik tulis": batik tulis where the catalog has it, else anything "tulis" by whoever makes it
    tries = [(trade, False), (required, relax)] if len(trade) > len(required) else [(required, relax)]
    for wanted, relaxing in tries:
        found, attempt = await _first_found(session, parsed, wanted, vocab, relaxing)
        if found:
            return found, attempt
    return [], None


async def _first_found(
    session: AsyncSession, parsed: ParsedQuery, required: tuple[Concept, ...], vocab: Vocabulary | None, relax: bool
) -> tuple[list[Candidate], Attempt | None]:
    for attempt in attempts(parsed, required, relax):
        groups = conjunctions(attempt)
        by_recent = not attempt.relaxed and estimate(groups[0], vocab) > RANKED_MAX
        # bm25 reads every matching document of every term for its statistics, even under LIMIT: a big
        # match set is taken newest first and ranked by its names and P3DN badges alone.
        found = await fetch_matches(
            session,
            groups,
            attempt.filters,
            limit=CANDIDATES,
            by_recent=by_recent,
            scored=not by_recent,
            sparse=by_recent and few_matches(groups, vocab),
        )
        if found:
            return found, attempt
    return [], None


RELATED = 3


async def find_related(
    session: AsyncSession, concepts: tuple[Concept, ...], filters: SearchFilters, vocab: Vocabulary | None
) -> list[Candidate]:
    """Near misses: products that answer *one* of the question's concepts (any alternative), under the
    same filters; never a confident answer, only shown as "the closest we have"."""
    markers = filter_markers(filters)
    groups: list[Conjunction] = [[c.alternatives, *markers] for c in concepts if not c.optional] or [
        [c.alternatives, *markers] for c in concepts
    ]
    if not groups:
        return []
    by_recent = sum(estimate(g, vocab) for g in groups) > RANKED_MAX
    return await fetch_matches(
        session,
        groups,
        filters,
        limit=CANDIDATES,
        by_recent=by_recent,
        scored=not by_recent,
        sparse=by_recent and few_matches(groups, vocab),
    )
