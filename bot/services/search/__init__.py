"""Product search: "siapa yang jual X?" (see DESIGN.md, Search).

Modules, in the order a question travels: `text` (the one normalisation of Indonesian text and the word
lists in `data/`), `query` (filters, concepts, needs (`data/concepts.txt`), English and brand words
(`data/everyday.txt`, question time only) and the items of a list read from a question; typo correction),
`index` (what the
index holds, keeping it current, its vocabulary), `retrieval` (safe full-text queries on SQLite FTS5 or
PostgreSQL, strict then relaxed), `ranking` (relevance, then P3DN priority), `service` (`search`,
`record_need`, `asks_for_something`).

Public API: `search`, `record_need`, `asks_for_something`, the result types, and the index maintenance
functions that every catalog write calls (`reindex_product`, `reindex_products`, `reindex_vendor`, `rebuild_index`,
`purge_deleted_text`).
"""

from bot.services.search.index import (
    invalidate_vocabulary,
    product_search_text,
    purge_deleted_text,
    rebuild_index,
    reindex_if_stale,
    reindex_product,
    reindex_products,
    reindex_vendor,
    vendor_search_text,
)
from bot.services.search.query import SearchFilters, parse_query
from bot.services.search.ranking import Badges, SearchHit
from bot.services.search.service import SearchResult, asks_for_something, record_need, search, warm_up
from bot.services.search.text import normalize

__all__ = [
    "Badges",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "asks_for_something",
    "invalidate_vocabulary",
    "normalize",
    "parse_query",
    "product_search_text",
    "purge_deleted_text",
    "rebuild_index",
    "record_need",
    "reindex_if_stale",
    "reindex_product",
    "reindex_products",
    "reindex_vendor",
    "search",
    "vendor_search_text",
    "warm_up",
]
