"""The word lists the team can extend without code: stop words, spelling variants, synonym groups.

Files live in `bot/services/search/data/` (one entry per line, `#` starts a comment) and are read once per
process. Every entry goes through the same folding as the texts it is applied to, so the files may be
written in any case and with or without hyphens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from bot.services.search.folding import raw_words

logger = logging.getLogger(__name__)

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
    lines = _lines(directory / "stopwords.txt")
    stopwords = frozenset(w for line in lines for w in raw_words(line))
    stop_roots = frozenset(w for line in lines if line.endswith("*") for w in raw_words(line))
    groups = _read_groups(directory / "synonyms.txt", variants)
    return Lexicon(
        stopwords=stopwords, stop_roots=stop_roots, variants=variants, groups=groups, phrases=_phrase_index(groups)
    )
