"""Safe full-text query builders for SQLite FTS5 `MATCH` and PostgreSQL `to_tsquery('simple', ...)`.

User text never reaches either engine: expressions are assembled here from tokens that fully match
`[^\\W_]+` (letters and digits only), each one quoted, joined with our own operators. Anything else
(quotes, AND/OR/NOT/NEAR as operators, `*`, `:`, `-`, parentheses, emoji, NUL) cannot get in; an
operator word the buyer typed is just a quoted word. The result is None when nothing is left to search.

Shape: OR over *conjunctions*; a conjunction is AND over *concepts*; a concept is OR over
*alternatives*; an alternative is AND over tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
