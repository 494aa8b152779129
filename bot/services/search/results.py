"""What a search returns: plain frozen values, no text for users (the handlers word them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.services.search.query import SearchFilters


@dataclass(frozen=True)
class Badges:
    """The P3DN facts a buyer weighs: TKDN (product % and vendor certificate), e-Katalog, verified, halal."""

    tkdn_percent: Decimal | None
    tkdn_certified: bool
    ekatalog: bool
    verified: bool
    halal: bool


@dataclass(frozen=True)
class SearchHit:
    """One product found, with its vendor; `score` orders the hits (higher first)."""

    product_ref: str
    product_name: str
    price: Decimal | None
    unit: str | None
    vendor_ref: str
    business_name: str
    kecamatan: str | None
    badges: Badges
    photo_ref: str | None
    score: float


@dataclass(frozen=True)
class SearchResult:
    """The page of hits asked for and how the question was understood.

    `total` counts the confident matches (up to `plan.CANDIDATES`); `normalized` is what was searched
    for after stop words, synonyms and typo correction; `corrections` lists (typed, used) word pairs;
    `relaxed` is True when one later word of a long question had to be left out to find anything.
    """

    results: tuple[SearchHit, ...]
    total: int
    normalized: str
    filters: SearchFilters
    took_ms: float
    search_log_id: int | None = None
    corrections: tuple[tuple[str, str], ...] = ()
    relaxed: bool = False


@dataclass(frozen=True)
class Candidate:
    """A matching product as read from the database, before P3DN ranking."""

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
    relevance: float
