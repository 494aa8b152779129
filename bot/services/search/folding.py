"""Character-level folding: the first step of the one normalisation used for the index and for questions.

NFKC (full-width and ligature forms become plain letters), diacritics stripped (Sastrawi's own cleaner
would turn `kéripik` into `k ripik`), lower case, reduplication collapsed (`kue-kue`, `kue2` -> `kue`),
and everything that is not a letter or a digit becomes a word break.
"""

from __future__ import annotations

import re
import unicodedata

# A word is a run of letters/digits; "_" is excluded because FTS5 and PostgreSQL split on it.
WORD_RE = re.compile(r"[^\W_]+")
MAX_WORD_CHARS = 40  # nothing sold in a market has a longer single word; longer runs are noise

_REDUP_HYPHEN_RE = re.compile(r"\b([^\W\d_]+)\s*-\s*\1\b")
_REDUP_TWO_RE = re.compile(r"\b([^\W\d_]{3,})2\b")


def strip_diacritics(text: str) -> str:
    """Remove combining marks after compatibility decomposition (`Kéripik` -> `Keripik`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """NFKC, no diacritics, lower case, reduplication collapsed; punctuation is kept for the caller."""
    text = text or ""
    # ASCII text (the common case) needs neither Unicode pass.
    text = text.lower() if text.isascii() else strip_diacritics(unicodedata.normalize("NFKC", text)).lower()
    text = _REDUP_HYPHEN_RE.sub(r"\1", text)
    return _REDUP_TWO_RE.sub(r"\1", text)


def raw_words(text: str) -> list[str]:
    """The folded words of a text, in order; immediate repeats (`kue kue`) collapse into one."""
    out: list[str] = []
    for word in WORD_RE.findall(fold(text)):
        if len(word) > MAX_WORD_CHARS:
            continue
        if out and out[-1] == word:
            continue
        out.append(word)
    return out
