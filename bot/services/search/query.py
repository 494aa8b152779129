"""Reading a buyer's question: filters (place, TKDN, e-Katalog, halal, price ceiling, category) and the
things asked for, as `Concept`s of stemmed words. Filter words are taken out of the text query.

Places: `Region.find_places` decides *which* places a sentence names (its city-word rules: a bare "metro"
is the city, "utara" alone may be Lampung Utara...); `find_place_spans` only locates those names among the
question's words, with the "kec"/"kel" marker before them, so the place becomes a filter and leaves the text.

`parse_query` needs no database. Typo correction against the catalog's vocabulary (`correct_concepts`)
comes after it, once the vocabulary is at hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.errors import ValidationError
from bot.services.categories import CATEGORY_WORDS
from bot.services.parsers import UNITS, parse_price
from bot.services.region import Region
from bot.services.search.index import Vocabulary, max_edits
from bot.services.search.text import SynonymGroup, is_dictionary_word, is_stop, load_lexicon, stem, words

MAX_QUERY_CHARS = 1000  # a question longer than this is pasted text; the rest is not read
MAX_CONCEPTS = 8

_PRICE_RE = re.compile(
    r"(?:(?P<weak>sampai|hingga|s/d)|di\s*bawah|kurang\s+dari|tidak\s+lebih\s+dari|maks(?:imal|imum)?\.?"
    r"|max(?:imal|imum)?\.?|budget(?:nya)?|bujet(?:nya)?|anggaran(?:nya)?|<=?|≤)"
    r"\s*:?\s*(?P<amount>(?P<rp>rp\.?\s*)?[0-9][0-9.,]*\s*(?P<mult>rb|ribu|rebu|k|jt|juta)?)(?![a-z0-9])",
    re.IGNORECASE,
)
_MIN_BARE_PRICE = 100  # "sampai 2 hari" is no price; "di bawah 500" (rupiah) is
_MIN_WEAK_PRICE = 1000  # after "sampai"/"hingga" a bare number is more often a count
_FLAG_PHRASES: dict[tuple[str, ...], str] = {
    ("tkdn",): "tkdn",
    ("ekatalog",): "ekatalog",
    ("e", "katalog"): "ekatalog",
    ("e", "catalog"): "ekatalog",
    ("katalog", "elektronik"): "ekatalog",
    ("halal",): "halal",
}
# Words that only qualify a flag ("sudah TKDN", "bersertifikat halal", "tayang di e-katalog").
_FLAG_MODIFIERS = frozenset({"sertifikat", "bersertifikat", "ber", "tayang", "terdaftar", "masuk", "label", "lokal"})
_QUANTITY_UNITS = frozenset(UNITS) | {"box", "pax", "biji", "pc", "org", "lbr", "eks", "porsian", "bh"}


@dataclass(frozen=True)
class SearchFilters:
    """Conditions read from the question; empty means "no condition"."""

    kecamatan: str | None = None
    kelurahan: str | None = None
    tkdn: bool = False
    ekatalog: bool = False
    halal: bool = False
    max_price: int | None = None
    category: str | None = None

    def any(self) -> bool:
        """True when at least one condition is set."""
        return self != SearchFilters()


@dataclass(frozen=True)
class Concept:
    """One thing asked for: matched when all words of any one alternative are in a product's index text."""

    label: str
    alternatives: tuple[tuple[str, ...], ...]
    word: str | None = None  # the typed word, for single-word concepts that typo correction may replace


@dataclass(frozen=True)
class ParsedQuery:
    """A question split into filters and concepts."""

    concepts: tuple[Concept, ...]
    filters: SearchFilters
    category_from_words: bool = False

    @property
    def normalized(self) -> str:
        """The concepts as one string, e.g. `nasi kotak ayam bakar`."""
        return " ".join(c.label for c in self.concepts)


# -------------------------------------------------------------------------------------------- places

_PLACE_MARKERS = frozenset({"kec", "kecamatan", "kel", "kelurahan", "desa", "kampung"})
_MAX_PLACE_WORDS = 4


@dataclass(frozen=True)
class PlaceSpan:
    """Words `start:end` of a question name a place; `kelurahan` is None for a kecamatan."""

    start: int
    end: int
    kecamatan: str
    kelurahan: str | None


def _locate(ws: list[str], keys: frozenset[str], used: set[int]) -> tuple[int, int] | None:
    for i in range(len(ws)):
        for n in range(min(_MAX_PLACE_WORDS, len(ws) - i), 0, -1):
            if "".join(ws[i : i + n]) in keys and not used & set(range(i, i + n)):
                return i, i + n
    return None


def find_place_spans(ws: list[str], region: Region) -> list[PlaceSpan]:
    """The places named in a list of folded words, in order of mention, with their word spans."""
    spans: list[PlaceSpan] = []
    used: set[int] = set()
    for kind, name in region.find_places(" ".join(ws)):
        found = _locate(ws, region.spellings(kind, name), used)
        if found is None:
            continue
        start, end = found
        if start > 0 and ws[start - 1] in _PLACE_MARKERS:
            start -= 1
        used.update(range(start, end))
        kecamatan = name if kind == "kecamatan" else region.kecamatan_of(name)
        if kecamatan is None:
            continue
        spans.append(PlaceSpan(start, end, kecamatan, name if kind == "kelurahan" else None))
    return spans


# ------------------------------------------------------------------------------ filters and concepts


def word_concept(word: str) -> Concept:
    """The concept of one typed word: its stem (the index holds every word's stem) or its synonym group."""
    group = load_lexicon().phrases.get((word,))
    if group is None:
        return Concept(label=word, alternatives=((stem(word),),), word=word)
    return _group_concept(group, [word], word)


def _group_concept(group: SynonymGroup, typed_words: list[str], word: str | None = None) -> Concept:
    typed = tuple(stem(w) for w in typed_words if not is_stop(w))
    alternatives = ((group.key,), typed) if typed and typed != (group.key,) else ((group.key,),)
    return Concept(label=" ".join(typed_words), alternatives=alternatives, word=word)


def _price_ceiling(text: str) -> tuple[int | None, str]:
    """A price ceiling ("di bawah 20 ribu", "maks 50rb", "< 100.000") and the text without it."""
    for m in _PRICE_RE.finditer(text):
        following = text[m.end() :].split(maxsplit=1)
        if following and following[0].lower().strip(".,") in _QUANTITY_UNITS:
            continue  # "maksimal 200 porsi" is a quantity
        try:
            amount = parse_price(m["amount"]).amount
        except ValidationError:
            continue
        marked = bool(m["rp"] or m["mult"])
        if not amount or (not marked and amount < (_MIN_WEAK_PRICE if m["weak"] else _MIN_BARE_PRICE)):
            continue
        return amount, text[: m.start()] + " " + text[m.end() :]
    return None, text


def _take_flags(ws: list[str], filters: SearchFilters) -> tuple[list[str], SearchFilters]:
    out: list[str] = []
    flags: set[str] = set()
    i = 0
    while i < len(ws):
        for n in (2, 1):
            flag = _FLAG_PHRASES.get(tuple(ws[i : i + n]))
            if flag is not None:
                flags.add(flag)
                while out and (out[-1] in _FLAG_MODIFIERS or is_stop(out[-1])):
                    out.pop()
                i += n
                break
        else:
            out.append(ws[i])
            i += 1
    return out, replace(filters, tkdn="tkdn" in flags, ekatalog="ekatalog" in flags, halal="halal" in flags)


def _take_category(ws: list[str]) -> tuple[list[str], str | None]:
    # A synonym phrase wins over a category word inside it ("makanan ringan" is a snack, not "ringan" food).
    in_phrase = {i for start, end, _ in load_lexicon().find_phrases(ws) if end - start > 1 for i in range(start, end)}
    for n in range(min(3, len(ws)), 0, -1):
        for i in range(len(ws) - n + 1):
            slug = CATEGORY_WORDS.get(tuple(ws[i : i + n]))
            if slug is not None and not in_phrase & set(range(i, i + n)):
                return ws[:i] + ws[i + n :], slug
    return ws, None


def _drop_quantities(ws: list[str]) -> list[str]:
    out: list[str] = []
    after_number = False
    for word in ws:
        if word.isdigit():
            after_number = True
            continue
        if after_number and word in _QUANTITY_UNITS:
            after_number = False
            continue
        after_number = False
        out.append(word)
    return out


def _drop_places(ws: list[str], spans: list[PlaceSpan]) -> list[str]:
    drop = {i for span in spans for i in range(span.start, span.end)}
    return [w for i, w in enumerate(ws) if i not in drop]


def _concepts(ws: list[str]) -> list[Concept]:
    concepts: list[Concept] = []
    phrases = {start: (end, group) for start, end, group in load_lexicon().find_phrases(ws)}
    i = 0
    while i < len(ws):
        if i in phrases:
            end, group = phrases[i]
            concepts.append(_group_concept(group, ws[i:end], ws[i] if end == i + 1 else None))
            i = end
            continue
        if len(ws[i]) > 1 and not is_stop(ws[i]):  # a lone letter ("ukuran L") names nothing by itself
            concepts.append(word_concept(ws[i]))
        i += 1
    unique: list[Concept] = []
    for concept in concepts:
        if all(c.alternatives != concept.alternatives for c in unique):
            unique.append(concept)
    return unique[:MAX_CONCEPTS]


def parse_query(text: str, region: Region) -> ParsedQuery:
    """Split a question into filters and concepts, places of `region` (no database, no typo correction)."""
    raw = unicodedata.normalize("NFKC", text or "")[:MAX_QUERY_CHARS]
    max_price, raw = _price_ceiling(raw)
    ws = words(raw)
    spans = find_place_spans(ws, region)
    place = next((s for s in spans if s.kelurahan), spans[0] if spans else None)  # a kelurahan is the finer one
    filters = SearchFilters(
        kecamatan=place.kecamatan if place else None,
        kelurahan=place.kelurahan if place else None,
        max_price=max_price,
    )
    ws = _drop_places(ws, spans)
    ws, filters = _take_flags(ws, filters)
    ws, category = _take_category(ws)
    ws = _drop_quantities(ws)
    filters = replace(filters, category=category)
    return ParsedQuery(concepts=tuple(_concepts(ws)), filters=filters, category_from_words=category is not None)


# ----------------------------------------------------------------------------------- typo correction


def correct_concepts(
    concepts: tuple[Concept, ...], vocab: Vocabulary
) -> tuple[tuple[Concept, ...], tuple[tuple[str, str], ...]]:
    """Replace words the catalog does not know by the nearest word it does (`sragam` -> `seragam`).

    The typed word stays an alternative (the cached vocabulary may miss a word another process just
    added). A misspelt stop word (`lampng`) is dropped, reported as corrected to "".
    """
    out: list[Concept] = []
    corrections: list[tuple[str, str]] = []
    for concept in concepts:
        word = concept.word
        if word is None or any(all(tok in vocab for tok in alt) for alt in concept.alternatives):
            out.append(concept)
            continue
        fixed = vocab.correct(word)
        if fixed is not None and fixed != word:
            corrections.append((word, fixed))
            better = word_concept(fixed)
            out.append(replace(better, alternatives=better.alternatives + concept.alternatives))
        elif is_stopword_typo(word):
            corrections.append((word, ""))
        else:
            out.append(concept)
    return tuple(out), tuple(corrections)


def is_stopword_typo(word: str) -> bool:
    """True for a misspelt stop word (`lampng`, `siapaa`): nothing to search for, rather than a lost word."""
    edits = max_edits(word)
    if not edits or is_dictionary_word(word):
        return False
    stopwords = load_lexicon().stopwords
    return process.extractOne(word, stopwords, scorer=Levenshtein.distance, score_cutoff=edits) is not None
