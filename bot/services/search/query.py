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
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from bot.errors import ValidationError
from bot.services.categories import CATEGORY_WORDS
from bot.services.parsers import UNITS, parse_price
from bot.services.region import Region, name_key
from bot.services.search.index import Vocabulary, max_edits
from bot.services.search.text import (
    DATA_DIR,
    SynonymGroup,
    is_dictionary_word,
    is_root_word,
    is_stop,
    load_lexicon,
    raw_words,
    stem,
    words,
)

MAX_QUERY_CHARS = 1000  # a question longer than this is pasted text; the rest is not read
MAX_CONCEPTS = 8

# Money as written: "Rp 15.000", "IDR 20,000", "15rb", "15k", "50 thousand", "1,5 jt", "20000 rupiah".
_CURRENCY = r"(?:rp|idr)\.?\s*"
_MULT = r"rb|ribu|rebu|k|jt|juta|thousands?|millions?|mio"
_AMOUNT = rf"(?:{_CURRENCY})?[0-9][0-9.,]*+\s*(?:{_MULT})?"
_PRICE_RE = re.compile(
    r"(?:(?P<weak>sampai|hingga|s/d|up\s+to)|(?P<strict>di\s*bawah|kurang\s+dari|under|below|less\s+than"
    r"|cheaper\s+than|lower\s+than|<(?!=))"
    r"|(?P<floor>di\s*atas|lebih\s+dari|above|over|more\s+than|at\s+least|>(?!=))"
    # a floor said negated is a ceiling: "jangan lebih dari 15rb", "tidak melebihi Rp 50.000"
    r"|(?:tidak|tdk|jangan|jgn|gak|ga|nggak|ngga|enggak|ndak)\s+(?:lebih\s+dari|di\s*atas|melebihi|lewat\s+dari)"
    r"|paling\s+mahal|(?:no|not)\s+more\s+than|at\s+most|not\s+over|within|not\s+exceeding"
    r"|maks(?:imal|imum)?\.?|max(?:imal|imum)?\.?|budget(?:nya)?|bujet(?:nya)?|anggaran(?:nya)?|<=|≤)"
    rf"\s*(?:of\s+)?:?\s*(?P<amount>(?P<rp>{_CURRENCY})?[0-9][0-9.,]*+\s*(?P<mult>{_MULT})?)(?![a-z0-9])",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(
    rf"(?:(?P<lead>harga|antara|kisaran|range|between|from|{_CURRENCY})\s*)?"
    rf"(?P<low>[0-9][0-9.,]*+\s*(?:{_MULT})?)\s*(?:-|–|s/d|sampai|hingga|to|dan|and)\s*"
    rf"(?P<high>(?:{_CURRENCY})?[0-9][0-9.,]*+\s*(?P<mult>{_MULT})?)(?![a-z0-9])",
    re.IGNORECASE,
)
# An amount of money said without a bound ("kopi harga 50rb", "snack box around 15k", "Rp 15.000"): no product
# is named so; it is dropped rather than searched for (which would find nothing).
_LOOSE_AMOUNT_RE = re.compile(
    rf"(?<![a-z0-9])(?:{_CURRENCY}[0-9][0-9.,]*+(?:\s*(?:{_MULT}))?|[0-9][0-9.,]*+\s*(?:{_MULT}))"
    r"(?:\s*(?:rupiah|idr))?(?![a-z0-9])|(?<![a-z0-9])[0-9][0-9.,]*+\s*(?:rupiah|idr)(?![a-z0-9])",
    re.IGNORECASE,
)
_ENGLISH_MULT = {"thousand": "ribu", "thousands": "ribu", "million": "juta", "millions": "juta", "mio": "juta"}
_MIN_BARE_PRICE = 100  # "sampai 2 hari" is no price; "di bawah 500" (rupiah) is
_MIN_WEAK_PRICE = 1000  # after "sampai"/"hingga" a bare number is more often a count
# Permits and checks the catalog keeps no filter for (food permit P-IRT, business number NIB, BPOM, SNI, a verified
# seller): read like a flag with its "sudah ada", "izin", "ber-", so never searched for as a thing.
_PERMITS = (
    ("pirt",), ("p", "irt"), ("spp", "irt"), ("sppirt",), ("nib",), ("induk", "berusaha"), ("bpom",), ("badan", "pom"),
    ("sni",), ("siup",), ("iumk",), ("izin", "edar"), ("ijin", "edar"), ("izin", "usaha"), ("ijin", "usaha"),
    ("verified",), ("terverifikasi",), ("diverifikasi",), ("verifikasi",),
)  # fmt: skip
_FLAG_PHRASES: dict[tuple[str, ...], str] = {
    ("tkdn",): "tkdn",
    ("ekatalog",): "ekatalog",
    ("e", "katalog"): "ekatalog",
    ("e", "catalog"): "ekatalog",
    ("katalog", "elektronik"): "ekatalog",
    ("halal",): "halal",
    ("inaproc",): "ekatalog",
    ("e", "purchasing"): "ekatalog",
    ("epurchasing",): "ekatalog",
    ("e", "catalogue"): "ekatalog",
    ("ecatalogue",): "ekatalog",
    ("katalog", "lokal"): "ekatalog",
    ("katalog", "sektoral"): "ekatalog",
    ("katalog", "nasional"): "ekatalog",
    ("katalog", "lkpp"): "ekatalog",
    ("lkpp",): "ekatalog",  # the agency that runs e-Katalog: "terdaftar di LKPP"
    ("katalog", "pemerintah"): "ekatalog",
    ("hallal",): "halal",  # a common spelling
    ("halalan",): "halal",  # "halalan thayyiban"
    ("mui",): "halal",  # "sudah berlabel MUI": the halal label's issuer stands for it
    ("bpjph",): "halal",
    ("kandungan", "lokal"): "tkdn",
    ("domestic", "product"): "tkdn",
    ("domestic", "products"): "tkdn",
    # Buying national products (P3DN) is what a TKDN certificate shows.
    ("p3dn",): "tkdn",
    ("pdn",): "tkdn",
    ("dalam", "negeri"): "tkdn",
    # TKDN in English: the certified share of local (domestic) content
    ("local", "content"): "tkdn",
    ("domestic", "content"): "tkdn",
    **dict.fromkeys(_PERMITS, "permit"),
}
# Words that only qualify a flag ("sudah TKDN", "bersertifikat halal", "tayang di e-katalog").
_FLAG_MODIFIERS = frozenset(
    {"sertifikat", "bersertifikat", "sertifikasi", "tersertifikasi", "ber", "tayang", "terdaftar", "masuk", "label",
     "lokal", "punya", "memiliki", "nilai", "berlabel", "certified", "on", "produksi", "bersertifikasi", "logo",
     "berlogo", "tercantum", "udh", "udah", "dah", "listed", "registered", "sold", "available", "approved", "lewat",
     "via", "melalui", "through", "government", "tingkat", "komponen", "kandungan", "ikut", "akun", "pakai", "pake",
     "dapat", "dapet", "mendapat", "mendapatkan", "izin", "ijin", "plus", "no", "nomor", "bernomor", "high",
     # what the buyer requires ("syaratnya harus e-katalog", "wajib TKDN", "diutamakan halal")
     "syaratnya", "wajib", "diwajibkan", "harus", "diutamakan", "utamakan", "mengutamakan", "prioritas",
     "diprioritaskan", "required", "must", "preferably"}
)  # fmt: skip
# ... and words after one that only say who issued or runs it ("halal MUI", "e-katalog LKPP", "TKDN Kemenperin"),
# or that it is a label or a certificate ("halal label", "TKDN-IK", the small industries' self-assessed one).
_FLAG_ISSUERS = frozenset(
    {"mui", "bpjph", "lkpp", "inaproc", "kemenperin", "certified", "certificate", "listed", "registered", "sertifikat",
     "bersertifikat", "sertifikasi", "tersertifikasi", "terdaftar", "nasional", "sektoral", "lokal", "v6", "label",
     "labelnya", "logo", "logonya", "certification", "cert", "sertifikatnya", "ik", "resmi", "indonesia", "dinkes",
     "aktif", "berlaku", "valid", "active", "kemenag",
     # "halalan thayyiban", "halal toyib": wholesome as well as halal, in its many spellings
     "toyib", "thoyib", "thayib", "tayyib", "thayyib", "thoyyib", "toyyib", "thayyiban", "thoyyiban", "toyyiban"}
)  # fmt: skip
# Words that turn a wish around ("tidak harus TKDN", "belum e-katalog juga boleh", "non halal").
_NEGATIONS = frozenset(
    {"non", "tanpa", "bukan", "belum", "blm", "tidak", "tdk", "gak", "ga", "nggak", "ngga", "enggak", "without", "not"}
)
# Work done to get a certificate or a listing ("jasa pembuatan NIB", "pengurusan sertifikat halal", "pelatihan
# e-katalog"): then the flag is what the work is about, not a wish about a product.
_PROCESS_WORDS = frozenset(
    {"pembuatan", "bikin", "urus", "mengurus", "ngurus", "pengurusan", "pendaftaran", "mendaftarkan", "daftarin",
     "konsultan", "konsultasi", "pelatihan", "bimtek", "sosialisasi", "pendampingan", "pengajuan", "mengajukan",
     "cara", "syarat", "persyaratan", "biro", "training", "consultant", "registration", "apply", "workshop"}
)  # fmt: skip
# Misspelt long qualifiers ("sertifkat", "sertipikat halal") are read as the word they are one letter from.
_LONG_FLAG_WORDS = tuple(sorted(w for w in _FLAG_MODIFIERS | _FLAG_ISSUERS if len(w) >= 7))
# "masuk katalog", "tayang di katalog", "ada di katalog": after a listing word, the catalogue is e-Katalog (a
# bare "katalog" stays a product: "cetak katalog").
_CATALOG_WORDS = ("katalog", "catalog", "catalogue")
_LISTING_WORDS = frozenset({"masuk", "tayang", "terdaftar", "tercantum", "listed", "registered", "available", "ada"})
_LISTING_GAP = frozenset({"di", "ke", "dalam", "in", "on", "the", "sudah", "sdh", "udah", "udh", "dah", "yg", "yang"})
# ... and, after TKDN, its share ("TKDN minimal 25 persen", "tkdn di atas 40%"): the filter is the certificate.
_TKDN_SHARE_WORDS = frozenset({"minimal", "min", "minimum", "persen", "diatas", "atas", "keatas", "lebih", "dari",
                               "sebesar", "nilai", "nilainya", "pct", "percent", "tinggi", "tertinggi", "high",
                               "highest"})  # fmt: skip
_QUANTITY_UNITS = frozenset(UNITS) | {"box", "pax", "biji", "pc", "org", "lbr", "eks", "porsian", "bh"} | {
    # English counts ("200 pieces", "for 80 people", "2 boxes", "per sheet")
    "piece", "pieces", "boxes", "packs", "bottles", "sheets", "sheet", "units", "sets", "rolls", "reams", "ream",
    "dozen", "dozens", "kilo", "kilos", "kgs", "portions", "portion", "servings", "serving", "people", "persons",
    "person", "guests", "participants", "attendees", "copies", "cups", "pairs", "pair", "meters", "metres",
    "liters", "litres", "days", "day", "hours", "packages", "cartons", "trays", "jars", "sacks", "pcs", "months",
    "month", "weeks", "years", "year", "jeriken", "jerigen", "tray", "loyang",
    # short and English weights and volumes ("kopi 250 gr", "1 kilogram", "5 ltr")
    "gr", "grs", "grm", "grams", "kilogram", "kilograms", "lt", "ltr", "litre", "mtr",
}  # fmt: skip


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
    max_exclusive: bool = False  # "di bawah 20rb", "under 15k": Rp20.000 itself is not under
    min_price: int | None = None
    # "Metro Pusat atau Metro Barat": the other kecamatan a seller may be in besides `kecamatan` (no kelurahan then)
    other_kecamatan: tuple[str, ...] = ()

    def any(self) -> bool:
        """True when at least one condition is set."""
        return self != SearchFilters()


@dataclass(frozen=True)
class Concept:
    """One thing asked for: matched when all words of any one alternative are in a product's index text."""

    label: str
    alternatives: tuple[tuple[str, ...], ...]
    word: str | None = None  # the typed word, for single-word concepts that typo correction may replace
    optional: bool = False  # a generic word ("kantor"): ranks, but is not required next to a specific one
    need: bool = False  # a need or occasion ("keperluan rapat") standing for the product kinds serving it
    trade: bool = False  # an agent noun's root (`pembatik`: batik): optional, but required where the catalog has both


@dataclass(frozen=True)
class ParsedQuery:
    """A question split into filters and concepts."""

    concepts: tuple[Concept, ...]
    filters: SearchFilters
    category_from_words: bool = False
    quantity: int | None = None  # "150 snack box"
    date: str | None = None  # "tanggal 20", "besok": as written
    asked: tuple[str, ...] = ()  # every folded word of the question (stop words too), for business names
    items: tuple[ParsedQuery, ...] = ()  # the things of a list ("tenda, kursi dan sound system"), 2 or more
    flags_preferred: bool = False  # "diutamakan yang ber-TKDN": a preference, not a requirement

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


# Directions as people shorten them or say them in English ("metro utr", "hadimulyo brt", "north metro"): read
# as the full word only where that makes a place name, so "sel" or "tim" elsewhere stay what they were.
_DIRECTIONS = {
    "utr": "utara", "ut": "utara", "sel": "selatan", "slt": "selatan", "sltn": "selatan", "brt": "barat",
    "bar": "barat", "tmr": "timur", "tim": "timur", "pst": "pusat", "psat": "pusat",
    "north": "utara", "south": "selatan", "west": "barat", "east": "timur", "central": "pusat", "center": "pusat",
    "northern": "utara", "southern": "selatan", "western": "barat", "eastern": "timur", "centre": "pusat",
}  # fmt: skip
_ENGLISH_DIRECTIONS = frozenset(
    {"north", "south", "west", "east", "central", "center", "northern", "southern", "western", "eastern", "centre"}
)


def _city_short(word: str, region: Region) -> str | None:
    """The city's name for a short form of it: its first letter and some of the following ones in order ("mtr",
    "mt", "met", "mtro": metro), as people write "Jaksel" or "Mt. Pusat"; None for any other word."""
    city = name_key(region.city or region.name)
    if not 2 <= len(word) < len(city) or word[0] != city[0] or not word.isalpha():
        return None
    rest = iter(city[1:])
    return city if all(ch in rest for ch in word[1:]) else None


def _is_place(region: Region, text: str) -> bool:
    return (
        region.match_kecamatan(text, fuzzy=False) is not None or region.match_kelurahan(text, fuzzy=False) is not None
    )


def expand_directions(ws: list[str], region: Region) -> list[str]:
    """The words with a shortened or English direction written out where it completes a place name: "metro utr"
    and "mtr utara" -> metro utara, "hadimulyo brt" -> hadimulyo barat, "north metro" -> metro utara."""
    out = list(ws)
    for i, w in enumerate(out):
        full = _DIRECTIONS.get(w)
        if full is None:
            continue
        before = (_city_short(out[i - 1], region) or out[i - 1]) if i > 0 else ""
        if i > 0 and _is_place(region, f"{before} {full}"):
            out[i - 1 : i + 1] = [before, full]
        elif w in _ENGLISH_DIRECTIONS and i + 1 < len(out) and _is_place(region, f"{out[i + 1]} {full}"):
            out[i : i + 2] = [out[i + 1], full]
    for i, w in enumerate(out):  # "mtr utara"
        city = _city_short(w, region) if i + 1 < len(out) else None
        if city is not None and _is_place(region, f"{city} {out[i + 1]}"):
            out[i] = city
    return out


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
    return spans + _misspelt_places(ws, region, {i for span in spans for i in range(span.start, span.end)})


# Words after which a misspelt word may be a kelurahan ("di yosomulya", "daerah rejomulya", "kel ganjarsari").
_PLACE_LEADS = frozenset(
    {"di", "daerah", "sekitar", "wilayah", "area", "dekat", "kel", "kelurahan", "desa", "in", "near"}
)


def _misspelt_places(ws: list[str], region: Region, used: set[int]) -> list[PlaceSpan]:
    """Places written a little differently: a kelurahan after a place word ("di yosomulya": Yosomulyo), or
    anywhere when the word is no Indonesian word nor one of the word lists' ("sambal hadimulya"); the city word
    and a misspelt direction ("metro utra"). The region's own lenient matching decides, and only a clear winner
    counts."""
    spans: list[PlaceSpan] = []
    city = name_key(region.city or region.name)
    for i in range(len(ws)):
        if i in used:
            continue
        nxt = ws[i + 1] if i + 1 < len(ws) else ""
        if ws[i] == city and nxt.isalpha() and i + 1 not in used and not _real_word(nxt):
            # "metro utra", not "koran metro utama" nor "metro barang"
            kecamatan = region.match_kecamatan(f"{ws[i]} {ws[i + 1]}")
            if kecamatan is not None:
                spans.append(PlaceSpan(i, i + 2, kecamatan, None))
                used = used | {i + 1}
                continue
        if is_stop(ws[i]) or not ws[i].isalpha():
            continue
        pair = ws[i : i + 2]
        if len(pair) == 2 and i + 1 not in used and pair[1].isalpha() and _split_name(pair):
            match = region.match_kelurahan(" ".join(pair))  # "yoso mulya", "banjar sary": one name, misspelt
            if match is not None:
                start = i - 1 if i > 0 and ws[i - 1] in _PLACE_MARKERS else i
                spans.append(PlaceSpan(start, i + 2, match[1], match[0]))
                used = used | {i + 1}
                continue
        led = i > 0 and ws[i - 1] in _PLACE_LEADS
        if not led and not _foreign_word(ws[i]):
            continue
        match = region.match_kelurahan(ws[i])
        if match is not None:
            kelurahan, kecamatan = match
            start = i - 1 if i > 0 and ws[i - 1] in _PLACE_MARKERS else i
            spans.append(PlaceSpan(start, i + 1, kecamatan, kelurahan))
        elif _foreign_word(ws[i]) and (kecamatan := region.match_kecamatan(ws[i])) is not None:
            spans.append(PlaceSpan(i, i + 1, kecamatan, None))  # "hadimulya": the area of Hadimulyo
    return spans


_MIN_FOREIGN = 6  # the region's fuzzy matching needs six letters too


def _split_name(pair: list[str]) -> bool:
    """Two words that may be one name written apart: no stop word, none of the word lists', and at least one
    that no dictionary knows ("yoso mulya"; not "sari roti")."""
    return all(_plain_word(w) for w in pair) and any(not is_dictionary_word(w) for w in pair)


@lru_cache(maxsize=8192)
def _plain_word(word: str) -> bool:
    return not is_stop(word) and (word,) not in load_lexicon().phrases and (word,) not in load_everyday()


@lru_cache(maxsize=8192)
def _real_word(word: str) -> bool:
    """An Indonesian word or one of the English word list's: no misspelling of a place."""
    return is_dictionary_word(word) or (word,) in load_everyday()


@lru_cache(maxsize=8192)
def _foreign_word(word: str) -> bool:
    """A word of six letters or more that is no Indonesian word and none of the word lists' (synonyms, English
    and brands, words kept as written): a name, or a typo of one."""
    return (
        len(word) >= _MIN_FOREIGN
        and not is_dictionary_word(word)
        and (word,) not in load_lexicon().phrases
        and (word,) not in load_everyday()
        and word not in unstemmed_words()
    )


# A place is often led by words that say "near" or "in" ("sekitaran Mulyosari", "deket Imopuro", "lokasi Metro
# Timur") or followed by "and around it" ("Metro Utara dan sekitarnya"): with the place, they name nothing.
_NEAR_WORDS = frozenset(
    {"di", "daerah", "daerahnya", "sekitar", "sekitaran", "seputar", "seputaran", "kawasan", "wilayah", "wil",
     "area", "dekat", "deket", "dket", "dkt", "lokasi", "alamat", "lingkungan", "near", "around", "nearby", "in",
     "at", "sktr", "skitar", "asal"}
)  # fmt: skip
_AROUND_WORDS = frozenset({"sekitarnya", "sekitar", "sekitaran", "dsk", "dsekitarnya", "around", "nearby"})


_MAX_INTRO_WORDS = 12
_AT_WORDS = _NEAR_WORDS - {"alamat", "lokasi"}


def _intro_place(raw: str, region: Region) -> list[PlaceSpan]:
    """In a short message, where the buyer says they are before the request ("saya di Yosodadi butuh
    fotokopi", "aku tinggal di metro utara, cari abon"): a place led by "di", "daerah", "sekitar"... that the
    frame cut away is still where they want it. Not a letter's sender ("kami dari Kelurahan Hadimulyo") nor
    any place of a long message (an office's address is no wish)."""
    ws = words(raw)
    if len(ws) > _MAX_INTRO_WORDS:
        return []
    ws = expand_directions(ws, region)
    for span in find_place_spans(ws, region):
        if span.start > 0 and ws[span.start - 1] in _AT_WORDS:
            return [PlaceSpan(0, 0, span.kecamatan, span.kelurahan)]  # its words are not in the need's words
    return []


# ------------------------------------------------------------------------ the frame around a request

# A request letter: "Selamat siang, saya dari bagian umum ... butuh 150 snack box ... untuk rapat ...".
_NEED_VERBS = frozenset(
    {"butuh", "butuhkan", "membutuhkan", "dibutuhkan", "perlu", "memerlukan", "diperlukan", "cari", "mencari",
     "dicari", "nyari", "carikan", "pesan", "memesan", "dipesan", "order", "beli", "membeli", "pengadaan",
     "mengadakan", "minta", "need", "needs", "looking", "want", "ingin", "mau", "pengen", "perlukan", "mengundang",
     "butuhin", "pesen", "mesen", "nyariin", "cariin", "require", "requires", "request", "belanja", "berbelanja",
     "penawaran", "rencananya", "pakai", "pake", "perlunya", "menyiapkan", "disiapkan", "nyiapin", "siapkan",
     "mempersiapkan", "menyediakan", "disediakan", "sediakan", "mengumpulkan", "pengennya", "maunya", "inginnya",
     "kepikiran", "langganan", "berlangganan"}
)  # fmt: skip
# Verbs that as often say something else ("akan mengadakan sosialisasi", "saya mau tanya"): their sentence names
# the need only when no sentence has a stronger one.
# Verbs of preparing, providing or using ("panitia mau menyediakan roti", "mau pakai susu kambing") name the
# need weakly too.
# "rencananya mukena katun", "kepikiran parsel atau hampers"
_WISH_WORDS = frozenset({"rencananya", "pengennya", "maunya", "inginnya", "kepikiran"})
_WEAK_VERBS = _WISH_WORDS | {
    "mengadakan", "mau", "ingin", "pengen", "want", "minta", "pakai", "pake", "menyiapkan", "disiapkan", "nyiapin",
    "siapkan", "mempersiapkan", "menyediakan", "disediakan", "sediakan", "mengumpulkan",
}  # fmt: skip
_STRONG = _NEED_VERBS - _WEAK_VERBS
# "ibu tahu ga yang jual jamu kunyit asam?", "ada penjual susu kambing di sekitar Metro Selatan?": a question for
# a seller names the need when no request verb does; so does one for a maker ("ada yang bisa bikin takjil?").
_MAKER_WORDS = frozenset({"bikin", "membuat", "bikinin", "buatin", "buatkan", "membuatkan"})
_SELLER_WORDS = _MAKER_WORDS | {"jual", "menjual", "jualan", "penjual", "produksi", "memproduksi", "produsen"}
# ... a maker's verb only after "yang bisa" and kin ("kami akan membuat acara" asks for nothing)
_MAKER_LEADS = frozenset({"bisa", "dapat", "sanggup", "terima", "menerima", "melayani", "yang", "yg"})
# A request verb right after one of these is part of an office's name ("Bagian Pengadaan Barang dan Jasa",
# "Pejabat Pengadaan", "Unit Layanan Pengadaan"), not a request.
_OFFICE_WORDS = frozenset(
    {"bagian", "bidang", "seksi", "subbag", "kasubbag", "kabag", "kasi", "kepala", "unit", "layanan", "pejabat",
     "pokja", "biro", "tim", "ulp", "ukpbj", "kantor", "divisi", "panitia"}
)  # fmt: skip
_INTRO_WORDS = frozenset(
    {"saya", "kami", "dari", "bagian", "dinas", "badan", "kantor", "selamat", "assalamualaikum", "permisi",
     "perkenalkan", "nama", "pak", "bu", "bapak", "ibu", "mohon", "izin", "ijin", "halo", "hallo", "yth",
     "kepada", "hormat", "sekretariat", "kecamatan", "kelurahan", "sekolah", "smp", "sd", "sma", "puskesmas",
     "i", "we", "am", "from", "hello", "hi", "good"}
)  # fmt: skip
_PURPOSE_WORDS = frozenset(
    {"untuk", "utk", "buat", "guna", "pada", "for", "dalam", "acara", "kegiatan", "sebagai", "selaku"}
)
# "souvenir, kayak gantungan kunci siger": an example of the thing asked for, which ranks but is not required.
_EXAMPLE_MARKERS = frozenset(
    {"kayak", "seperti", "misalnya", "misal", "contohnya", "semacam", "sejenis", "ukuran", "size", "mungkin"}
)
# "konsumsi berupa snack box", "ATK yaitu kertas HVS": the words after the marker name the thing, those before
# only its kind (they rank, are not required).
# ... and so do the words saying what the wish is ("mau kasih hadiah, pengennya tas rajut", "rencananya mukena").
_SPECIFIC_MARKERS = frozenset(
    {"berupa", "yaitu", "yakni", "meliputi", "antara", "terdiri", "rencananya", "pengennya", "maunya", "inginnya",
     "kepikiran"}
)  # fmt: skip
_MAX_EXAMPLE_WORDS = 4
_SENTENCE_RE = re.compile(r"(?<=[.!?\n])\s+")
# "Yth." or "No." end no sentence; "1." / "2)" / a bullet start an item of a list, like a comma does.
_ABBREVIATION_RE = re.compile(r"\b(?:yth|bpk|ibu|bu|pak|kec|kel|no|jl|sdr|dr|dll|dsb|tgl|dkk|a\.n|u\.p)\.$", re.I)
_LIST_MARK_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s:;,]))(?:\(?\d{1,2}[.)]|[a-e][.)]|[-•*·✅✔✓►▪●○◦➢➤→–])\s+(?=[^\W\d_])", re.M
)
_ITEM_SEPARATORS = frozenset({",", ";", ":", "/", "&", "+"})
# "sekalian" / "sekaligus": "dekorasi pelaminan sekalian tenda" asks for both; "atau" gives either.
_ITEM_WORDS = frozenset({"dan", "serta", "and", "sama", "plus", "juga", "sekalian", "sekaligus", "atau", "or"})
_EITHER_WORDS = frozenset({"atau", "or"})
# Heads that a list shares: "sewa tenda dan kursi" asks for rented chairs too, "servis laptop dan printer".
_SHARED_HEADS = frozenset({"sewa", "rental", "penyewaan", "jasa", "servis", "cetak", "cuci", "service"})
SERVICE_WORDS = _SHARED_HEADS  # a service's verb names no kind of product by itself ("cuci" of "cuci AC")
_MONTHS = (
    r"jan(?:uari|uary)?|feb(?:ruari|ruary)?|mar(?:et|ch)?|apr(?:il)?|mei|may|jun(?:i|e)?|jul(?:i|y)?"
    r"|agu(?:stus)?|agt|aug(?:ust)?|sep(?:t|tember)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|des(?:ember)?|dec(?:ember)?"
)
_DATE_RE = re.compile(
    rf"\b(?:(?:tanggal|tgl\.?)\s*\d{{1,2}}(?:\s*[/-]\s*\d{{1,2}}(?:\s*[/-]\s*\d{{2,4}})?)?(?:\s+(?:{_MONTHS})\b)?(?:\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\b(?:\s+\d{{4}})?|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
    r"|besok|lusa|hari\s+ini|minggu\s+depan|pekan\s+depan|bulan\s+depan|tomorrow|next\s+(?:week|month))\b",
    re.IGNORECASE,
)


def take_date(text: str) -> tuple[str | None, str]:
    """A date or day named in the question ("tanggal 20", "12 Juni", "besok") and the text without it."""
    m = _DATE_RE.search(text)
    if m is None:
        return None, text
    return m.group(0).strip(), text[: m.start()] + " " + text[m.end() :]


# "... barang sebagai berikut:", "dengan rincian": what follows is the list of things, as after a colon.
_FOLLOWS_RE = re.compile(
    r"[ \t]*\b(?:sebagai[ \t]+berikut|berikut[ \t]+ini|sbb|dengan[ \t]+rincian|rinciannya|rincian)\b[ \t]*:?", re.I
)
_PARENS_RE = re.compile(r"\(([^()\n]{1,80})\)")
_NUMBER_WORDS = frozenset(
    {"satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas", "belas",
     "puluh", "seratus", "ratus", "seribu", "ribu"}
)  # fmt: skip
_INNER_SEPARATORS_RE = re.compile(r"[,;/&+]|\b(?:dan|atau|serta|dll|dsb|dst|etc)\b", re.I)


def _parenthesis(m: re.Match[str]) -> str:
    """ "kue kering (nastar, kastengel)": the kinds in brackets after a thing say which one, as an example does;
    "2 (dua) unit": a number said again in words says nothing."""
    inner = m[1]
    if all(w.isdigit() or w in _NUMBER_WORDS or is_stop(w) for w in words(inner)):
        return " "  # "2 (dua) unit", "(Januari - Desember 2027)"
    return " seperti " + _INNER_SEPARATORS_RE.sub(" ", inner) + " "


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    text = _LIST_MARK_RE.sub(", ", _FOLLOWS_RE.sub(":", text))
    for piece in _SENTENCE_RE.split(_PARENS_RE.sub(_parenthesis, text)):
        if out and _ABBREVIATION_RE.search(out[-1]):
            out[-1] += " " + piece
        elif piece.strip():
            out.append(piece)
    return out


_SEPS = frozenset({",", ":"})


def _tokens(sentence: str) -> list[str]:
    """The sentence's folded words with "," between the parts a separator (",", ";", "/", ...) divides, ":"
    after a colon (what follows a colon is often the list of things: "untuk semester ini: kertas, map")."""
    return list(_cached_tokens(sentence))


@lru_cache(maxsize=256)
def _cached_tokens(sentence: str) -> tuple[str, ...]:
    out: list[str] = []
    pieces = re.split(r"([,;:/&+\n])", sentence)  # each line of a message is a part of its own
    colon = False  # "berupa:\n1. snack": a colon before empty parts still starts a list
    for k in range(0, len(pieces), 2):
        colon = colon or (k > 0 and pieces[k - 1] == ":")
        ws = words(pieces[k])
        if ws and out:
            out.append(":" if colon else ",")
        if ws:
            colon = False
        out.extend(ws)
    return tuple(out)


def _frame(text: str) -> list[str] | None:
    """The tokens naming the need (see `strip_frame`), separators kept; None without a request verb.

    A sentence with a strong request verb (butuh, pesan, cari) wins over an earlier one whose only verbs are weak
    ("akan mengadakan sosialisasi", "saya mau tanya"); a letter's subject line ("Perihal: Permohonan Penawaran
    Harga Snack Box") comes between the two. In a long message the occasion after the thing ("... untuk
    rapat tanggal 20") is kept behind "untuk", where it ranks but is not required (`_mark_purpose`), up to the
    next separator; after a colon the list goes on ("mau belanja ATK untuk semester ini: kertas HVS, map").
    A later sentence that specifies ("Bahan kayu atau akrilik.", "Ukuran 3x1 meter.") gives examples that rank."""
    found = _cached_frame(text)
    return None if found is None else list(found)


@lru_cache(maxsize=64)
def _cached_frame(text: str) -> tuple[str, ...] | None:
    return _with_trouble_subject(text, _request_frame(text))


def _request_frame(text: str) -> tuple[str, ...] | None:
    subject, body = letter_parts(text)
    sentences = _sentences(_LIST_HEADING_RE.sub("butuh :", _NEED_HEADING_RE.sub("butuh :", body)))
    for verbs in (_STRONG, _WISH_WORDS, _SELLER_WORDS, _WEAK_VERBS):
        if verbs is _WISH_WORDS and subject:
            return tuple(subject)
        for k, sentence in enumerate(sentences):
            kept = _sentence_need(sentence, long=len(sentences) > 1, verbs=verbs)
            if kept is not None:
                for later in sentences[k + 1 :]:
                    tokens = [t for t in _tokens(later) if t not in _SEPS]
                    if tokens and tokens[0] in _SPEC_WORDS:
                        kept += ["seperti", *tokens[1:]]
                    elif _examples_sentence(tokens) and "berupa" not in kept:
                        kept += ["berupa", *tokens[1:]]
                return tuple(_after_subject(kept, subject))
    return None


def _after_subject(kept: list[str], subject: tuple[str, ...] | None) -> list[str]:
    """A letter's subject names the thing, its body says which one: "Perihal: Penawaran Lemari Arsip" over
    "memerlukan lemari arsip besi 4 pintu" wants a lemari arsip, and "besi 4 pintu" ranks (as an example does)."""
    named = [t for t in subject or () if t not in _SEPS and not is_stop(t)]
    if not named or "seperti" in kept:
        return kept
    n = len(named)
    start = next((k for k in range(len(kept) - n + 1) if kept[k : k + n] == named), None)
    first = next((k for k, t in enumerate(kept) if not _names_nothing(t)), None)
    if start is None or start != first:
        return kept
    end = start + n
    if end < len(kept) and kept[end] not in _SEPS and not _names_nothing(kept[end]) and kept[end] not in _PURPOSE_WORDS:
        return [*kept[:end], "seperti", *kept[end:]]
    return kept


# Words saying something is broken, dirty or does not fit ("AC di ruang rapat bocor", "celana kepanjangan").
_TROUBLE_WORDS = frozenset(
    {"rusak", "bocor", "mati", "macet", "hang", "error", "eror", "lemot", "berisik", "netes", "menetes", "kotor",
     "sobek", "robek", "patah", "roboh", "rubuh", "ambruk", "pecah", "retak", "bau", "bergaris", "mampet",
     "tersumbat", "korslet", "konslet", "jebol", "copot", "kebesaran", "kekecilan", "kepanjangan", "kependekan",
     "kesempitan", "ngadat", "trouble", "blank", "berdebu", "berjamur", "berkarat", "karatan", "bolong", "broken",
     "leaking", "rusaknya", "ngehang", "nge", "kena", "lusuh", "usang", "kusam"}
)  # fmt: skip
# ... or that it does not work ("AC tidak dingin", "printer gak nyala").
_NOT_WORKING = frozenset(
    {"dingin", "nyala", "menyala", "hidup", "jalan", "berfungsi", "keluar", "normal", "konek", "connect", "bekerja",
     "working", "work"}
)  # fmt: skip
_TROUBLE_HINT_RE = re.compile(
    r"\b(?:" + "|".join(sorted(_TROUBLE_WORDS - {"nge", "kena"})) + r"|virus|tidak|tdk|gak|ga|nggak|ngga|enggak|gk"
    r"|kurang|not|doesn)\b",
    re.I,
)
# The one who fixes or cleans, and the fixing, without the thing ("butuh teknisi", "ada yang bisa benerin?").
_HELPER_WORDS = frozenset(
    {"tukang", "teknisi", "montir", "ahli", "orang", "jasa", "servis", "service", "perbaikan", "perbaiki",
     "memperbaiki", "diperbaiki", "benerin", "betulin", "dibetulkan", "dibenerin", "cek", "dicek", "ngecek",
     "periksa", "diperiksa", "memeriksa", "tangani", "ditangani", "menangani", "bersihkan", "dibersihkan",
     "membersihkan", "cuci", "dicuci", "reparasi", "tenaga", "petugas", "technician", "repair", "fix", "handle",
     "datang", "teknisinya", "tukangnya", "dibantu", "bantu", "tempat", "bengkelnya", "ganti", "diganti"}
)  # fmt: skip
_HEAD_ENDS = frozenset({"yang", "sebelum", "sesudah", "setelah", "agar", "supaya", "biar", "karena", "who", "to"})
_NEGATED = frozenset({"tidak", "tdk", "gak", "ga", "nggak", "ngga", "enggak", "gk", "kurang", "not", "doesn"})
_MAX_SUBJECT_WORDS = 4


def _with_trouble_subject(text: str, found: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """ "AC di ruang rapat bocor, butuh teknisi": the request names only who fixes it, the thing is the subject of
    the sentence saying what is wrong, so the need is that thing (the trouble words keep the repair service
    wanted, see `ranking.asks_for_care`). Also when no request verb is said but a helper is ("laptop kami mati,
    ada yang bisa memperbaiki?"). A request that names anything else is kept as it is."""
    if _TROUBLE_HINT_RE.search(text) is None:
        return found
    if found is None and _HELPER_WORDS.isdisjoint(words(text)):
        return found  # "roti sobek" is a bread: with no one asked to fix it, a trouble word may be a name
    if found is not None:
        head: list[str] = []
        for t in found:
            if t in _SEPS or t in _HEAD_ENDS or t in _PURPOSE_WORDS:
                break
            head.append(t)
        if not all(is_stop(t) or t in _HELPER_WORDS or t.isdigit() for t in head):
            return found
    subject = _trouble_subject(letter_parts(text)[1])
    return found if subject is None else subject


def _trouble_subject(body: str) -> tuple[str, ...] | None:
    """The thing a sentence says is broken, dirty or ill-fitting: the words before the trouble word, before a
    place said after the thing ("AC di ruang rapat kami bocor": AC), skipping its parts ("laptop saya layarnya
    bergaris": laptop); when the trouble's own part names nothing ("..., sekarang berisik"), the part before."""
    for sentence in _sentences(body):
        tokens = _tokens(sentence)
        for i, t in enumerate(tokens):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if not (t in _TROUBLE_WORDS or (t in _NEGATED and nxt in _NOT_WORKING)):
                continue
            start = max((k + 1 for k in range(i) if tokens[k] in _SEPS), default=0)
            subject = _subject_before(tokens[start:i])
            if not subject and start > 0:
                before = max((k + 1 for k in range(start - 1) if tokens[k] in _SEPS), default=0)
                subject = _subject_before(tokens[before : start - 1])
            if len(subject) > 1 and not _JOINS.intersection(subject) and set(subject[1:]) <= _WHERE_WORDS:
                # "karpet musholla kantor": the first word names the thing, the rooms after it say where (they
                # rank); other words are part of its name ("mesin cuci" is no "mesin")
                subject = [subject[0], "seperti", *subject[1:]]
            if subject:
                return tuple(subject)
    return None


_JOINS = frozenset({"dan", "serta", "sama", "and"})
# Where a broken thing is, said after it ("AC ruang rapat", "karpet musholla kantor").
_WHERE_WORDS = frozenset(
    {"ruang", "ruangan", "rapat", "kantor", "musholla", "mushola", "musala", "masjid", "aula", "gedung", "rumah",
     "dinas", "sekolah", "kelas", "kamar", "dapur", "lobby", "lobi", "gudang", "kami", "saya", "kita", "office"}
)  # fmt: skip


def _subject_before(part: list[str]) -> list[str]:
    """The last run of naming words before the end of a part, cut before a place ("di ..."); -nya words (a part
    of the thing) and stop words between the run and the end are skipped."""
    if "di" in part:
        part = part[: part.index("di")]
    run: list[str] = []
    for w in reversed(part):
        if w in _JOINS and run:
            run.insert(0, w)
            continue
        if is_stop(w) or w.endswith("nya") or w.isdigit() or w in _NEED_VERBS or w in _TROUBLE_WORDS:
            if any(x not in _JOINS for x in run):
                break
            continue
        run.insert(0, w)
        if len(run) >= _MAX_SUBJECT_WORDS:
            break
    while run and run[0] in _JOINS:
        run.pop(0)
    return run


# "Kebutuhan kami: sewa proyektor, sound system ...", "Rincian kebutuhan:": a heading that asks as a verb does.
_NEED_HEADING_RE = re.compile(r"\bkebutuhan(?:nya|[ \t]+(?:kami|kita|kegiatan|acara))?[ \t]*:", re.I)
# "Rincian kebutuhan Bimtek Desa Wisata:", "Daftar belanja dapur umum:": a heading line over a list asks as a verb
# does; its words after the heading noun say what for, whose place or office is no wish: they are left out.
_LIST_HEADING_RE = re.compile(
    r"^[ \t*_]*(?:(?:rincian|daftar|rencana|list)[ \t]+(?:kebutuhan|belanja(?:an)?|pesanan|barang|pembelian)"
    r"|kebutuhan|pesanan)\b(?P<occasion>[^\n:]{0,80}):",
    re.I | re.M,
)
# A sentence after the request that starts so says which one ("Bahan kayu atau akrilik.").
_SPEC_WORDS = frozenset(
    {"bahan", "bahannya", "ukuran", "ukurannya", "warna", "warnanya", "motif", "motifnya", "model", "modelnya",
     "jenis", "jenisnya", "menu", "menunya", "isi", "isinya", "rasa", "rasanya"}
)  # fmt: skip


# A sentence after the request that starts so names the things meant ("Misalnya keripik pisang atau kopi.").
_EXAMPLE_LEADS = frozenset({"misalnya", "misal", "contohnya", "contoh", "mungkin", "seperti", "kayak", "semisal"})
_MAX_EXAMPLE_SENTENCE = 10


def _examples_sentence(tokens: list[str]) -> bool:
    """A short sentence of examples after a general request ("oleh-oleh khas Lampung. Misalnya keripik pisang
    atau kopi."): an example word, then only naming words (no verb, nothing about delivery or ability)."""
    if len(tokens) < 2 or len(tokens) > _MAX_EXAMPLE_SENTENCE or tokens[0] not in _EXAMPLE_LEADS:
        return False
    content = [t for t in tokens[1:] if not is_stop(t) and not t.isdigit()]
    return bool(content) and not any(
        t in _NEED_VERBS or t in _ABLE_WORDS or (t.startswith(("di", "me", "ber")) and stem(t) != t) for t in content
    )


def _sentence_need(sentence: str, *, long: bool, verbs: frozenset[str]) -> list[str] | None:
    """The need of a sentence with one of `verbs` (a strong one: "mau menata ruang arsip, jadi butuh lemari"
    reads from "butuh"), None without."""
    tokens = _tokens(sentence)
    ws = [t for t in tokens if t not in _SEPS]
    found = [
        i
        for i, w in enumerate(tokens)
        if (w in verbs or (w.endswith("nya") and w[:-3] in verbs))  # "kami butuhnya tenda"
        and not (i > 0 and tokens[i - 1] in _OFFICE_WORDS)
        and (w not in _MAKER_WORDS or (i > 0 and tokens[i - 1] in _MAKER_LEADS))
    ]
    if not found:
        return None
    verb = found[0]
    while verb + 1 < len(tokens) and tokens[verb + 1] in _NEED_VERBS:
        verb += 1  # "mau pakai susu kambing", "ingin membeli": the last verb of a chain
    before = [t for t in tokens[:verb] if t not in _SEPS]
    after = tokens[verb + 1 :]
    # "keripik pisang, butuh 100": the thing comes first (not in "ada peternak atau penjual ...": no thing there)
    thing_first = not all(is_stop(w) or _is_agent_form(w) for w in before)
    # ... but before an active verb ("Bapenda memerlukan lemari arsip") come who asks, not the thing
    thing_first = thing_first and not tokens[found[0]].startswith("me")
    # an intro word after a thing is its owner or place ("laptop saya rusak, butuh servis", "AC kantor"), no intro
    head = tokens[:verb]
    intro = any(
        w in _INTRO_WORDS and (k == 0 or head[k - 1] in _SEPS or is_stop(head[k - 1])) for k, w in enumerate(head)
    )
    if before and not intro and len(before) <= 4 and thing_first:
        after = tokens
    kept: list[str] = []
    j = 0
    while j < len(after):
        w = after[j]
        # "jasa servis untuk 5 unit laptop": after a service's verb alone, "untuk" names the object
        named = any(not is_stop(k) and not k.isdigit() and k not in _SEPS and k not in SERVICE_WORDS for k in kept)
        if named and w in _SEPS and j + 1 < len(after) and after[j + 1] in _SPEC_WORDS:
            kept.append("seperti")  # "plakat 12 buah, bahan akrilik": which one
            j += 2
            continue
        if named and w == "yang" and j + 1 < len(after) and after[j + 1] in _ABLE_WORDS:
            w = "untuk"  # "penjual susu kambing yang bisa antar rutin": what the seller should do, as an occasion
        if w in _PURPOSE_WORDS and named and (long or len(ws) > 8):
            specific = next((k for k in range(j, len(after)) if after[k] in _SPECIFIC_MARKERS), None)
            if specific is not None:
                # "cenderamata untuk narasumber berupa syal ecoprint": the occasion goes, the specific thing stays
                kept.append(after[specific])
                j = specific + 1
                continue
            listing = ":" in kept  # "kami memerlukan: 1. snack untuk 75 orang 2. nasi kotak": the list goes on
            # "..., kayak gantungan kunci siger", "... perawatan 12 unit AC split": which one
            example = [] if listing else _example_clause(after[j:], {k for k in kept if not is_stop(k)})
            if example:
                kept.extend(example)
                break
            # "... untuk rapat tanggal 20": the occasion, which ranks but is not the thing
            end = next((k for k in range(j, len(after)) if after[k] in _SEPS), len(after))
            kept.extend(["untuk", *after[j + 1 if w in _PURPOSE_MARKERS else j : end]])
            if end < len(after) and (after[end] == ":" or listing or _list_goes_on(after[end:])):
                kept.append(",")
                j = end + 1
                continue
            kept.extend(_spec_clauses(after[end:]))
            break
        if w in _STRONG and not named:
            kept = []  # "mengundang UMKM untuk menyampaikan penawaran pengadaan parsel": the last request names it
        else:
            kept.append(w)
        j += 1
    # a sentence of only a count ("mau 100pcs", "butuh 50 kotak") names no need; nor one of a count, a size and
    # what for ("saya butuh 20 bungkus buat oleh2", "mohon penawaran harga untuk 30 bungkus ukuran 250 gram"):
    # the thing is named elsewhere (the question before it, the letter's subject)
    end = next((k for k, w in enumerate(kept) if w in _PURPOSE_WORDS or w in _PURPOSE_MARKERS), len(kept))
    counted = any(_is_count(w) for w in kept[:end])  # ("penawaran harga untuk pembuatan stempel": the object)
    if counted and ":" not in kept and all(_names_nothing(w) for w in kept[:end]):
        return None
    return kept if any(not _names_nothing(k) for k in kept) else None


def _names_nothing(word: str) -> bool:
    """A stop word, a separator, a count, a size or a word that only leads one ("ukuran")."""
    return (
        is_stop(word)
        or word in _SEPS
        or _is_count(word)
        or word in _SPEC_WORDS
        or _MEASURE_RE.fullmatch(word) is not None
    )


_ABLE_WORDS = frozenset({"bisa", "dapat", "sanggup", "siap", "bersedia", "melayani", "menerima", "mampu"})
# Words that join the last thing of a list ("..., sama air mineral", "..., serta kursi lipat").
_LAST_ITEM_WORDS = frozenset({"dan", "serta", "sama", "plus", "and"})


def _list_goes_on(tokens: list[str]) -> bool:
    """After an occasion ("nasi kotak utk makan siang, snack box pagi dan sore, sama air mineral"), a later part
    of the sentence that starts with a list's last joining word and names something: the occasion did not end
    the list, its other things follow."""
    for k in range(len(tokens) - 1):
        if tokens[k] in _SEPS and tokens[k + 1] in _LAST_ITEM_WORDS:
            nxt = tokens[k + 2] if k + 2 < len(tokens) else ""
            if nxt and nxt not in _SEPS and not is_stop(nxt) and nxt not in _NEED_VERBS and not nxt.isdigit():
                return True
    return False


def _spec_clauses(tokens: list[str]) -> list[str]:
    """The parts of a sentence after its occasion that say which one ("..., bahan akrilik, ukuran 20 x 25 cm"),
    each as an example."""
    out: list[str] = []
    clause: list[str] = []
    for t in [*tokens, ","]:
        if t in _SEPS:
            if clause and clause[0] in _SPEC_WORDS:
                out += ["seperti", *clause[1:]]
            clause = []
        else:
            clause.append(t)
    return out


def _example_clause(tokens: list[str], named: set[str]) -> list[str]:
    """The first example a request gives after its occasion ("kayak gantungan kunci siger", "seperti map
    plastik"): its marker and up to `_MAX_EXAMPLE_WORDS` words, to the next separator. Without a marker, a
    named word said again with a word after it ("servis AC untuk perawatan 12 unit AC split") says which one
    too: then the words from the repeat, under the first marker. Empty when there is neither."""
    start = next((i for i, w in enumerate(tokens) if w in _EXAMPLE_MARKERS), None)
    if start is not None:
        clause = [tokens[start]]
    else:
        start = next((i for i, w in enumerate(tokens) if w in named and i > 0), None)
        if start is None:
            return []
        clause = [min(_EXAMPLE_MARKERS), tokens[start]]
    for w in tokens[start + 1 : start + 1 + _MAX_EXAMPLE_WORDS]:
        if w in _SEPS or w in _NEED_VERBS or w in _PURPOSE_WORDS or (len(clause) > 1 and is_stop(w)):
            break
        clause.append(w)
    if tokens[start] in _EXAMPLE_LEADS and len(clause) > 1:
        # "kue untuk arisan, mungkin brownies atau kue basah": alternatives are the things meant, each an item
        end = start + len(clause)
        rest = tokens[end : next((k for k in range(end, len(tokens)) if tokens[k] in _SEPS), len(tokens))]
        if len(rest) > 1 and rest[0] in _ITEM_WORDS and _examples_sentence([tokens[start], *clause[1:], *rest]):
            return ["berupa", *clause[1:], *rest]
    return clause if any(w not in named for w in clause[1:]) else []


def strip_frame(text: str) -> str:
    """The part of a message that names the need: a letter's sentence with the request verb, from that verb on
    when an introduction comes before it; without a request verb the text is kept whole (but for a letter's
    administrative lines, see `letter_parts`)."""
    kept = _frame(text)
    return letter_parts(text)[1] if kept is None else " ".join(t for t in kept if t not in _SEPS)


def need_items(text: str) -> list[str]:
    """The things a message lists ("kertas HVS, map dan bolpoin", "1. tenda 2. kursi"), each as words; one
    entry when it lists nothing. A shared head goes to every item ("sewa tenda dan kursi": sewa kursi); the
    one word after "atau" takes the place of the last word before it ("abon sapi atau ikan": abon ikan)."""
    tokens = _frame(text)
    if tokens is None:
        tokens = [t for sentence in _sentences(letter_parts(text)[1]) for t in [*_tokens(sentence), ","]]
    items: list[list[str]] = [[]]
    either: set[int] = set()
    for token in tokens:
        if token in _SEPS or token in _ITEM_WORDS:
            if token in _EITHER_WORDS:
                either.add(len(items))
            items.append([])
        else:
            items[-1].append(token)
    for k in sorted(either):
        if k < len(items) and len(items[k]) == 1 and not is_stop(items[k][0]):
            head = [w for w in items[k - 1] if not is_stop(w) and not w.isdigit()]
            if len(head) > 1:
                items[k] = [*head[:-1], items[k][0]]
    first = next((k for k, item in enumerate(items) if any(not is_stop(w) for w in item)), 0)
    found = [
        item
        for k, item in enumerate(items)
        if any(not is_stop(w) for w in _before_purpose(item, k > first)) and not (k > first and item[0] in _CLOSINGS)
    ]
    if len(found) > 1:
        head = next((w for w in found[0] if not is_stop(w)), None)
        if head in _SHARED_HEADS:
            found = [found[0], *([head, *item] if not set(item) & _SHARED_HEADS else item for item in found[1:])]
    return [" ".join(item) for item in found]


_OCCASION_MARKERS = frozenset({"untuk", "utk", "guna", "bagi", "sebagai", "for"})
# A line after a list that starts so closes the letter ("Mohon penyedia yang memenuhi kriteria ..."): no item.
_CLOSINGS = frozenset({"mohon", "harap", "demikian", "terima", "terimakasih", "atas", "silakan", "silahkan"})


def _before_purpose(item: list[str], later: bool) -> list[str]:
    """A later item's words before "untuk"/"sebagai" ("gula aren, ..., untuk kedai": what for, which names nothing
    to buy); the first item's words (after "penawaran harga untuk pembuatan stempel" "untuk" names the object)."""
    if not later:
        return item
    end = next((i for i, w in enumerate(item) if w in _OCCASION_MARKERS), len(item))
    return item[:end]


# ------------------------------------------------------------------------------------ a letter's parts

# "Perihal : Permohonan Penawaran Harga Snack Box": the subject line of a letter, and the words of an
# administrative request before the thing it is about.
_SUBJECT_RE = re.compile(
    r"^[ \t*_]*(?:perihal|prihal|perhal|hal|re|subjek|subject)[ \t]*:[ \t]*(?P<subject>[^\n]+)$", re.I | re.M
)
_SUBJECT_WORDS = frozenset(
    {"permohonan", "permintaan", "pengajuan", "penawaran", "harga", "pengadaan", "pemesanan", "pesanan",
     "pembelian", "penyediaan", "informasi", "info", "kebutuhan", "rencana", "belanja", "usulan", "surat"}
)  # fmt: skip
# Lines of a letter that name no need: its number, attachments, the sender's NIP, phone and address, the place
# and date it was written, the greeting and the closing formula.
_ADMIN_LINE_RE = re.compile(
    r"^[ \t*_]*(?:"
    r"(?:nomor|nomer|no|lampiran|lamp|sifat|tembusan|nip|nrp|nik|telp|telepon|tlp|tel|hp|wa|fax|faks|email|e-mail"
    r"|surel|website|alamat|kode[ \t]+pos)\b\.?[ \t]*(?::|\.|(?=[\d(+])).*"
    r"|(?:jl|jln|jalan)\.?[ \t]+[^\n]*\d[^\n]*"
    r"|(?>[\d \t()+\-./]{6,})"
    rf"|[^\W\d_][^\d\n,]{{0,30}},[ \t]*\d{{1,2}}[ \t]+(?:{_MONTHS})\b[^\n]*"
    r"|(?:kepada[ \t]+)?(?:yth|kpd)?\.?[ \t]*|kepada|di[ \t]*[-–][ \t]*(?:tempat)?|di[ \t]+tempat|tempat"
    r"|dengan[ \t]+hormat[ \t]*,?"
    r")[ \t*_.,]*$",
    re.I | re.M,
)
# The closing of a letter: what comes after it (the signer's office, name, NIP) names no need either.
_CLOSING_LINE_RE = re.compile(
    r"^[ \t*_]*(?:hormat[ \t]+kami|ttd|wassalam|demikian|atas[ \t]+perhatian|terima[ \t]*kasih|terimakasih)\b",
    re.I,
)


@lru_cache(maxsize=64)
def letter_parts(text: str) -> tuple[tuple[str, ...] | None, str]:
    """A letter's subject (its tokens after the administrative words: "Permohonan Penawaran Harga Snack Box" ->
    snack box), None without one, and its body without the subject line, the administrative lines
    (`_ADMIN_LINE_RE`) and the signature after the closing formula (lines with no request verb)."""
    subject: list[str] | None = None
    lines: list[str] = []
    closed = False
    letter = "\n" in text.strip()  # one line ("hp 2 unit", "no 1 kopi") is a question, not a letter's line
    for line in text.split("\n"):
        if subject is None and (m := _SUBJECT_RE.match(line)):
            tokens = _tokens(m["subject"])
            while tokens and (tokens[0] in _SUBJECT_WORDS or tokens[0] in _SEPS or (
                tokens[0] == "undangan" and len(tokens) > 1 and tokens[1] in _SUBJECT_WORDS
            )):  # fmt: skip
                tokens = tokens[1:]
            subject = tuple(tokens) if any(not is_stop(t) and t not in _SEPS for t in tokens) else None
            lines.append("")
            continue
        asks = bool(set(words(line)) & _NEED_VERBS)
        if closed and not asks:
            lines.append("")
            continue
        if _CLOSING_LINE_RE.match(line) and not asks:
            closed = True
            lines.append("")
            continue
        # (blanks collapsed first: the pattern's optional blanks must not backtrack over a long run of them)
        admin = letter and not asks and _ADMIN_LINE_RE.fullmatch(" ".join(line.split())) is not None
        lines.append("" if admin else line)
    return subject, "\n".join(lines)


# ------------------------------------------------------------------------------ filters and concepts


@cache
def unstemmed_words(path: Path = DATA_DIR / "unstemmed.txt") -> frozenset[str]:
    """`data/unstemmed.txt`: words asked for as written, not by their stem ("gorengan" is no "goreng")."""
    with path.open(encoding="utf-8") as fh:
        return frozenset(w for line in fh for w in raw_words(line.split("#", 1)[0]))


def word_concept(word: str) -> Concept:
    """The concept of one typed word: its stem (the index holds every word's stem) or its synonym group."""
    group = load_lexicon().phrases.get((word,))
    if group is None:
        root = word if word in unstemmed_words() else stem(word)
        return Concept(label=word, alternatives=((root,),), word=word)
    return _group_concept(group, [word], word)


def _group_concept(group: SynonymGroup, typed_words: list[str], word: str | None = None) -> Concept:
    typed = tuple(stem(w) for w in typed_words if not is_stop(w))
    alternatives = ((group.key,), typed) if typed and typed != (group.key,) else ((group.key,),)
    return Concept(label=" ".join(typed_words), alternatives=alternatives, word=word)


def _amount(text: str) -> int | None:
    text = re.sub(r"[a-z]+$", lambda m: _ENGLISH_MULT.get(m[0].lower(), m[0]), text.strip(), flags=re.IGNORECASE)
    try:
        return parse_price(text).amount
    except ValidationError:
        return None


def _price_range(text: str, mark: str = " ") -> tuple[int | None, int | None, str]:
    """A price range ("10-20 ribu", "antara 10rb dan 25rb", "Rp10.000 - Rp15.000") and the text without it."""
    for m in _RANGE_RE.finditer(text):
        high_text, low_text = m["high"], m["low"]
        mult = m["mult"]
        if not (mult or m["lead"] or re.search(_CURRENCY, high_text, re.IGNORECASE)):
            continue  # "2-3 hari", "10-20 orang": no money
        following = text[m.end() :].split(maxsplit=1)
        if not mult and following and following[0].lower().strip(".,") in _QUANTITY_UNITS:
            continue  # "from 100 to 200 boxes": a count
        if mult and not re.search(r"[a-z]", low_text, re.IGNORECASE):
            low_text = low_text + " " + mult
        low, high = _amount(low_text), _amount(high_text)
        if low is None or high is None or not 0 < low <= high or high < _MIN_BARE_PRICE:
            continue
        return low, high, text[: m.start()] + mark + text[m.end() :]
    return None, None, text


def _price_bounds(text: str, mark: str = " ") -> tuple[SearchFilters, str]:
    """Price bounds read from the question (ceiling, strict or not; floor; range) and the text without them
    (and without any other amount of money, which names no product); `mark` takes the bound's place."""
    filters, rest = _bounds(text, mark)
    return filters, _LOOSE_AMOUNT_RE.sub(" ", rest)


# "Tahun Anggaran 2026", "TA 2027", "anggaran 2026": the fiscal year, neither a budget nor a count.
_FISCAL_YEAR_RE = re.compile(r"\b(?:(?:tahun\s+)?anggaran|t\.?a\.?)\s+(?:19|20)\d\d\b", re.IGNORECASE)


def _bounds(text: str, mark: str = " ") -> tuple[SearchFilters, str]:
    text = _FISCAL_YEAR_RE.sub(" ", text)
    low, high, text = _price_range(text, mark)
    if high is not None:
        return SearchFilters(max_price=high, min_price=low), text
    for m in _PRICE_RE.finditer(text):
        following = text[m.end() :].split(maxsplit=1)
        if following and following[0].lower().strip(".,") in _QUANTITY_UNITS:
            continue  # "maksimal 200 porsi" is a quantity
        amount = _amount(m["amount"])
        marked = bool(m["rp"] or m["mult"])
        if not amount or (not marked and amount < (_MIN_WEAK_PRICE if m["weak"] else _MIN_BARE_PRICE)):
            continue
        rest = text[: m.start()] + mark + text[m.end() :]
        if m["floor"]:
            return SearchFilters(min_price=amount + 1), rest
        return SearchFilters(max_price=amount, max_exclusive=bool(m["strict"])), rest
    return _trailing_ceiling(text)


# "20k or less", "25 thousand rupiah max", "15rb maksimal": the bound said after the amount (English mostly)
_TRAILING_CEILING_RE = re.compile(
    rf"(?<![a-z0-9])(?P<amount>(?:{_CURRENCY})?[0-9][0-9.,]*+\s*(?P<mult>{_MULT})?)(?:\s*(?:rupiah|idr))?"
    r"\s*(?:or\s+(?:less|below|under|cheaper|lower)|max(?:imum)?|maks(?:imal)?|tops|at\s+most)(?![a-z0-9])",
    re.IGNORECASE,
)


_TRAILING_WORD_RE = re.compile(r"less|below|under|cheaper|lower|max|maks|tops|most", re.IGNORECASE)


def _trailing_ceiling(text: str) -> tuple[SearchFilters, str]:
    if _TRAILING_WORD_RE.search(text) is None:
        return SearchFilters(), text  # (the amount pattern alone is quadratic on a run of digits and commas)
    for m in _TRAILING_CEILING_RE.finditer(text):
        amount = _amount(m["amount"])
        if amount and (m["mult"] or re.search(_CURRENCY, m["amount"], re.IGNORECASE) or amount >= _MIN_WEAK_PRICE):
            return SearchFilters(max_price=amount), text[: m.start()] + " " + text[m.end() :]
    return SearchFilters(), text


def _is_tkdn_share(ws: list[str], i: int) -> bool:
    """Word `i`, after "TKDN", says its share: "minimal", "di atas", "persen", or a number ending the question or
    next to such a word ("40%", "25 persen"), not a count ("TKDN 100 box")."""
    word = ws[i]
    if word.isdigit():
        near = {ws[i - 1], ws[i + 1] if i + 1 < len(ws) else "persen"}
        return len(word) <= 3 and bool(near & _TKDN_SHARE_WORDS)
    return word in _TKDN_SHARE_WORDS or (is_stop(word) and i + 1 < len(ws) and _is_tkdn_share(ws, i + 1))


# In the rest of a letter, only the plain flag words are a wish ("dalam negeri" there may be a ministry's name).
_LETTER_FLAGS = {k: v for k, v in _FLAG_PHRASES.items() if k != ("dalam", "negeri")}


def _take_flags(
    ws: list[str], filters: SearchFilters, phrases: dict[tuple[str, ...], str] = _FLAG_PHRASES
) -> tuple[list[str], SearchFilters]:
    out: list[str] = []
    flags: set[str] = set()
    i = 0
    while i < len(ws):
        flag, n = _flag_at(ws, i, out, phrases)
        if flag is None:
            out.append(ws[i])
            i += 1
            continue
        popped: list[str] = []
        while (
            out
            and out[-1] not in _CONTRAST
            and (_is_flag_word(out[-1], _FLAG_MODIFIERS) or out[-1] in _NEGATIONS or is_stop(out[-1]))
        ):
            popped.append(out.pop())
        if _PROCESS_WORDS.intersection(popped) or (out and out[-1] in _PROCESS_WORDS):
            out += [*reversed(popped), *ws[i : i + n]]  # "jasa pembuatan NIB": the permit is the work asked
            i += n
            continue
        if not _NEGATIONS.intersection(popped):  # "gak harus halal", "non TKDN juga boleh": no wish
            flags.add(flag)
        i += n
        while i < len(ws) and (_is_flag_word(ws[i], _FLAG_ISSUERS) or (flag == "tkdn" and _is_tkdn_share(ws, i))):
            i += 1
        if back := _taken_back(ws, i, phrases):  # "TKDN tidak wajib", "halal gak harus"
            flags.discard(flag)
            i += back
    return out, replace(filters, tkdn="tkdn" in flags, ekatalog="ekatalog" in flags, halal="halal" in flags)


_NEEDED_EN = frozenset({"required", "necessary", "needed", "mandatory", "must"})
_NEEDED = _NEEDED_EN | {"wajib", "diwajibkan", "harus", "perlu", "usah", "mesti", "penting"}
# A turn in the sentence: a negation never reaches across it ("halal tidak wajib, tapi harus e-katalog").
_CONTRAST = frozenset({"tapi", "tetapi", "namun", "but", "melainkan"})


def _taken_back(ws: list[str], i: int, phrases: dict[tuple[str, ...], str]) -> int:
    """How many words after a flag take the wish back ("TKDN tidak wajib", "halal gak harus", "not required"): 0
    when none do, or when another flag follows them ("halal, gak harus e-katalog": that one is not wished)."""
    j = i + (i < len(ws) and ws[i] not in _NEGATIONS and is_stop(ws[i]))  # "tkdn nya tidak wajib"
    if j + 1 >= len(ws) or ws[j] not in _NEGATIONS or ws[j + 1] not in _NEEDED:
        return 0
    k = j + 2
    while k < len(ws) and is_stop(ws[k]) and ws[k] not in _NEGATIONS and ws[k] not in _CONTRAST:
        k += 1
    if ws[j + 1] in _NEEDED_EN or k >= len(ws) or ws[k] in _CONTRAST:  # English says it after: "TKDN not required"
        return j + 2 - i
    return 0 if _flag_at(ws, k, ws[:k], phrases)[0] is not None else j + 2 - i


# Words that make a flag a preference ("diutamakan yang sudah e-Katalog", "kalau bisa yang halal") or, against
# them anywhere in the message, a requirement ("wajib", "harus", "syarat").
_PREFER_WORDS = frozenset(
    {"diutamakan", "utamakan", "mengutamakan", "prioritas", "diprioritaskan", "memprioritaskan", "sebaiknya",
     "preferably", "prefer", "preferred", "disukai", "diharapkan"}
)  # fmt: skip
_PREFER_PHRASES = frozenset({("kalau", "bisa"), ("kalo", "bisa"), ("klo", "bisa"), ("kalau", "ada"), ("kalo", "ada"),
                             ("lebih", "baik"), ("if", "possible")})  # fmt: skip
_REQUIRE_WORDS = frozenset({"wajib", "diwajibkan", "harus", "syarat", "syaratnya", "mutlak", "must", "required",
                            "hanya", "cuma", "only"})  # fmt: skip
_PREFER_WINDOW = 6


def _flags_preferred(ws: list[str]) -> bool:
    """Whether every flag the message names is only preferred: a preference word in the few words before it (or
    "kalau bisa" right after), and no requirement word anywhere."""
    if _REQUIRE_WORDS.intersection(ws):
        return False
    last: int | None = None  # where the last preferred flag was: "diutamakan e-Katalog dan TKDN" prefers both
    for i in range(len(ws)):
        flag, _ = _flag_at(ws, i, ws[:i], _LETTER_FLAGS)
        if flag is None or flag == "permit":
            continue
        before = ws[max(0, i - _PREFER_WINDOW) : i]
        pairs = {*pairwise(before), *pairwise(ws[i + 1 : i + 5])}
        near = last is not None and i - last <= _PREFER_WINDOW
        if not near and not _PREFER_WORDS.intersection(before) and not _PREFER_PHRASES & pairs:
            return False
        last = i
    return last is not None


def _flag_at(ws: list[str], i: int, before: list[str], phrases: dict[tuple[str, ...], str]) -> tuple[str | None, int]:
    """The wish that words `i`.. say and how many words say it (None, 0 when they say none)."""
    for n in (2, 1):
        phrase = ws[i : i + n]
        flag = phrases.get(tuple(phrase)) or phrases.get((*phrase[:-1], phrase[-1].removesuffix("nya")))
        if flag == "halal" and ws[i + n : i + n + 1] in (["bihalal"], ["bi"]):
            flag = None  # "acara halal bihalal" is a gathering after Lebaran, no certificate
        if flag is not None:
            return flag, n
    if "ekatalog" not in phrases.values():
        return None, 0
    word = ws[i]
    if word == "e" and i + 1 < len(ws) and _near(ws[i + 1], _CATALOG_WORDS):  # "e-katlog", "e katalok"
        return "ekatalog", 2
    if word.startswith("e") and _near(word, ("ekatalog", "ecatalog")):  # "ekatalok", "ekatlog"
        return "ekatalog", 1
    if word in _CATALOG_WORDS and _listed_before(before):
        return "ekatalog", 1
    return None, 0


def _listed_before(before: list[str]) -> bool:
    """The words before a bare "katalog" say it is a listing ("sudah masuk", "tayang di", "ada di")."""
    k = len(before) - 1
    while k >= 0 and before[k] in _LISTING_GAP:
        k -= 1
    if k < 0 or before[k] not in _LISTING_WORDS:
        return False
    return before[k] != "ada" or k < len(before) - 1  # "ada di katalog", not "ada katalog kopi?"


def _near(word: str, targets: tuple[str, ...]) -> bool:
    """The word is one of the long targets or one typo away from one (`katlog`, `sertifkat`)."""
    if word in targets:
        return True
    return len(word) >= 6 and any(Levenshtein.distance(word, t, score_cutoff=1) <= 1 for t in targets)


def _is_flag_word(word: str, known: frozenset[str]) -> bool:
    return word in known or (len(word) >= 7 and not is_stop(word) and _near(word, _LONG_FLAG_WORDS))


def _take_category(ws: list[str]) -> tuple[list[str], str | None]:
    # A synonym phrase wins over a category word inside it ("makanan ringan" is a snack, not "ringan" food).
    in_phrase = {i for start, end, _ in load_lexicon().find_phrases(ws) if end - start > 1 for i in range(start, end)}
    for i in range(len(ws)):  # and so does an everyday phrase ("pakaian dinas" is a uniform)
        found = _everyday_at(ws, i)
        if found is not None and found[0] > 1:
            in_phrase.update(range(i, i + found[0]))
    for n in range(min(3, len(ws)), 0, -1):
        for i in range(len(ws) - n + 1):
            slug = CATEGORY_WORDS.get(tuple(ws[i : i + n]))
            if slug is not None and not in_phrase & set(range(i, i + n)):
                if tuple(ws[i : i + n]) in load_lexicon().phrases:
                    return ws, slug  # "atk", "mebel": a kind of product too, so the words stay
                return ws[:i] + ws[i + n :], slug
    return ws, None


def _starts_phrase(ws: list[str], i: int) -> bool:
    """Word `i` begins a two-word name with the next one ("100 boxed lunches": kotak nasi), so it is no unit."""
    if i + 1 >= len(ws) or ws[i + 2 : i + 3] == [ws[i]]:
        return False  # "200 kotak nasi kotak": the unit, then the name
    nxt = ws[i + 1]
    single = _singular(nxt)
    pairs = [(ws[i], nxt)] + ([(ws[i], single), (ws[i], *_variant(single))] if single else [])
    return any(pair in load_everyday() or pair in load_lexicon().phrases for pair in pairs)


_GLUED_COUNT_RE = re.compile(r"(\d{1,6})([a-z]+)")


def _glued_count(word: str) -> int | None:
    """The count of a number glued to its unit of counting ("100pcs", "80pax"; not a size such as "600ml")."""
    m = _GLUED_COUNT_RE.fullmatch(word)
    return int(m[1]) if m and m[2] in _QUANTITY_UNITS and not _MEASURE_RE.fullmatch(word) else None


def _is_count(word: str) -> bool:
    """A number, a unit of counting, or both glued ("100pcs", "50pax")."""
    return word.isdigit() or word in _QUANTITY_UNITS or _glued_count(word) is not None


# Units of counting that are things too, when nothing else is named.
_NAMING_UNITS = frozenset({"jerigen", "jeriken", "loyang", "tray", "trays", "galon", "karung", "toples", "botol"})
_DIMENSION_RE = re.compile(r"\d+x\d+(?:x\d+)?")


def _counted_amount(ws: list[str]) -> int | None:
    """The first amount said with its unit of counting ("100pcs", "50 kotak", "80 orang") in words outside the
    need's sentence; a bare number there (a document number, a year) is no quantity."""
    for i, word in enumerate(ws):
        if (glued := _glued_count(word)) is not None:
            return glued
        if word.isdigit() and 0 < len(word) <= 6 and i + 1 < len(ws) and ws[i + 1] in _QUANTITY_UNITS:
            return int(word)
    return None


def _drop_quantities(ws: list[str]) -> tuple[list[str], int | None]:
    out: list[str] = []
    after_number = False
    quantity: int | None = None
    unit: str | None = None
    for i, word in enumerate(ws):
        if _DIMENSION_RE.fullmatch(word):
            out.append(word)  # "spanduk 3x1 meter": the size ranks (see `_concepts`), its unit says nothing
            after_number = True
            continue
        if (glued := _glued_count(word)) is not None:  # "100pcs", "80pax"
            quantity = glued if quantity is None else quantity
            after_number = False
            continue
        if word.isdigit():
            after_number = True
            if quantity is None and 0 < len(word) <= 6:
                quantity = int(word)
            continue
        if after_number and word in _QUANTITY_UNITS and not _starts_phrase(ws, i):
            after_number = False
            unit = word
            continue
        if out and out[-1] == "per" and word in _QUANTITY_UNITS:  # "25rb per dus"
            out.pop()
            continue
        if out[-2:] == ["by", "the"] and word in _QUANTITY_UNITS:  # "by the kilo", "eggs by the tray"
            del out[-2:]
            continue
        after_number = False
        out.append(word)
    if unit in _NAMING_UNITS and all(is_stop(w) for w in out):
        out.append(unit)  # "butuh 5 jerigen", "beli 2 loyang": the container is the thing asked for
    return out, quantity


# Words before a place that say where the seller should be ("... penjual susu kambing di sekitar Metro Selatan?").
_PLACE_WISH_LEADS = frozenset({"sekitar", "daerah", "wilayah", "area", "dekat", "deket", "kawasan", "seputar"})


def _wished_places(text: str, region: Region) -> list[PlaceSpan]:
    """Places a long message wishes for outside the sentence of its need, said after a word such as "sekitar" or
    "daerah" (an office's own place, "DWP Kecamatan Metro Utara", or an address is no wish). The spans refer to
    the whole text, so they are only read, never dropped from the need's words."""
    if "\n" not in text and len(_SENTENCE_RE.split(text)) < 2:
        return []
    ws = expand_directions(words(letter_parts(text)[1]), region)
    spans = find_place_spans(ws, region)
    # a place may be said twice ("kantor kami di Metro Utara ... ada yang dekat di Metro Utara?"): any time counts
    wished = [span for span in spans if any(_wish_lead(ws[:k]) for k in _occurrences(ws, span))]
    return [replace(span, start=0, end=0) for span in wished]


# "satu kecamatan dengan Yosomulyo", "se-kelurahan Metro Utara": the same area as the place, which says it all.
_SAME_AREA_WORDS = _PLACE_MARKERS | {"satu", "se", "sama", "sekecamatan", "sekelurahan"}


def _ends_phrase(ws: list[str], i: int) -> bool:
    """Word `i` closes a two-word name with the word before it ("seragam dinas", "pakaian dinas"): a stop word
    there names part of the thing, it does not lead the place after it."""
    return i > 0 and ((ws[i - 1], ws[i]) in load_everyday() or (ws[i - 1], ws[i]) in load_lexicon().phrases)


# "nasi kotak antar ke Metro Barat": where it is brought, said of the place; the nearest sellers are its own.
_DELIVERY_WORDS = frozenset(
    {"antar", "anter", "diantar", "dianter", "kirim", "dikirim", "ngirim", "delivery", "deliver", "delivered",
     "ongkir", "cod"}
)  # fmt: skip


def _leads_place(ws: list[str], i: int) -> bool:
    w = ws[i]
    if w in _PLACE_MARKERS:
        # "satu kecamatan dengan ...", "di kelurahan ...": a marker word after a content word is part of the thing
        # ("madu kampung di Metro Utara", "ayam kampung"), never a lead
        return i == 0 or ws[i - 1] in _SAME_AREA_WORDS or ws[i - 1] in _NEAR_WORDS or is_stop(ws[i - 1])
    lead = w in _NEAR_WORDS or w in _SAME_AREA_WORDS or w in _DELIVERY_WORDS or is_stop(w)
    return lead and not _ends_phrase(ws, i)


# A landmark a buyer places the seller by ("dekat pasar Cendrawasih", "depan kampus IAIN", "di pasar Metro"):
# the region knows no landmark, so it filters nothing; its words only rank (a seller whose address names it comes
# first) and the words leading it go. A street ("jalan", "jl") is no landmark: addresses are in the index.
_LANDMARK_LEADS = frozenset(
    {"dekat", "deket", "dkt", "dket", "sekitar", "sekitaran", "seputar", "seputaran", "depan", "samping",
     "belakang", "seberang", "sebelah", "di", "near", "daerah", "area", "kawasan", "lingkungan", "sktr", "skitar"}
)  # fmt: skip
_LANDMARK_GAP = frozenset({"dengan", "dari", "ke", "sama", "the"})
_LANDMARK_WORDS = frozenset(
    {"pasar", "kampus", "masjid", "gereja", "stadion", "terminal", "stasiun", "sekolah", "kantor", "rs", "rsud",
     "puskesmas", "alun", "taman", "lapangan", "simpang", "tugu", "perumahan", "komplek", "kompleks", "perum",
     "universitas", "univ", "hotel", "mall", "polres", "kodim", "pemkot", "balai", "bundaran", "pondok", "ponpes",
     "pesantren", "klinik", "lapas", "rumah", "market", "campus", "mosque", "school", "hospital", "station"}
)  # fmt: skip
_LANDMARK_BEFORE = frozenset({"paling", "yg", "yang", "most"})  # "paling dekat", "yang deket"
_MAX_LANDMARK_NAME = 2


def _landmarks(ws: list[str]) -> tuple[list[str], frozenset[str]]:
    """The words without those leading a landmark ("paling dekat dengan"), and the landmark's words (its kind and
    up to two words of its name, to the next stop word): "katering paling dekat dengan pasar cendrawasih" ->
    katering pasar cendrawasih, {pasar, cendrawasih}."""
    drop: set[int] = set()
    named: set[str] = set()
    for i, w in enumerate(ws):
        if w not in _LANDMARK_LEADS:
            continue
        j = i + 1
        while j < len(ws) and ws[j] in _LANDMARK_GAP:
            j += 1
        if j >= len(ws) or ws[j] not in _LANDMARK_WORDS:
            continue
        end = j + 1
        while end < len(ws) and end - j <= _MAX_LANDMARK_NAME and not is_stop(ws[end]):
            end += 1
        drop.update(range(i, j))
        k = i - 1
        while k >= 0 and ws[k] in _LANDMARK_BEFORE:
            drop.add(k)
            k -= 1
        named.update(ws[j:end])
    return [w for i, w in enumerate(ws) if i not in drop], frozenset(named)


def _mark_landmarks(concepts: list[Concept], landmark: frozenset[str]) -> list[Concept]:
    if not landmark:
        return concepts
    marked = [replace(c, optional=True) if set(c.label.split()) <= landmark else c for c in concepts]
    # "sewa rumah dekat kampus": with the landmark ranking only, nothing but a service's verb would be asked
    if not any(not c.optional and c.word not in SERVICE_WORDS for c in marked):
        return concepts
    return marked


# Words that join places a buyer takes either of ("Metro Pusat atau Metro Barat", "Hadimulyo / Iringmulyo").
_EITHER_WORDS = frozenset({"atau", "ataupun", "maupun", "dan", "serta", "sama", "or", "and", "juga"})


def _either_places(ws: list[str], spans: list[PlaceSpan]) -> list[PlaceSpan]:
    """Places named one after the other, joined by "atau", "dan" or only a comma (their words follow each
    other), in order; none when there is one place, or places apart in the message (a sender's and a wish)."""
    spans = sorted((s for s in spans if s.end > s.start), key=lambda s: s.start)
    joined: list[PlaceSpan] = []
    for a, b in pairwise(spans):
        between = ws[a.end : b.start]
        if all(w in _EITHER_WORDS or w in _NEAR_WORDS or w in _PLACE_MARKERS for w in between):
            joined += [s for s in (a, b) if s not in joined]
    return joined


def _either_kecamatan(ws: list[str], spans: list[PlaceSpan]) -> tuple[str, ...]:
    """The kecamatan a buyer takes either of ("Metro Pusat atau Metro Barat"), the first one first; none unless
    two places are joined. Two kelurahan of one kecamatan ("Hadimulyo Barat atau Hadimulyo Timur") give it alone
    (`other_kecamatan` empty): either kelurahan is in it. A kelurahan with its own kecamatan ("Banjarsari, Metro
    Utara") is one place, and gives nothing."""
    joined = _either_places(ws, spans)
    kecamatan = tuple(dict.fromkeys(s.kecamatan for s in joined))
    kelurahan = {s.kelurahan for s in joined if s.kelurahan}
    return kecamatan if len(kecamatan) > 1 or len(kelurahan) > 1 else ()


def _occurrences(ws: list[str], span: PlaceSpan) -> list[int]:
    """Where the words of a place span (without its "kec"/"kel" marker) begin, each time they are said."""
    name = ws[span.start : span.end]
    if name and name[0] in _PLACE_MARKERS and len(name) > 1:
        name = name[1:]
    n = len(name)
    return [k for k in range(len(ws) - n + 1) if ws[k : k + n] == name]


def _wish_lead(before: list[str]) -> bool:
    """The words before a place say the seller should be there: "sekitar", "daerah", "dekat (di)", or "yang di"
    ("kalau bisa yang di Metro Timur": the one in Metro Timur)."""
    if before[-1:] == ["di"]:
        return before[-2:-1] in (["yang"], ["yg"]) or (len(before) > 1 and before[-2] in _PLACE_WISH_LEADS)
    return bool(before) and before[-1] in _PLACE_WISH_LEADS


def _drop_places(ws: list[str], spans: list[PlaceSpan]) -> list[str]:
    """The words without the places and the words that only lead or follow one ("sekitaran", "dan sekitarnya",
    "satu kecamatan dengan")."""
    drop = {i for span in spans for i in range(span.start, span.end)}
    for span in (s for s in spans if s.end > s.start):
        i = span.start - 1
        while i >= 0 and i not in drop and _leads_place(ws, i):
            drop.add(i)
            i -= 1
        j = span.end
        while j < len(ws) and j not in drop and (ws[j] in _AROUND_WORDS or (is_stop(ws[j]) and j + 1 < len(ws))):
            if ws[j] in _AROUND_WORDS:
                drop.update(range(span.end, j + 1))
            j += 1
    return [w for i, w in enumerate(ws) if i not in drop]


# ------------------------------------------------------------------- needs, occasions, generic words

MAX_NEED_WORDS = 5


@dataclass(frozen=True)
class Need:
    """A need or occasion (`keperluan rapat`) and the product kinds that serve it, as index-token alternatives."""

    label: str
    kinds: tuple[tuple[str, ...], ...]


def _kind_alternatives(kind: str) -> tuple[tuple[str, ...], ...]:
    concepts = _concepts(words(kind), everyday=False)
    if len(concepts) == 1:
        return concepts[0].alternatives
    return (tuple(tok for c in concepts for tok in c.alternatives[0]),) if concepts else ()


def _read_mapping(path: Path) -> list[tuple[list[tuple[str, ...]], tuple[tuple[str, ...], ...]]]:
    """A `phrase | phrase => words; words` file (`concepts.txt`, `everyday.txt`): each line's folded phrases and
    its targets as index-token alternatives."""
    with path.open(encoding="utf-8") as fh:
        lines = [line.split("#", 1)[0].strip() for line in fh]
    entries = []
    for line in filter(None, lines):
        left, sep, right = line.partition("=>")
        phrases = [tuple(words(p)) for p in left.split("|") if words(p)]
        targets = tuple(dict.fromkeys(alt for k in right.split(";") if k.strip() for alt in _kind_alternatives(k)))
        if not sep or not phrases or not targets:
            raise ValueError(f"{path.name}: expected 'phrase | phrase => words; words', got {line!r}")
        for phrase in phrases:
            if len(phrase) > MAX_NEED_WORDS:
                raise ValueError(f"{path.name}: phrase {' '.join(phrase)!r} has over {MAX_NEED_WORDS} words")
        entries.append((phrases, targets))
    return entries


@cache
def load_needs(path: Path = DATA_DIR / "concepts.txt") -> dict[tuple[str, ...], Need]:
    """`data/concepts.txt`: need phrase | phrase => kind; kind. Read once per process."""
    needs: dict[tuple[str, ...], Need] = {}
    for phrases, kinds in _read_mapping(path):
        need = Need(label=" ".join(phrases[0]), kinds=kinds)
        for phrase in phrases:
            needs.setdefault(phrase, need)
    return needs


@cache
def generic_words(path: Path = DATA_DIR / "generic.txt") -> frozenset[str]:
    """`data/generic.txt`: words never required next to a more specific one."""
    with path.open(encoding="utf-8") as fh:
        return frozenset(w for line in fh for w in raw_words(line.split("#", 1)[0]))


@cache
def load_everyday(path: Path = DATA_DIR / "everyday.txt") -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """`data/everyday.txt`: English words and brand names -> the Indonesian words a catalog uses, as index-token
    alternatives. Keys are folded like a question's words (spelling variants applied). Read once per process."""
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    variants = load_lexicon().variants
    for phrases, targets in _read_mapping(path):
        for phrase in phrases:
            typed = tuple(stem(w) for w in phrase if not is_stop(w))
            if (typed,) != targets:  # an entry the spelling variants already cover says nothing new
                table.setdefault(phrase, targets)
            # A plural that the spelling variants fold to the Indonesian word ("bags" -> tas, "shirts" ->
            # kemeja) reaches the table folded: "goody bags" is looked up as goody tas.
            for plural in (phrase[-1] + "s", phrase[-1] + "es"):
                if len(phrase) > 1 and plural in variants:
                    table.setdefault((*phrase[:-1], *variants[plural]), targets)
    return table


@cache
def everyday_qualifiers(path: Path = DATA_DIR / "everyday.txt") -> frozenset[tuple[str, ...]]:
    """The `everyday.txt` phrases whose entry is marked `=> ~`: words that say which one or how it is sold, not
    what (`jars`, `monthly`, `raw`): they rank, but a question is never required to have them."""
    with path.open(encoding="utf-8") as fh:
        lines = [line.split("#", 1)[0].strip() for line in fh]
    return frozenset(
        tuple(words(p))
        for line in lines
        if line.partition("=>")[2].lstrip().startswith("~")
        for p in line.partition("=>")[0].split("|")
        if words(p)
    )


def _english_bases(word: str) -> list[str]:
    """What an English word may be a form of, for looking it up: a plural's singular, a past participle's or an
    -ing form's verb (`fixed` -> fix, `printed` -> print, `serviced` -> service, `knitted` -> knit,
    `baking` -> bake). Only candidates: a form counts only when the word list has it."""
    out = [single] if (single := _singular(word)) else []
    if len(word) > 4 and word.endswith("es"):
        out.append(word[:-1])  # prizes, sizes, cases
    if len(word) > 4 and word.endswith("ed"):
        out += [word[:-2], word[:-1]] + ([word[:-3]] if word[-3] == word[-4] else [])
    if len(word) > 5 and word.endswith("ing"):
        out += [word[:-3], word[:-3] + "e"] + ([word[:-4]] if word[-4] == word[-5] else [])
    return out


def _singular(word: str) -> str | None:
    """An English plural's singular (`pots` -> `pot`, `bakeries` -> `bakery`, `boxes` -> `box`)."""
    if len(word) <= 3 or not word.endswith("s"):
        return None
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses", "zes")):
        return word[:-2]  # boxes, lunches, dishes, glasses
    return word[:-1]


def _variant(word: str) -> tuple[str, ...]:
    return load_lexicon().variants.get(word, (word,))


def _everyday_at(ws: list[str], i: int) -> tuple[int, tuple[tuple[str, ...], ...], bool] | None:
    """The longest `everyday.txt` phrase starting at word `i` (a plural last word finds its singular, a verb
    form its verb), its targets, and whether it is a qualifier (`everyday_qualifiers`)."""
    table = load_everyday()
    for n in range(min(MAX_NEED_WORDS, len(ws) - i), 0, -1):
        phrase = tuple(ws[i : i + n])
        keys = [phrase]
        for base in _english_bases(phrase[-1]):
            # the base as the table's keys are folded ("boxed lunches": lunch -> nasi)
            keys += [(*phrase[:-1], base), (*phrase[:-1], *_variant(base))]
        key = next((k for k in keys if k in table), None)
        if key is not None:
            return n, table[key], key in everyday_qualifiers()
    single = _singular(ws[i])
    if single is not None and (folded := _variant(single)) != (single,):
        return 1, (folded,), False  # "tailors", "projectors": a plural of a word the variants fold (tailor: jahit)
    return None


def _is_activity(word: str) -> bool:
    """A meN-/ber- verb that is no verb of needing (`menjahit`, `membuat`, `bercocok`; not `memerlukan`)."""
    return word.startswith(("me", "ber")) and len(word) >= 5 and word not in _NEED_VERBS and stem(word) != word


def _product_phrases(ws: list[str]) -> list[tuple[int, int]]:
    """The spans of the question's words that an `everyday.txt` phrase names as a product (not a qualifier)."""
    spans: list[tuple[int, int]] = []
    for i in range(len(ws)):
        found = _everyday_at(ws, i)
        if found is not None and found[0] > 1 and not found[2]:
            spans.append((i, i + found[0]))
    return spans


def _take_need(ws: list[str]) -> tuple[list[str], Concept | None]:
    needs = load_needs()
    spans: list[tuple[int, int]] | None = None
    for n in range(min(MAX_NEED_WORDS, len(ws)), 0, -1):
        for i in range(len(ws) - n + 1):
            need = needs.get(tuple(ws[i : i + n]))
            if need is not None and not (i + n < len(ws) and _is_activity(ws[i + n])):
                # ("pelatihan menjahit" is a course in sewing, whoever sells it: no need for a training's supplies)
                # A product named by a longer everyday phrase around the need wins ("house cleaning", "meeting
                # table"): the need is only part of its name.
                spans = _product_phrases(ws) if spans is None else spans
                if any(start <= i and i + n <= end and end - start > n for start, end in spans):
                    continue
                concept = Concept(label=" ".join(ws[i : i + n]), alternatives=need.kinds, need=True)
                return ws[:i] + ws[i + n :], concept
    return ws, None


def _need_words(label: str) -> tuple[tuple[str, ...], ...]:
    """The words of a need that rank what is named beside it: its own, and for an English need the catalog's
    words for it (`everyday.txt`): "cake for a birthday" ranks the kue ulang tahun, "invites for a wedding" the
    undangan pernikahan."""
    ws = label.split()
    own = tuple(stem(w) for w in ws if not is_stop(w))
    found = _everyday_at(ws, 0)
    said = found[1] if found is not None and found[0] == len(ws) else ()
    return tuple(dict.fromkeys((*said, own) if own else said))


def _mark_generic(concepts: list[Concept]) -> list[Concept]:
    generic = generic_words()
    return [replace(c, optional=True) if c.word in generic else c for c in concepts]


_PURPOSE_MARKERS = frozenset({"untuk", "utk", "buat", "for", "dari", "guna", "bagi", "from", "sebagai"})


def _mark_purpose(concepts: list[Concept], ws: list[str]) -> list[Concept]:
    """Words after "untuk/buat/dari" once something was named ("kue basah utk arisan", "tas untuk seminar")
    say what for or from where: they rank, but are not required."""
    start = next((i for i, w in enumerate(ws) if w in _PURPOSE_MARKERS and i > 0), None)
    if start is None:
        return concepts
    after = set(ws[start + 1 :])
    before = {w for w in ws[:start] if not is_stop(w) and w not in SERVICE_WORDS and w not in generic_words()}
    if not before:
        return concepts
    return [replace(c, optional=True) if c.word in after and c.word not in before else c for c in concepts]


# "office chair with wheels", "rubber stamp with our logo": what a thing has or carries, said after it in English
_FEATURE_MARKERS = frozenset({"with", "featuring", "incl", "including"})


def _mark_features(concepts: list[Concept], ws: list[str]) -> list[Concept]:
    """Words after an English "with" once something was named before it ("office chair with wheels", "leather
    bag with eco print") say which one: they rank, but are not required. A thing named on both sides stays."""
    start = next((i for i, w in enumerate(ws) if w in _FEATURE_MARKERS and i > 0), None)
    if start is None or all(is_stop(w) for w in ws[:start]):
        return concepts
    after, before = set(ws[start + 1 :]), set(ws[:start])
    return [
        replace(c, optional=True) if (said := set(c.label.split())) <= after and not said & before else c
        for c in concepts
    ]


# "kaos polos warna putih", "tas bahan kanvas": a quality said after the thing says which one, as an example does.
_SPEC_MARKERS = frozenset({"warna", "bahan", "motif", "rasa"})


def _take_example(ws: list[str]) -> tuple[list[str], frozenset[str]]:
    """Words without an example marker ("souvenir kayak gantungan kunci") and the example's words, when something
    was named before the marker; the marker itself names nothing."""
    if len(ws) > 1 and ws[0] in _EXAMPLE_MARKERS:
        ws = ws[1:]  # "..., kayak sambal roa": an item of the examples
    start = next(
        (
            i
            for i, w in enumerate(ws)
            if i > 0 and (w in _EXAMPLE_MARKERS or (w in _SPEC_MARKERS and i + 1 < len(ws) and not is_stop(ws[i + 1])))
        ),
        None,
    )
    if start is None:
        return ws, frozenset()
    if all(is_stop(w) for w in ws[:start]):
        # nothing named before it: the example is the thing asked for, and a marker such as "seperti" names nothing
        return (ws[:start] + ws[start + 1 :] if ws[start] in _EXAMPLE_MARKERS else ws), frozenset()
    example = frozenset(ws[start + 1 :]) - set(ws[:start])
    return ws[:start] + ws[start + 1 :], example


def _take_specific(ws: list[str]) -> tuple[list[str], frozenset[str]]:
    """Words without the markers of the specific thing ("konsumsi berupa snack box"), which name nothing, and the
    general words before the first, when something is named on both sides."""
    start = next((i for i, w in enumerate(ws) if w in _SPECIFIC_MARKERS), None)
    if start is None:
        return ws, frozenset()
    rest = [w for w in ws if w not in _SPECIFIC_MARKERS]
    if all(is_stop(w) for w in ws[:start]) or all(is_stop(w) for w in ws[start + 1 :]):
        return rest, frozenset()
    return rest, frozenset(ws[:start]) - set(ws[start + 1 :])


def _mark_example(concepts: list[Concept], example: frozenset[str], *, named: bool = False) -> list[Concept]:
    if not example or (not named and all(set(c.label.split()) <= example for c in concepts if not c.optional)):
        return concepts  # nothing named but the example: then it is the thing asked for
    return [replace(c, optional=True) if set(c.label.split()) <= example else c for c in concepts]


_MEASURE_RE = re.compile(r"(\d+)(ml|l|lt|ltr|liter|gr|g|gram|kg|cm|mm|m|meter|inch|mah|w|watt|x\d+)")


def _concepts(ws: list[str], *, everyday: bool = True) -> list[Concept]:
    concepts: list[Concept] = []
    phrases = {start: (end, group) for start, end, group in load_lexicon().find_phrases(ws)}
    i = 0
    while i < len(ws):
        found = _everyday_at(ws, i) if everyday else None
        if found is not None and found[0] >= (phrases[i][0] - i if i in phrases else 0):
            # English or a brand ("mineral water", "kapal api"): the Indonesian words, or the typed ones; a
            # qualifier ("in jars", "monthly") ranks but is not required.
            n, targets, qualifier = found
            typed = tuple(stem(w) for w in ws[i : i + n] if not is_stop(w))
            alternatives = tuple(dict.fromkeys((*targets, typed) if typed else targets))
            label = " ".join(ws[i : i + n])
            concepts.append(Concept(label, alternatives, word=ws[i] if n == 1 else None, optional=qualifier))
            i += n
            continue
        if i in phrases:
            end, group = phrases[i]
            concepts.append(_group_concept(group, ws[i:end], ws[i] if end == i + 1 else None))
            i = end
            continue
        if m := _MEASURE_RE.fullmatch(ws[i]):
            # "600ml", "250gr", "3x1": which size, which ranks but is not required (the catalog may write "600 ml")
            split = () if m[2].startswith("x") else ((m[1], m[2]),)
            concepts.append(Concept(ws[i], ((ws[i],), *split), optional=True))
        elif len(ws[i]) > 1 and not is_stop(ws[i]):  # a lone letter ("ukuran L") names nothing by itself
            concepts.append(word_concept(ws[i]))
        i += 1
    unique: list[Concept] = []
    for concept in concepts:
        if all(c.alternatives != concept.alternatives for c in unique):
            unique.append(concept)
    return unique


def _things(ws: list[str]) -> tuple[list[Concept], str | None]:
    """The things asked for in words already free of places, flags and quantities, and a category word."""
    ws, need = _take_need(ws)
    while need is not None:  # "keperluan acara 17an": one need, said twice
        ws, again = _take_need(ws)
        if again is None or again.alternatives != need.alternatives:
            ws = ws if again is None else [*ws, *again.label.split()]
            break
    ws, example = _take_example(ws)
    ws, general = _take_specific(ws)
    taken, category = _take_category(ws)
    # "jasa cleaning service, contohnya kebersihan gedung": a need said names the thing, the example says which
    concepts = _mark_example(
        _mark_example(
            _mark_features(_mark_purpose(_mark_generic(_concepts(taken)), taken), taken),
            example,
            named=need is not None,
        ),
        general,
    )
    said = [w for w in ws if w not in taken and not is_stop(w)]
    if said and any(not c.optional for c in concepts):
        # The category's words still rank when the filter has to go ("lemari pakaian": a wardrobe).
        concepts.append(Concept(" ".join(said), (tuple(stem(w) for w in said),), optional=True))
    if need is not None:
        # A named thing wins over the need around it ("nasi kotak untuk rapat kantor"); then only the need's
        # own words rank ("parsel lebaran": the Parsel Lebaran first), and never find by themselves.
        named = any(not c.optional for c in concepts)
        own = _need_words(need.label)
        alternatives = own if named and own else need.alternatives
        concepts = [replace(need, alternatives=alternatives, optional=named), *concepts]
    return concepts[:MAX_CONCEPTS], category


def parse_query(text: str, region: Region) -> ParsedQuery:
    """Split a question into filters and concepts, places of `region` (no database, no typo correction).

    In order: price bounds and a date are read from the raw text; a request letter's frame ("Selamat siang,
    saya dari bagian umum ... butuh") is cut, its administrative lines, signature and subject line read apart
    (`letter_parts`); then places, TKDN / e-Katalog / halal, a need or occasion
    (`concepts.txt`), a category word and quantities; what is left are the things asked for. A message
    listing several things ("kertas HVS, map dan bolpoin") also gives each as an `item` of its own.
    """
    raw = unicodedata.normalize("NFKC", text or "")[:MAX_QUERY_CHARS]
    original = raw
    prices, raw = _price_bounds(raw)
    date, raw = take_date(raw)
    framed = strip_frame(raw)
    ws = expand_directions(words(framed), region)
    spans = (
        find_place_spans(ws, region)
        or (_intro_place(raw, region) if framed != raw else [])
        or _wished_places(raw, region)
    )
    place = next((s for s in spans if s.kelurahan), spans[0] if spans else None)  # a kelurahan is the finer one
    filters = replace(
        prices, kecamatan=place.kecamatan if place else None, kelurahan=place.kelurahan if place else None
    )
    if either := _either_kecamatan(ws, spans):
        filters = replace(filters, kecamatan=either[0], kelurahan=None, other_kecamatan=either[1:])
    ws = _drop_places(ws, spans)
    ws, landmark = _landmarks(ws)
    ws, filters = _take_flags(ws, filters)
    # A wish said outside the letter's need ("..., untuk 200 orang minggu depan, halal please") still holds.
    letter = _take_flags(words(raw), SearchFilters(), _LETTER_FLAGS)[1]
    filters = replace(
        filters, tkdn=filters.tkdn or letter.tkdn, ekatalog=filters.ekatalog or letter.ekatalog,
        halal=filters.halal or letter.halal,
    )  # fmt: skip
    ws, quantity = _drop_quantities(ws)
    if quantity is None and framed != raw:
        quantity = _counted_amount(words(letter_parts(raw)[1]))  # "jual kaos polos? mau 100pcs"
    concepts, category = _things(ws)
    concepts = _mark_landmarks(concepts, landmark)
    filters = replace(filters, category=category)
    items = _items(raw, region, filters)
    if items and prices.any():
        items, filters = _bind_price(original, region, filters, items)
    return ParsedQuery(
        concepts=tuple(concepts),
        filters=filters,
        category_from_words=category is not None,
        quantity=quantity,
        date=date,
        asked=tuple(dict.fromkeys(words(raw))),
        items=items,
        flags_preferred=_flags_preferred(words(raw)),
    )


MAX_ITEMS = 6


_LIST_HINT_RE = re.compile(r"[,;:/&+\n]|\b(?:dan|serta|and|sama|plus|juga)\b", re.IGNORECASE)


def _items(raw: str, region: Region, filters: SearchFilters, texts: list[str] | None = None) -> tuple[ParsedQuery, ...]:
    """Each thing of a list as a question of its own under the message's filters (none for a single thing)."""
    if texts is None:
        if not _LIST_HINT_RE.search(raw) and not _LIST_MARK_RE.search(raw):
            return ()  # no separator, no list: one thing (the common case, kept cheap)
        texts = need_items(raw)
    items: list[ParsedQuery] = []
    for text in texts[:MAX_ITEMS]:
        ws = _drop_places(words(text), find_place_spans(words(text), region))
        ws, _ = _take_flags(ws, SearchFilters())
        ws, _ = _drop_quantities(ws)
        concepts, category = _things(ws)
        if any(not c.optional for c in concepts):
            item_filters = replace(filters, category=category)
            items.append(ParsedQuery(tuple(concepts), item_filters, category_from_words=category is not None))
    return tuple(items) if len(items) > 1 else ()


_BOUND_MARK = "xbatasx"  # where a price bound was said, for `_bind_price`; no word of any language
# Words around a bound that only say it is one ("budget snack maks 15rb", "untuk nasi kotaknya anggaran ...").
_BOUND_WORDS = frozenset({"budget", "bujet", "anggaran", "harga", "pagu", "biaya", "dana", "price", "untuk", "utk",
                          "buat", "yang", "yg", "per", _BOUND_MARK})  # fmt: skip


def _bind_price(
    raw: str, region: Region, filters: SearchFilters, items: tuple[ParsedQuery, ...]
) -> tuple[tuple[ParsedQuery, ...], SearchFilters]:
    """A price bound said about one thing of a list binds that thing only: "tumpeng mini sama snack box, budget
    snack maks 15rb" (the bound's clause names the snack box), "kaos 50 pcs harga maks 60rb dan spanduk" (said in
    the kaos's item). The clause saying it is then no item of its own. A bound said of nothing in particular
    ("..., budget maks 25rb per orang") stays on every thing, and so does one said at the end of the last item
    ("kopi dan gula aren di bawah 50 ribu"); the items and the message's filters otherwise."""
    _, marked = _price_bounds(raw, f" {_BOUND_MARK} ")
    _, marked = take_date(marked)
    texts = need_items(marked)[:MAX_ITEMS]
    said = next((k for k, t in enumerate(texts) if _BOUND_MARK in t.split()), None)
    if said is None:
        return items, filters
    owner_words = {_bare(w) for w in texts[said].split() if w not in _BOUND_WORDS and not is_stop(w) and not
                   w.isdigit() and w not in _QUANTITY_UNITS}  # fmt: skip
    if not owner_words:
        return items, filters
    others = [k for k, t in enumerate(texts) if k != said and owner_words & {_bare(w) for w in t.split()}]
    if not others and said == len(texts) - 1:
        return items, filters  # "kopi dan gula aren di bawah 50 ribu": said at the end, of the whole list
    owner = others[0] if others else said
    kept = [t.replace(_BOUND_MARK, " ") for k, t in enumerate(texts) if k != said or not others]
    owner_text = texts[owner].replace(_BOUND_MARK, " ")
    unbound = replace(filters, max_price=None, min_price=None, max_exclusive=False)
    rebuilt = _items(raw, region, unbound, kept)
    if len(rebuilt) < 2 or len(rebuilt) != len(kept):
        return items, filters  # an item named nothing: the texts and the items no longer line up
    bound = [replace(it, filters=replace(it.filters, max_price=filters.max_price, min_price=filters.min_price,
                                         max_exclusive=filters.max_exclusive)) if t == owner_text else it
             for it, t in zip(rebuilt, kept, strict=True)]  # fmt: skip
    return tuple(bound), unbound


def _bare(word: str) -> str:
    """A word without its -nya ("nasi kotaknya", "rotinya": the one just named)."""
    return word[:-3] if word.endswith("nya") and len(word) > 5 else word


# ----------------------------------------------------------------------------------- typo correction


def correct_concepts(
    concepts: tuple[Concept, ...], vocab: Vocabulary
) -> tuple[tuple[Concept, ...], tuple[tuple[str, str], ...]]:
    """Replace words the catalog does not know by the nearest word it does (`sragam` -> `seragam`).

    Beyond the nearest spelling (`Vocabulary.correct`): two words typed as one are split (`nasikotak`),
    one word typed as two is joined (`foto kopi`), a short word or one the stemmer cuts to a dictionary root
    finds the catalog word it lacks one letter of (`nma` -> nama, `sekola` -> sekolah), and a misspelt
    spelling variant finds its canonical word (`samble` ~ sambel -> sambal). The typed word stays an
    alternative (the cached vocabulary may miss a word another process just added). A misspelt stop word
    (`lampng`) is dropped, reported as corrected to "".
    """
    out: list[Concept] = []
    unknown: list[int] = []  # where a word the catalog does not know stays as typed
    persons: list[int] = []  # where an agent noun was read as its root (`pekebun` -> kebun)
    corrections: list[tuple[str, str]] = []
    for concept in _join_split_words(concepts, vocab, corrections):
        word = concept.word
        # a word of the word lists (synonym, English, brand, unstemmed): no typo, no other word form
        known = len(concept.alternatives) > 1 or word in unstemmed_words()
        if word is None or known or any(all(tok in vocab for tok in alt) for alt in concept.alternatives):
            out.append(concept)
            if word and _is_person(word, vocab):
                persons.append(len(out) - 1)  # "pekebun cabai": the one who grows it (kebun), not the thing
            continue
        # a root the dictionary knows is no derived form (`kecap` is soy sauce, not ke- + cap)
        formed = None if is_root_word(word) else next((m for m in word_forms(word) if m in vocab), None)
        if formed is not None:
            corrections.append((word, formed))
            out.append(replace(concept, alternatives=((formed,), *concept.alternatives)))
            if _is_person(word, vocab):
                persons.append(len(out) - 1)
            continue
        parts = _split_word(word, vocab)
        if parts is not None:
            corrections.append((word, " ".join(parts)))
            out.append(replace(concept, alternatives=(parts, *concept.alternatives)))
            continue
        voweled = vocab.unvowelled(word) if not is_root_word(word) else []
        if voweled:
            # Chat writes consonants alone (`ktk` kotak, `sklh` sekolah); `krpk` may be kerupuk or keripik: both.
            corrections.append((word, voweled[0]))
            alternatives = (*((t,) for t in voweled), *concept.alternatives)
            out.append(replace(concept, label=voweled[0], alternatives=alternatives))
            continue
        fixed = _correct_word(word, vocab)
        if fixed is not None and fixed != word:
            corrections.append((word, fixed))
            better = _concepts(words(fixed), everyday=False)
            alternatives = better[0].alternatives if len(better) == 1 else (tuple(stem(w) for w in words(fixed)),)
            out.append(replace(concept, label=fixed, alternatives=alternatives + concept.alternatives))
        elif is_stopword_typo(word):
            corrections.append((word, ""))
        else:
            out.append(concept)
            unknown.append(len(out) - 1)
    return _agents_optional(out, unknown, vocab, persons), tuple(corrections)


def _agents_optional(
    concepts: list[Concept], unknown: list[int], vocab: Vocabulary, persons: tuple[int, ...] | list[int] = ()
) -> tuple[Concept, ...]:
    """An agent or process noun the catalog does not know (`peternak ayam`, `pembudidaya lele`, `pengolahan
    kopi`, `pengantar galon`), or an agent noun known only by its root (`pekebun cabai`: kebun), names the seller
    or the work around a thing: next to a thing the catalog knows, it ranks but is not required. Alone, or next
    to nothing known, it stays required (no answer rather than a guess). Only *before* the thing: after it, the
    agent noun qualifies the thing the way any modifier does ("seragam perawat" is a nurse's uniform, "lemari
    pendingin" a cooling cabinet), and a catalog without it has no answer."""
    agents = {i for i in unknown if _is_agent_form(concepts[i].word or "")} | set(persons)
    known = [
        i
        for i, c in enumerate(concepts)
        if not c.optional and i not in agents | set(unknown) and any(all(t in vocab for t in a) for a in c.alternatives)
    ]
    # before an activity ("pelatihan menjahit", "kursus membatik") it names what is done about the activity: a
    # course in sewing is no tailor's work
    leading = {
        i
        for i in agents
        if known and i < known[-1] and not (i + 1 < len(concepts) and _is_activity(concepts[i + 1].word or ""))
    }
    if not leading:
        return tuple(concepts)
    return tuple(replace(c, optional=True, trade=i in persons) if i in leading else c for i, c in enumerate(concepts))


def _is_person(word: str, vocab: Vocabulary) -> bool:
    """An agent noun (`pekebun`, `pengepul`, not `-an`) that the catalog knows only by its root."""
    return not word.endswith("an") and vocab.frequency(word) == 0 and _is_agent_form(word)


def _is_agent_form(word: str) -> bool:
    """A pe-/peN-/per- word (`peternak`, `pengolahan`), by its shape: the prefix and a root of 3+ letters."""
    return word.startswith("pe") and len(word) >= 6 and bool(word_forms(word))


_MIN_PART = 3
_MIN_INNER = 4  # a real word this long may still be a catalog word with a vowel dropped inside
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_VOWELS = "aiueo"


def _join_split_words(
    concepts: tuple[Concept, ...], vocab: Vocabulary, corrections: list[tuple[str, str]]
) -> list[Concept]:
    """Two typed words that the catalog knows as one (`foto kopi` -> fotokopi) become one concept that
    either the joined word or both words answer."""
    out: list[Concept] = []
    for concept in concepts:
        prev = out[-1] if out else None
        if prev is not None and prev.word and concept.word and not prev.optional and not concept.optional:
            joined = prev.word + concept.word
            if joined.isalpha() and vocab.frequency(joined) > 0:
                corrections.append((f"{prev.word} {concept.word}", joined))
                both = (*prev.alternatives[0], *concept.alternatives[0])
                out[-1] = Concept(f"{prev.label} {concept.label}", ((joined,), both))
                continue
        out.append(concept)
    return out


def _split_word(word: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """Two catalog words typed as one (`nasikotak`, `keripikpisang`): the split whose rarer part is most common."""
    if not word.isalpha() or len(word) < 2 * _MIN_PART:
        return None
    best: tuple[int, tuple[str, str]] | None = None
    for i in range(_MIN_PART, len(word) - _MIN_PART + 1):
        left, right = word[:i], word[i:]
        if is_stop(left) or is_stop(right):
            continue
        common = min(vocab.frequency(left), vocab.frequency(right))
        if common > 0 and (best is None or common > best[0]):
            best = (common, (left, right))
    return best[1] if best else None


def _missing_letter(word: str, vocab: Vocabulary, letters: str = _LETTERS, *, inner: bool = False) -> str | None:
    """The most common catalog word that is this word with one of `letters` added (`nma` -> nama, `uss` -> usus);
    `inner`: not before its first letter nor after its last."""
    places = range(1, len(word)) if inner else range(len(word) + 1)
    found = {word[:i] + ch + word[i:] for i in places for ch in letters}
    known = [w for w in found if vocab.frequency(w) > 1 and not is_stop(w)]
    return max(known, key=lambda w: (vocab.frequency(w), w)) if known else None


def _correct_word(word: str, vocab: Vocabulary) -> str | None:
    if not word.isalpha():
        return None
    if is_root_word(word):
        # A real word is no typo, unless chat dropped a vowel inside a catalog word (`kring` kering, `sergam`
        # seragam); never at its ends, where a vowel makes another word (`tawa` is no etawa, `kurs` no kursi).
        return _missing_letter(word, vocab, _VOWELS, inner=True) if len(word) >= _MIN_INNER else None
    if max_edits(word) == 0:
        # Short words have too many neighbours: only a dropped vowel is forgiven (chat writes `nma`, `kpi`).
        return _missing_letter(word, vocab, _VOWELS) if len(word) >= 2 else None
    if is_dictionary_word(word):
        # The stemmer cuts it to some root (`sekola` -> kola): only a dropped letter is forgiven.
        return _missing_letter(word, vocab)
    fixed = vocab.correct(word)
    if fixed is not None:
        return fixed
    variants = load_lexicon().variants
    near = process.extractOne(word, list(variants), scorer=OSA.distance, score_cutoff=max_edits(word))
    return " ".join(variants[near[0]]) if near is not None else None


_SHORT_ROOT = 4  # penge-/menge- come before one-syllable roots only: `pengelasan` -> las, `pengecatan` -> cat
_PREFIXES = (
    ("penge", ("",)), ("menge", ("",)),
    ("peng", ("k", "")), ("peny", ("s",)), ("pem", ("p", "")), ("pen", ("t", "")), ("per", ("",)), ("pe", ("",)),
    ("meng", ("k", "")), ("meny", ("s",)), ("mem", ("p", "")), ("men", ("t", "")), ("me", ("",)), ("ber", ("",)),
    ("ke", ("",)), ("di", ("",)),
    # spoken forms: nge- before any root (`ngeprint`, `ngelas`), ny- for s/c (`nyablon`, `nyetak`), ng- for k/vowels
    ("nge", ("",)), ("ny", ("s", "c")), ("ng", ("k", "")),
)  # fmt: skip
_SUFFIXES = ("annya", "nya", "an", "kan", "in")  # -in: spoken -kan/-i (`cetakin`, `fotoin`, `nyewain`)


def word_forms(word: str) -> list[str]:
    """Roots an agent or process noun may come from, beyond the stemmer's reach: `pengrajin` -> `rajin`,
    `penenun` -> `tenun`, `tenunan` -> `tenun`, `pedagang` -> `dagang` (pe-/peN-/-an and kin), and the spoken
    `nyablon` -> `sablon`, `ngelas` -> `las`, `cetakin` -> `cetak`, in order."""
    if len(word) < 5 or not word.isalpha():
        return []
    stems = [word] + [word[: -len(suf)] for suf in _SUFFIXES if word.endswith(suf) and len(word) - len(suf) >= 3]
    out: list[str] = []
    for base in stems:
        for prefix, restores in _PREFIXES:
            if prefix in ("penge", "menge") and len(base) - len(prefix) > _SHORT_ROOT:
                continue
            if base.startswith(prefix) and len(base) - len(prefix) >= 3:
                out.extend(r + base[len(prefix) :] for r in restores)
        if base != word:
            out.append(base)
    seen = dict.fromkeys(f for f in out if f != word and len(f) >= 3)
    return list(seen)


def is_stopword_typo(word: str) -> bool:
    """True for a misspelt stop word (`lampng`, `siapaa`): nothing to search for, rather than a lost word."""
    edits = max_edits(word)
    if not edits or is_dictionary_word(word):
        return False
    stopwords = load_lexicon().typo_targets
    return process.extractOne(word, stopwords, scorer=Levenshtein.distance, score_cutoff=edits) is not None
