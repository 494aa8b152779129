"""The one normalisation of Indonesian text, used when a product is indexed and when a buyer asks.

Steps, each below in this order:
- *folding*, character by character: NFKC (full-width and ligature forms become plain letters),
  diacritics stripped (Sastrawi's own cleaner would turn `kéripik` into `k ripik`), lower case,
  reduplication collapsed (`kue-kue`, `kue2` -> `kue`), everything that is not a letter or a digit is a
  word break;
- the *word lists* the team extends without code (`data/`: stop words, spelling variants, synonym
  groups), one entry per line, `#` starts a comment, read once per process and folded like the texts they
  apply to (so they may be written in any case, with or without hyphens);
- spelling variants (`kripik` -> `keripik`), stop and asking words out (`siapa yang jual ... ya pak?`),
  Sastrawi *stemming* (`penjualan` -> `jual`) with one cached stemmer per process.

The index keeps every word in its surface form *and* its stem, plus the key and all members of each
synonym group the text mentions; a question is matched on stems (see `query.py`), so `bordiran`, `bordir`
and `membordir` find each other.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------- folding

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
    # Most texts have no hyphen or no "2": then the pattern cannot match, and the scan is skipped.
    if "-" in text:
        text = _REDUP_HYPHEN_RE.sub(r"\1", text)
    return _REDUP_TWO_RE.sub(r"\1", text) if "2" in text else text


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


# ---------------------------------------------------------------------------------------- word lists

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_PHRASE_WORDS = 4


@dataclass(frozen=True)
class SynonymGroup:
    """Words or phrases that mean the same thing to a buyer; `key` is the one token indexed for all."""

    key: str
    members: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Lexicon:
    """Stop words (`stop_roots` also drop their derived forms), spelling variants, synonym groups."""

    stopwords: frozenset[str]
    stop_roots: frozenset[str]
    variants: dict[str, tuple[str, ...]]
    groups: tuple[SynonymGroup, ...]
    phrases: dict[tuple[str, ...], SynonymGroup]
    typo_targets: frozenset[str] = frozenset()  # the stop words a misspelt word may be read as (not fillers.txt)

    @cached_property
    def first_words(self) -> frozenset[str]:
        """Words that begin some synonym member (a quick pre-check before looking up phrases)."""
        return frozenset(member[0] for member in self.phrases)

    def apply_variants(self, words: list[str]) -> list[str]:
        """Replace spelling variants by their canonical words (`kripik` -> `keripik`, `nasbox` -> nasi box)."""
        out: list[str] = []
        for word in words:
            out.extend(self.variants.get(word, (word,)))
        return out

    def groups_in(self, words: list[str]) -> list[SynonymGroup]:
        """Every group any member of which occurs in the words, overlaps included (for indexing)."""
        found: dict[str, SynonymGroup] = {}
        starts = self.first_words
        for i, word in enumerate(words):
            if word not in starts:
                continue
            for n in range(1, min(MAX_PHRASE_WORDS, len(words) - i) + 1):
                group = self.phrases.get(tuple(words[i : i + n]))
                if group is not None:
                    found.setdefault(group.key, group)
        return list(found.values())

    def find_phrases(self, words: list[str]) -> list[tuple[int, int, SynonymGroup]]:
        """Synonym members found in a word list as (start, end, group); longest first, no overlaps."""
        found: list[tuple[int, int, SynonymGroup]] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                group = self.phrases.get(tuple(words[i : i + n]))
                if group is not None:
                    found.append((i, i + n, group))
                    i += n
                    break
            else:
                i += 1
        return found


def _lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [line.split("#", 1)[0].strip() for line in fh if line.split("#", 1)[0].strip()]


def _read_variants(path: Path) -> dict[str, tuple[str, ...]]:
    variants: dict[str, tuple[str, ...]] = {}
    for line in _lines(path):
        source, sep, target = line.partition("->")
        src, dst = raw_words(source), tuple(raw_words(target))
        if not sep or len(src) != 1 or not dst:
            raise ValueError(f"{path.name}: expected 'variant -> canonical', got {line!r}")
        if src[0] != " ".join(dst):
            variants[src[0]] = dst
    return variants


def _read_groups(path: Path, variants: dict[str, tuple[str, ...]]) -> tuple[SynonymGroup, ...]:
    groups: list[SynonymGroup] = []
    for line in _lines(path):
        members: list[tuple[str, ...]] = []
        for part in line.split("="):
            words: list[str] = []
            for word in raw_words(part):
                words.extend(variants.get(word, (word,)))
            if words and tuple(words) not in members:
                members.append(tuple(words))
        if len(members) < 2:
            raise ValueError(f"{path.name}: a group needs two members, got {line!r}")
        groups.append(SynonymGroup(key="".join(members[0]), members=tuple(members)))
    return tuple(groups)


def _phrase_index(groups: tuple[SynonymGroup, ...]) -> dict[tuple[str, ...], SynonymGroup]:
    index: dict[tuple[str, ...], SynonymGroup] = {}
    for group in groups:
        for member in group.members:
            if len(member) > MAX_PHRASE_WORDS:
                raise ValueError(f"synonym member {' '.join(member)!r} is longer than {MAX_PHRASE_WORDS} words")
            if member in index and index[member] is not group:
                logger.warning("synonym %s is in two groups; keeping %s", " ".join(member), index[member].key)
                continue
            index[member] = group
    return index


@cache
def load_lexicon(directory: Path = DATA_DIR) -> Lexicon:
    """Read the word lists once per process."""
    variants = _read_variants(directory / "variants.txt")
    typo_lines = _lines(directory / "stopwords.txt")
    fillers = directory / "fillers.txt"  # optional: stop words that are never typo targets
    lines = typo_lines + (_lines(fillers) if fillers.exists() else [])
    stopwords = frozenset(w for line in lines for w in raw_words(line))
    stop_roots = frozenset(w for line in lines if line.endswith("*") for w in raw_words(line))
    groups = _read_groups(directory / "synonyms.txt", variants)
    return Lexicon(
        stopwords=stopwords,
        stop_roots=stop_roots,
        variants=variants,
        groups=groups,
        phrases=_phrase_index(groups),
        typo_targets=frozenset(w for line in typo_lines for w in raw_words(line)),
    )


# --------------------------------------------------------------------- normalisation and index terms

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
    """True when Sastrawi's root-word dictionary knows the word or its stem (so it is no typo). A stem reached
    only by cutting a pronoun prefix (ku-, kau-: `kuneng` -> neng) does not count: buyers hardly write
    `kubeli`, and such a word is far more often a misspelling (`kuneng`: kuning)."""
    dictionary = _stemmer().dictionary
    if dictionary.contains(word):
        return True
    root = stem(word)
    if word in (f"ku{root}", f"kau{root}"):
        return False
    return bool(dictionary.contains(root))


def is_root_word(word: str) -> bool:
    """True when Sastrawi's root-word dictionary knows the word itself (not only a stem it cuts it to)."""
    return bool(_stemmer().dictionary.contains(word))


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
    if word.endswith("nya") and word[:-3] in lexicon.stopwords:
        return True  # "acaranya", "harganya", "pesertanya": a stop word with its -nya says no more
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
