"""Candidate retrieval: SQLite FTS5 with bm25(), or PostgreSQL tsvector ('simple') with ts_rank().

Both take the same safe expression tree (see `fts.py`) and filters and return the same `Candidate`s, with
`relevance` higher-is-better. Only visible products are returned (the join to vendors drops orphans).

Latency: ranking is the expensive part when a query matches a large share of the catalog (bm25 runs
over every match, and its statistics read every document of every term). When the estimated match count
is above `RANKED_MAX`, the newest `limit` matches are taken in rowid order (the index walks them without
sorting) unscored, and `ranking.py` orders them by name match and P3DN badges
(100k products, "keripik pisang" with 13k matches: 58 ms ranked, 0.07 ms newest-first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, bindparam, case, column, func, literal_column, or_, select, table
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.search.fts import Conjunction, fts5_match, pg_tsquery
from bot.services.search.query import SearchFilters
from bot.services.search.results import Candidate
from models import Product, Vendor

RANKED_MAX = 1000

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
)
_FTS = table("products_fts", column("rowid"))


def _where(stmt: Select[Any], filters: SearchFilters) -> Select[Any]:
    # Places are matched by their marker tokens only (see tokens.py): the index text is built from a
    # lenient reading of the vendor's kecamatan/kelurahan/address, which a column comparison is not.
    stmt = stmt.where(Product.visible.is_(True))
    if filters.tkdn:
        stmt = stmt.where(or_(Vendor.tkdn_certified.is_(True), Product.tkdn_percent > 0))
    if filters.ekatalog:
        stmt = stmt.where(Vendor.ekatalog.is_(True))
    if filters.halal:
        stmt = stmt.where(Vendor.halal.is_(True))
    if filters.max_price is not None:
        stmt = stmt.where(Product.price <= filters.max_price)
    if filters.category:
        stmt = stmt.where(Product.category == filters.category)
    return stmt


def _candidate(row: Any) -> Candidate:
    # Positional: _COLUMNS are in Candidate's field order (4x faster than reading the row by name).
    *fields, relevance = row
    return Candidate(*fields, relevance=float(relevance or 0.0))


def _sqlite_match(conjunctions: Sequence[Conjunction], by_recent: bool, scored: bool) -> Select[Any] | None:
    expression = fts5_match(conjunctions)
    if expression is None:
        return None
    bm25 = literal_column("bm25(products_fts)")
    stmt = (
        select(*_COLUMNS, (-bm25 if scored else literal_column("1.0")).label("relevance"))
        .select_from(_FTS)
        .join(Product, Product.id == _FTS.c.rowid)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(sql_text("products_fts MATCH :match").bindparams(match=expression))
    )
    return stmt.order_by(_FTS.c.rowid.desc() if by_recent else bm25)


def _pg_match(conjunctions: Sequence[Conjunction], by_recent: bool, scored: bool) -> Select[Any] | None:
    expression = pg_tsquery(conjunctions)
    if expression is None:
        return None
    tsv = literal_column("products.search_tsv")
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("tsq", expression, type_=Text))
    relevance = func.ts_rank(tsv, tsquery, 1)
    stmt = (
        select(*_COLUMNS, (relevance if scored else literal_column("1.0")).label("relevance"))
        .select_from(Product)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(tsv.op("@@")(tsquery))
    )
    return stmt.order_by(Product.id.desc() if by_recent else relevance.desc())


async def fetch_matches(
    session: AsyncSession,
    conjunctions: Sequence[Conjunction],
    filters: SearchFilters,
    *,
    limit: int,
    by_recent: bool = False,
    scored: bool = True,
) -> list[Candidate]:
    """Products whose index text satisfies the expression and the filters, best first, at most `limit`.

    `by_recent` walks the matches newest first instead of ranking them all; `scored=False` gives every
    match the same relevance (for browsing by filters).
    """
    builder = _sqlite_match if session.get_bind().dialect.name == "sqlite" else _pg_match
    stmt = builder(conjunctions, by_recent, scored)
    if stmt is None:
        return []
    rows = await session.execute(_where(stmt, filters).limit(limit))
    return [_candidate(row) for row in rows]


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
    rows = await session.execute(stmt.limit(limit))
    return [_candidate(row) for row in rows]
