"""Ordering: relevance first, then the P3DN procurement priority (DOMAIN.md).

Relevance mixes the engine's score (bm25 / ts_rank, relative to the best hit) with how much of the
question the product's *name* answers. The name part matters because a vendor's own words are in every
one of its products' index texts: "nasi box" matches the caterer's "Nasi Liwet" through the caterer's
description, but "Nasi Box Ayam Goreng" answers it by name.

Relevance is cut into five bands (a hit within 80-100% of the best is in the top band): inside a band,
the tier decides (product TKDN >= 40%, >= 25%, some TKDN or a certified vendor, none), then e-Katalog
listing, then verification, then the finer relevance, then the newest data.
So a clearly better text match is never pushed down by a badge, and among equally good matches the
procurement rules' order wins.

What a search returns are plain immutable values (`SearchHit`, `Badges` here, `SearchResult` in `service.py`),
no text for users: the handlers word them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from bot.services.search.query import SERVICE_WORDS
from bot.services.search.retrieval import Candidate, ConceptTerms
from bot.services.search.text import index_terms, is_stop, stem, word_terms, words


class Badges(NamedTuple):
    """The P3DN facts a buyer weighs: TKDN (product % and vendor certificate), e-Katalog, verified, halal."""

    tkdn_percent: Decimal | None
    tkdn_certified: bool
    ekatalog: bool
    verified: bool
    halal: bool
    # Whether the Dinas checked each claim (bot/services/claims.py); an unchecked one is shown as such.
    tkdn_checked: bool = False
    percent_checked: bool = False
    ekatalog_checked: bool = False
    halal_checked: bool = False


class SearchHit(NamedTuple):
    """One product found, with its vendor; `score` orders the hits (higher first). Like `Badges`, a named
    tuple: every candidate of every question becomes one (a frozen dataclass cost ~5x as much to make)."""

    product_ref: str
    product_name: str
    price: Decimal | None
    unit: str | None
    vendor_ref: str
    business_name: str
    kecamatan: str | None
    badges: Badges
    photo_ref: str | None
    score: float


BANDS = 5
_TIERS = 4


def p3dn_tier(tkdn_percent: Decimal | None, tkdn_certified: bool) -> int:
    """1: TKDN >= 40% (must be chosen), 2: >= 25%, 3: some TKDN, 4: none (most Metro UMKM today)."""
    if tkdn_percent is not None and tkdn_percent >= 40:
        return 1
    if tkdn_percent is not None and tkdn_percent >= 25:
        return 2
    if tkdn_certified or (tkdn_percent is not None and tkdn_percent > 0):
        return 3
    return 4


def _band(relevance: float, best: float) -> int:
    if best <= 0:
        return BANDS
    return max(1, min(BANDS, math.ceil(relevance / best * BANDS - 1e-9)))


# ---- claims boost only once checked (issue 11): an unchecked TKDN % / certificate / e-Katalog counts as none.


def _checked_percent(c: Candidate) -> Decimal | None:
    return c.tkdn_percent if c.percent_checked else None


def _priority(c: Candidate) -> float:
    """0..1: tier dominates, then e-Katalog, then verified (weights 4/2/1 keep that order); checked claims only."""
    tier = p3dn_tier(_checked_percent(c), c.tkdn_certified and c.tkdn_checked)
    return ((_TIERS - tier) * 4 + 2 * (c.ekatalog and c.ekatalog_checked) + c.verified) / 15


def _timestamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


@lru_cache(maxsize=50_000)
def _name_terms(name: str) -> frozenset[str]:
    return frozenset(index_terms(name))


def _name_coverage(name: str, concepts: Sequence[ConceptTerms]) -> float:
    if not concepts:
        return 1.0
    terms = _name_terms(name)
    hits = sum(any(all(t in terms for t in alt) for alt in concept) for concept in concepts)
    return hits / len(concepts)


@lru_cache(maxsize=50_000)
def _business_words(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """A business name's folded words, and those with their stems."""
    name_words = frozenset(words(name))
    return name_words, name_words | {stem(n) for n in name_words}


def _covers(name_words: frozenset[str], asked: frozenset[str]) -> set[str]:
    return {w for w in name_words if w in asked or stem(w) in asked}


def _name_level(name: str, asked: frozenset[str], content: frozenset[str], distinctive: bool) -> float:
    """How surely the question names this business, 0..1 (0: it does not).

    The whole name in the question ("toko sinar kantor", "mebel jati makmur ada apa aja"), or the question's
    words (two or more) all inside the name ("berkah rasa" for Katering Berkah Rasa) when some of them name no product
    among the candidates (so "keripik pisang" never means the business "Keripik Pisang Barokah"). A name of
    two product words ("Kue Manis") counts only when distinctive too. Among several businesses named, the
    one whose name has fewest words the question lacks comes first ("Berkah Rasa" before "Berkah Rasa Dua").
    """
    name_words, stems = _business_words(name)
    if not name_words or not content or asked.isdisjoint(stems):
        return 0.0
    covered = _covers(name_words, asked)
    unnamed = sum(1 for w in content if w not in stems)
    whole = covered == name_words and (len(name_words) >= 3 or (len(name_words) == 2 and distinctive))
    inside = distinctive and len(content) >= 2 and not unnamed
    if not (whole or inside):
        return 0.0
    missing = len(name_words - covered)
    return max(0.1, 1.0 - 0.1 * missing - 0.05 * unnamed)


def _distinctive(candidates: list[Candidate], content: frozenset[str]) -> bool:
    """True when some asked word is in no candidate's product name (so it can only come from a business name)."""
    named = set().union(*(_name_terms(c.product_name) for c in candidates)) if candidates else set()
    return any(w not in named and stem(w) not in named for w in content)


def _name_position(words_of_name: list[str], alternatives: ConceptTerms) -> int | None:
    """How many words of a product name it takes to answer a concept (None: the name does not)."""
    for k in range(1, len(words_of_name) + 1):
        terms = _name_terms(" ".join(words_of_name[:k]))
        if any(all(t in terms for t in alt) for alt in alternatives):
            return k
    return None


def names_all(name: str, concepts: Sequence[ConceptTerms]) -> bool:
    """Whether a product's name itself answers every concept (not its description or its seller's name)."""
    return _name_coverage(name, concepts) == 1.0


# A product named by a repair or cleaning service before its object ("Servis Laptop", "Cuci Karpet", "Permak
# Celana") answers a question about that object only when the question asks for such work: "laptop" or
# "karpet masjid" is a thing to buy, which nobody here sells.
_CARE_HEADS = frozenset({"servis", "service", "cuci", "laundry", "permak", "reparasi", "perbaikan"})
_CARE_ASKS = _CARE_HEADS | frozenset(
    {"perbaiki", "memperbaiki", "diperbaiki", "benerin", "betulin", "rusak", "mati", "error", "macet", "rawat",
     "perawatan", "maintenance", "freon", "bersih", "repair", "repairs", "fix", "fixing", "wash", "washing", "clean",
     "cleaning", "broken", "laundri", "laundromat", "jahit", "tailor", "seamstress", "alteration", "alterations",
     "teknisi", "montir", "technician", "mechanic", "servicing", "serviced", "repaired", "repairing", "cleaned",
     "washed", "launder", "laundering", "maintain", "maintained", "mend", "mending", "alter", "altered"}
)  # fmt: skip


# What is wrong with a thing asks for work on it too ("AC kantor bocor", "karpet kotor", "celana kepanjangan");
# these words never mark a product's name as a service (`_CARE_IN_NAME`).
_TROUBLE_ASKS = frozenset(
    {"bocor", "netes", "menetes", "kotor", "berisik", "hang", "lemot", "sobek", "robek", "patah", "roboh", "pecah",
     "retak", "mampet", "tersumbat", "ngadat", "bergaris", "korslet", "konslet", "jebol", "kebesaran", "kekecilan",
     "kepanjangan", "kependekan", "kesempitan", "berdebu", "berjamur", "berkarat", "karatan"}
)  # fmt: skip


def _care_word(word: str) -> bool:
    return word in _CARE_ASKS or word in _TROUBLE_ASKS or stem(word) in _CARE_ASKS


def asks_for_care(asked: Sequence[str]) -> bool:
    """Whether a question asks for repair or cleaning work (`servis`, `rusak`, `cuci`, `perbaikan`, `fix`)."""
    return any(_care_word(w) for w in asked)


# Every care word contains one of these (the care words no shorter one is part of): a name containing none of them
# ("Keripik Pisang Balado", most names) has no care word, which a few substring tests tell (an alternation regex
# of all the care words took ~50 us a name, words() more).
_CARE_PARTS = tuple(
    w for w in sorted(_CARE_ASKS, key=len) if not any(p in w for p in _CARE_ASKS if p != w and len(p) <= len(w))
)


@lru_cache(maxsize=50_000)
def _words_naming(name: str, parts: tuple[str, ...], named: Callable[[str], bool]) -> tuple[str, ...] | None:
    """A product name's words when one of them is `named` (a care word, a likeness word), else None. Checked on
    every hit of every question, so cached, and a name without any of `parts` (every such word contains one)
    is passed over by substring tests alone."""
    folded = name.lower()
    if not any(part in folded for part in parts):
        return None
    ws = words(name)
    return tuple(ws) if any(named(w) for w in ws) else None


def care_of_object(name: str, concepts: Sequence[ConceptTerms], seller: str = "") -> bool:
    """Whether a product's name is a repair or cleaning service of what the question names ("Servis Laptop"
    for "laptop", "laptop asus"): a care word before the first word of the name that answers the question."""
    ws = _words_naming(name, _CARE_PARTS, _care_word)
    if ws is None:
        return False
    tokens = {t for alts in concepts for alt in alts for t in alt}
    first = next((i for i, w in enumerate(ws) if not tokens.isdisjoint(word_terms(w))), None)
    if first is None:  # "Servis Laptop" found for "printer" by its description ("perbaikan komputer dan printer"),
        # not by its seller's name ("solusi tekno")
        return bool(ws) and _care_word(ws[0]) and tokens.isdisjoint(index_terms(seller))
    return any(_care_word(w) for w in ws[:first])


# A likeness, a supply or a product of a thing, named before it ("Suvenir Magnet Kulkas", "Miniatur Siger",
# "Gantungan Kunci", "Tinta Printer", "Susu Kambing", "Abon Sapi"), is not that thing: "kulkas dua pintu", "kunci",
# "printer baru", "kambing untuk aqiqah" ask for the thing itself.
_LIKENESS_HEADS = frozenset({"magnet", "gantungan", "miniatur", "replika", "tinta", "toner", "susu", "abon"})
_LIKENESS_ASKS = _LIKENESS_HEADS | frozenset(
    {"suvenir", "souvenir", "cenderamata", "oleh", "kenang", "merchandise", "merch", "ink", "keychain", "miniature",
     "olahan", "diolah", "processed", "milk", "floss"}
)  # fmt: skip


_LIKENESS_PARTS = tuple(sorted(_LIKENESS_HEADS))


def _likeness_word(word: str) -> bool:
    return word in _LIKENESS_HEADS


def asks_for_likeness(asked: Sequence[str]) -> bool:
    """Whether a question asks for a souvenir, a miniature or a supply itself (`gantungan kunci`, `tinta`)."""
    return any(w in _LIKENESS_ASKS for w in asked)


def likeness_of_object(name: str, concepts: Sequence[ConceptTerms]) -> bool:
    """Whether a product's name is a likeness or a supply of what the question names ("Magnet Kulkas" for
    "kulkas"): such a word before the first word of the name that answers the question."""
    ws = _words_naming(name, _LIKENESS_PARTS, _likeness_word)
    if ws is None:
        return False
    tokens = {t for alts in concepts for alt in alts for t in alt}
    first = next((i for i, w in enumerate(ws) if not tokens.isdisjoint(word_terms(w))), None)
    return first is not None and any(w in _LIKENESS_HEADS for w in ws[:first])


def names_no_thing(name: str, concepts: Sequence[ConceptTerms]) -> bool:
    """Whether a product's name answers none of the things a question asks (only, say, a service's verb:
    "Sewa Proyektor" of a tent renter found for "sewa tenda camping" through its seller's name)."""
    ws = words(name)
    return bool(concepts) and all(_name_position(ws, alts) is None for alts in concepts)


# Words a product name may open with before it says what the product is ("Suvenir Magnet Kulkas", "Jasa Jahit
# Kebaya", "Sewa Proyektor Plus Layar", "Paket Prasmanan Kantor", "Rental LCD Proyektor").
_NAME_WRAPPERS = (
    SERVICE_WORDS
    | _CARE_HEADS
    | frozenset({"suvenir", "souvenir", "paket", "kerajinan", "bengkel", "lcd", "pembuatan", "pembuat", "bikin"})
)


def names_as_head(name: str, concepts: Sequence[ConceptTerms]) -> bool:
    """Whether a product's name opens with one of the things asked (after a wrapper word such as "Suvenir",
    "Jasa" or "Sewa"): the name stops answering it when its head word is taken out. Indonesian names go from
    the kind to what qualifies it, so a thing said later is a modifier: "Meja Kayu Jati" is a table, not
    timber; "Susu Kambing Etawa" is milk, not a goat; "Magnet Kulkas" is no fridge ("Baju Dinas PDH" is a
    seragam through its synonym "baju dinas")."""
    ws = words(name)
    head = next((i for i, w in enumerate(ws) if w not in _NAME_WRAPPERS), len(ws) - 1)
    for alts in concepts:
        if _name_position(ws, alts) is None:
            continue
        if any(_name_position(ws[:i] + ws[i + 1 :], alts) is None for i in range(head + 1)):
            return True
    return False


# A worker asked for by trade ("tukang kunci", "ahli las", "teknisi AC"): the work on or with a thing.
WORKER_WORDS = frozenset({"tukang", "ahli", "spesialis", "teknisi", "montir", "juru"})


def names_as_modifier(name: str, concepts: Sequence[ConceptTerms]) -> bool:
    """Whether a product's name says an asked thing only after what the product is ("Gantungan Kunci" for
    "tukang kunci"); a name that says none of them (found by its description) is not judged here."""
    return not names_no_thing(name, concepts) and not names_as_head(name, concepts)


def modifier_order(name: str, concepts: Sequence[ConceptTerms]) -> list[int]:
    """The concepts from the one a product name answers last to the one it answers first: its most specific
    word first ("balado" of "Keripik Pisang Balado", "tulis" of "Batik Tulis Lampung": Indonesian names mostly
    go from the kind to the variant); a concept the name does not answer at all comes before all of them."""
    ws = words(name)
    positions = [_name_position(ws, alts) or len(ws) + 1 for alts in concepts]
    return sorted(range(len(concepts)), key=lambda i: (-positions[i], -i))


def variant_end(name: str, concepts: Sequence[ConceptTerms]) -> int | None:
    """The concept a product name ends with, its variant ("bawang" of "Sambal Bawang"), when the name answers
    every concept; None when the name goes on past the asked words ("Seragam Sekolah SD": sekolah is part
    of the kind) or misses one."""
    ws = words(name)
    positions = [_name_position(ws, alts) for alts in concepts]
    if None in positions or positions.count(len(ws)) != 1:
        return None
    return positions.index(len(ws))


def rank(
    candidates: list[Candidate], concepts: Sequence[ConceptTerms] = (), asked: Sequence[str] = ()
) -> list[SearchHit]:
    """Order candidates and give each a score that decreases along the order (name, band, priority, relevance).

    `concepts` are the question's concepts (alternatives of tokens), used to see what a name answers;
    `asked` are the question's folded words (`query.ParsedQuery.asked`): when they name a business, its
    products come first.
    """
    best_engine = max((c.relevance for c in candidates), default=0.0)
    mixed = [
        0.5 * (c.relevance / best_engine if best_engine > 0 else 1.0) + 0.5 * _name_coverage(c.product_name, concepts)
        for c in candidates
    ]
    asked_set = frozenset(asked) | frozenset(stem(w) for w in asked)
    content = frozenset(w for w in asked if not is_stop(w))
    distinctive = bool(content) and _distinctive(candidates, content)
    best = max(mixed, default=0.0)
    keyed = []
    levels: dict[str, float] = {}  # per business: many candidates share one
    for c, relevance in zip(candidates, mixed, strict=True):
        named = levels.get(c.business_name)
        if named is None:
            named = levels[c.business_name] = _name_level(c.business_name, asked_set, content, distinctive)
        band = _band(relevance, best)
        rel = relevance / best if best > 0 else 1.0
        priority = _priority(c)
        score = named + 0.2 * band + 0.18 * priority + 0.0099 * rel
        keyed.append(((-named, -band, -priority, -rel, -_timestamp(c.updated_at), c.product_id), score, c))
    keyed.sort(key=lambda item: item[0])
    return [_hit(c, score) for _, score, c in keyed]


def followed_by(hits: list[SearchHit], more: list[SearchHit], limit: int) -> list[SearchHit]:
    """`hits`, then `more` (already in order) scored below the lowest of them, at most `limit` in all: a first
    page's few full answers followed by lesser ones (the same kind without its variant, the next kelurahan)."""
    floor = min(h.score for h in hits)
    lower = [h._replace(score=round(floor * (1 - (i + 1) / (len(more) + 2)), 4)) for i, h in enumerate(more)]
    return (hits + lower)[:limit]


def _tidy(percent: Decimal | None) -> Decimal | None:
    """`45.00` -> `45`, `41.20` -> `41.2` (same value, printable as is)."""
    if percent is None:
        return None
    return percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent.normalize()


def _hit(c: Candidate, score: float) -> SearchHit:
    badges = Badges(
        tkdn_percent=_tidy(c.tkdn_percent),
        tkdn_certified=c.tkdn_certified,
        ekatalog=c.ekatalog,
        verified=c.verified,
        halal=c.halal,
        tkdn_checked=c.tkdn_checked,
        percent_checked=c.percent_checked,
        ekatalog_checked=c.ekatalog_checked,
        halal_checked=c.halal_checked,
    )
    return SearchHit(
        product_ref=c.product_ref,
        product_name=c.product_name,
        price=c.price,
        unit=c.unit,
        vendor_ref=c.vendor_ref,
        business_name=c.business_name,
        kecamatan=c.kecamatan,
        badges=badges,
        photo_ref=c.photo_ref,
        score=round(score, 4),
    )
