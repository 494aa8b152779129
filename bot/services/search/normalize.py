"""The one normalisation of Indonesian text, used when a product is indexed and when a buyer asks.

Steps: fold (NFKC, no diacritics, lower case, reduplication, punctuation out), spelling variants
(`kripik` -> `keripik`), stop and asking words out (`siapa yang jual ... ya pak?`), Sastrawi stemming
(`penjualan` -> `jual`) with one cached stemmer per process. The index keeps every word in its surface form
*and* its stem, plus the key and all members of each synonym group the text mentions; a question is
matched on stems (see `query.py`), so `bordiran`, `bordir` and `membordir` find each other.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from bot.services.search.folding import raw_words
from bot.services.search.lexicon import load_lexicon

_STEMMABLE_RE = re.compile(r"[a-z]{4,}")


@cache
def _stemmer() -> Any:
    # The factory's CachedStemmer keeps an unbounded dict; we cache with an LRU instead (see `stem`).
    return StemmerFactory().create_stemmer().delegatedStemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Sastrawi root of one folded word (`penjualan` -> `jual`); other scripts and digits pass through."""
    if not _STEMMABLE_RE.fullmatch(word):
        return word
    root = _stemmer().stem(word)
    return root if root and " " not in root else word


def is_dictionary_word(word: str) -> bool:
    """True when Sastrawi's root-word dictionary knows the word or its stem (so it is no typo)."""
    dictionary = _stemmer().dictionary
    return bool(dictionary.contains(word) or dictionary.contains(stem(word)))


def words(text: str) -> list[str]:
    """Folded words with spelling variants replaced (stop words still in)."""
    out: list[str] = []
    for word in load_lexicon().apply_variants(raw_words(text)):
        if not out or out[-1] != word:
            out.append(word)
    return out


def is_stop(word: str) -> bool:
    """True for words that say nothing about the product (asking words, fillers, `jual` and its forms)."""
    lexicon = load_lexicon()
    return word in lexicon.stopwords or stem(word) in lexicon.stop_roots


def content_words(text: str) -> list[str]:
    """The words of a text that can name a product: folded, variant-free, no stop words."""
    return [w for w in words(text) if not is_stop(w)]


def normalize(text: str) -> str:
    """A compact normal form of a text: its content words, stemmed (`Penjual Kripik Pisang` -> `keripik pisang`)."""
    return " ".join(stem(w) for w in content_words(text))


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one word: none for a stop word, else the word and its stem if that differs."""
    if is_stop(word):
        return ()
    root = stem(word)
    return (word,) if root == word else (word, root)


def index_terms(text: str) -> list[str]:
    """The terms a text contributes to the index: surface + stem of each word, synonym keys and members."""
    ws = words(text)
    out: list[str] = []
    for word in ws:
        out.extend(word_terms(word))
    for group in load_lexicon().groups_in(ws):
        out.append(group.key)
        for member in group.members:
            for word in member:
                out.extend(word_terms(word))
    return out


def index_text(text: str) -> str:
    """`index_terms` joined with spaces: what goes into `search_text`."""
    return " ".join(index_terms(text))
