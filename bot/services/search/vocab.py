"""The catalog's own vocabulary (index terms with document frequencies), for typo correction.

Read from the index itself (FTS5 `fts5vocab` on SQLite, `ts_stat` on PostgreSQL) and cached per database in
this process. Writes through `indexing.py` add their terms at once; a full re-read happens after
`invalidate_vocabulary` (bulk import, rebuild) or when the copy is older than `TTL_SECONDS`, which bounds
how long another process's deletions stay visible here. A stale entry costs nothing but a correction
towards a word that no longer matches; `service.py` always tries the words as typed first.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.search.lexicon import load_lexicon
from bot.services.search.normalize import is_dictionary_word
from bot.services.search.tokens import marker_tokens

logger = logging.getLogger(__name__)

TTL_SECONDS = 600.0
_PREFIX_MIN_CHARS = 4
_PREFIX_SCAN = 200

_SQLITE_VOCAB = "SELECT term, doc FROM products_fts_vocab"
_PG_VOCAB = "SELECT word, ndoc FROM ts_stat('SELECT search_tsv FROM products')"


def max_edits(word: str) -> int:
    """Edits forgiven in a word: none up to 3 letters, 1 up to 7, 2 beyond (short words have many neighbours)."""
    n = len(word)
    return 0 if n <= 3 else 1 if n <= 7 else 2


@dataclass
class Vocabulary:
    """Index terms and in how many products each appears."""

    df: dict[str, int]
    built_at: float = field(default_factory=time.monotonic)
    _terms: list[str] | None = field(default=None, repr=False)

    def __contains__(self, term: object) -> bool:
        return term in self.df

    def frequency(self, term: str) -> int:
        """Number of products whose index text has the term (0 when unknown)."""
        return self.df.get(term, 0)

    def add(self, terms: Iterable[str]) -> None:
        """Count one more product for each distinct term (used on every indexed write)."""
        for term in set(terms):
            if term not in self.df:
                self._terms = None
            self.df[term] = self.df.get(term, 0) + 1

    def _sorted_terms(self) -> list[str]:
        if self._terms is None:
            markers = marker_tokens()
            self._terms = sorted(t for t in self.df if not t.isdigit() and t not in markers)
        return self._terms

    def correct(self, word: str) -> str | None:
        """The closest known term (fewest edits, then most frequent), or a completion of a cut-off word.

        A real Indonesian word the catalog lacks (`mobil`, `bekas`) is not a typo and is left alone, so
        "mobil bekas" stays unmet instead of turning into "mebel beras".
        """
        if is_dictionary_word(word):
            return None
        terms = self._sorted_terms()
        edits = max_edits(word)
        if edits:
            found = process.extract(word, terms, scorer=Levenshtein.distance, score_cutoff=edits, limit=None)
            if found:
                return min(found, key=lambda hit: (hit[1], -self.df[hit[0]], hit[0]))[0]
        if len(word) >= _PREFIX_MIN_CHARS:
            start = bisect.bisect_left(terms, word)
            completions = [t for t in terms[start : start + _PREFIX_SCAN] if t.startswith(word)]
            if completions:
                return max(completions, key=lambda t: (self.df[t], -len(t)))
        return None


def is_stopword_typo(word: str) -> bool:
    """True for a misspelt stop word (`lampng`, `siapaa`): nothing to search for, rather than a lost word."""
    edits = max_edits(word)
    if not edits or is_dictionary_word(word):
        return False
    stopwords = load_lexicon().stopwords
    return process.extractOne(word, stopwords, scorer=Levenshtein.distance, score_cutoff=edits) is not None


_CACHE: dict[str, Vocabulary] = {}


def _key(session: AsyncSession) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


async def _load(session: AsyncSession) -> Vocabulary:
    dialect = session.get_bind().dialect.name
    sql = _SQLITE_VOCAB if dialect == "sqlite" else _PG_VOCAB
    started = time.perf_counter()
    rows = (await session.execute(text(sql))).all()
    vocab = Vocabulary(df={str(term): int(n) for term, n in rows})
    logger.info("search vocabulary loaded: %s terms in %.1f ms", len(vocab.df), (time.perf_counter() - started) * 1000)
    return vocab


async def get_vocabulary(session: AsyncSession) -> Vocabulary:
    """This database's vocabulary, read from the index when missing or older than `TTL_SECONDS`."""
    key = _key(session)
    vocab = _CACHE.get(key)
    if vocab is None or time.monotonic() - vocab.built_at > TTL_SECONDS:
        vocab = _CACHE[key] = await _load(session)
    return vocab


def note_indexed(session: AsyncSession, search_text: str) -> None:
    """Tell the cached vocabulary (if any) about a product text just written."""
    vocab = _CACHE.get(_key(session))
    if vocab is not None:
        vocab.add(search_text.split())


def invalidate_vocabulary(session: AsyncSession | None = None) -> None:
    """Forget the cached vocabulary of one database (or of all), after bulk writes."""
    if session is None:
        _CACHE.clear()
    else:
        _CACHE.pop(_key(session), None)
