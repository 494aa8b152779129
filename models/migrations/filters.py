"""What autogenerate (and the drift test) compares: everything but the hand-made search index objects."""

from __future__ import annotations

import re
from typing import Any

_SEARCH_OBJECT = re.compile(r"_fts($|_)|^search_vocab|search_tsv")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Keep autogenerate away from the search index objects (FTS5 tables on SQLite, the tsvector column and
    its GIN index on PostgreSQL), which migration 0002 manages by hand."""
    return not (
        type_ in {"table", "column", "index"}
        and reflected
        and compare_to is None
        and name
        and _SEARCH_OBJECT.search(name)
    )
