"""Product search: "siapa yang jual X?" (see DESIGN.md, Search).

Public API: `search`, `record_need`, the result types, and the index maintenance functions that every
catalog write calls (`reindex_product`, `reindex_products`, `reindex_vendor`, `rebuild_index`).
"""

from bot.services.search.indexing import (
    product_search_text,
    rebuild_index,
    reindex_product,
    reindex_products,
    reindex_vendor,
)
from bot.services.search.normalize import normalize
from bot.services.search.query import SearchFilters, parse_query
from bot.services.search.results import Badges, SearchHit, SearchResult
from bot.services.search.service import record_need, search
from bot.services.search.vocab import invalidate_vocabulary

__all__ = [
    "Badges",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "invalidate_vocabulary",
    "normalize",
    "parse_query",
    "product_search_text",
    "rebuild_index",
    "record_need",
    "reindex_product",
    "reindex_products",
    "reindex_vendor",
    "search",
]
