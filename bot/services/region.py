"""The bot's region (Kota Metro by default): its kecamatan and kelurahan, and lenient matching of typed names.

The region is data (`bot/services/data/region_metro.json`), so another city needs only another file
(`REGION_FILE`). It is read once at start-up (`bot.app.build_app`, the CLI) and travels with the database
sessions: `bind_region(sessions, region)` binds it to a session factory, `region_of(session)` reads it back. Every
service that needs it (search, indexing, import) reads it from its session; pure functions take it as a
parameter. There is no process-wide default.

Matching compares *keys*: the text lower-cased with everything but letters and digits removed, so
"Metro Utara", "metro-utara", "MetroUtara" and "METRO  UTARA" are one key, and "Ganjar Agung" = Ganjaragung.
A direct answer to "which kecamatan?" may also be the short name ("utara") and, with `allow_number`, the
1-based number of an offered list. A small typo ("Metro Utra", "Yosomulya") is forgiven only when one
name is clearly closest (rapidfuzz ratio >= 85 and 8 points ahead of the runner-up; keys of 6+ characters).

The city word rule for `find_places` (searching inside a sentence such as "keripik di metro utara"):
- a kecamatan is found only by its full name ("metro utara", "metroutara") or by its short name right
  after "kec"/"kecamatan" ("kecamatan utara"): a bare "utara" may be Lampung Utara;
- the bare city word ("metro", as in "Kota Metro" or "UMKM Metro") is never a place by itself, even though
  Metro Pusat has a kelurahan called Metro: that kelurahan is found only after "kel"/"kelurahan"/"desa"
  ("kelurahan metro");
- every other kelurahan is found by its name alone ("kue di Yosodadi", "ganjar agung");
- the first word shared by several two-word kelurahan names ("Hadimulyo" of Hadimulyo Barat and Hadimulyo
  Timur) names their kecamatan when they all lie in one and it is no other place's name: people say
  "daerah Hadimulyo" for the area as a whole;
- a kecamatan named "<city> <direction>" is also found by its clipped one-word form ("metpus", "metsel"), as
  "Jaksel" is Jakarta Selatan, when that form names no other place;
- the longest name wins and names do not overlap; each place is reported once, in order of mention.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rapidfuzz import fuzz, process

from bot.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

DEFAULT_REGION_PATH = Path(__file__).resolve().parent / "data" / "region_metro.json"
SESSION_INFO_KEY = "region"  # where a session carries its region (`Session.info`)

PlaceKind = Literal["kecamatan", "kelurahan"]

_KEC_MARKERS = frozenset({"kec", "kecamatan"})
_KEL_MARKERS = frozenset({"kel", "kelurahan", "desa", "kampung"})
_KEC_PREFIX_RE = re.compile(r"^(?:kecamatan|kec)\b[\s.:]*")
_KEL_PREFIX_RE = re.compile(r"^(?:kelurahan|kel|desa)\b[\s.:]*")
_FUZZY_MIN_KEY = 6
_FUZZY_CUTOFF = 85.0
_FUZZY_MARGIN = 8.0
_MAX_ANSWER_CHARS = 100
_MAX_SENTENCE_CHARS = 4000
_MAX_PHRASE_TOKENS = 4


def _lower(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def name_key(text: str) -> str:
    """The matching key of a place name: lower-case ASCII letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", _lower(text))


@dataclass(frozen=True, slots=True)
class Kecamatan:
    """One kecamatan (district) and its kelurahan; aliases are extra spellings people use."""

    name: str
    kelurahan: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    kelurahan_aliases: tuple[tuple[str, str], ...] = ()  # (alias, kelurahan name)


@dataclass(frozen=True)
class Region:
    """A city or regency the bot serves, with lookup indexes built once."""

    name: str
    kecamatan: tuple[Kecamatan, ...]
    city: str = ""
    province: str = ""
    _kec_index: dict[str, str] = field(init=False, repr=False, compare=False)
    _kec_short: dict[str, str] = field(init=False, repr=False, compare=False)
    _kel_index: dict[str, tuple[str, str]] = field(init=False, repr=False, compare=False)
    _spellings: dict[tuple[PlaceKind, str], frozenset[str]] = field(init=False, repr=False, compare=False)
    _city_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        city = self.city or re.sub(r"^(?:kota|kabupaten|kab\.?)\s+", "", self.name, flags=re.IGNORECASE)
        city_key = name_key(city)
        kec_index: dict[str, str] = {}
        kec_short: dict[str, str] = {}
        kel_index: dict[str, tuple[str, str]] = {}
        clipped: dict[str, set[str]] = defaultdict(set)
        for kec in self.kecamatan:
            for spelling in (kec.name, *kec.aliases):
                _put(kec_index, name_key(spelling), kec.name, "kecamatan")
            words = kec.name.split()
            if len(words) > 1 and name_key(words[0]) == city_key:
                _put(kec_short, name_key(" ".join(words[1:])), kec.name, "kecamatan short name")
                if len(words) == 2:
                    clipped[_syllable(words[0]) + _syllable(words[1])].add(kec.name)
            spellings = [(k, k) for k in kec.kelurahan] + list(kec.kelurahan_aliases)
            for spelling, kel in spellings:
                if kel not in kec.kelurahan:
                    raise ValueError(f"alias {spelling!r} names unknown kelurahan {kel!r}")
                _put(kel_index, name_key(spelling), (kel, kec.name), "kelurahan")
        for head, kec_name in _shared_heads(self.kecamatan).items():
            if head != city_key and head not in kec_index and head not in kec_short and head not in kel_index:
                kec_index[head] = kec_name
        for short, kec_names in clipped.items():  # "metpus", "metsel" (as "Jaksel" is Jakarta Selatan)
            if len(kec_names) == 1 and short not in kec_index and short not in kec_short and short not in kel_index:
                kec_index[short] = next(iter(kec_names))
        spellings: dict[tuple[PlaceKind, str], set[str]] = {}
        for key, kec_name in (*kec_index.items(), *kec_short.items()):
            spellings.setdefault(("kecamatan", kec_name), set()).add(key)
        for key, (kel, _kec) in kel_index.items():
            spellings.setdefault(("kelurahan", kel), set()).add(key)
        object.__setattr__(self, "_city_key", city_key)
        object.__setattr__(self, "_kec_index", kec_index)
        object.__setattr__(self, "_kec_short", kec_short)
        object.__setattr__(self, "_kel_index", kel_index)
        object.__setattr__(self, "_spellings", {k: frozenset(v) for k, v in spellings.items()})

    @property
    def kecamatan_names(self) -> tuple[str, ...]:
        """Kecamatan names in the configured order."""
        return tuple(k.name for k in self.kecamatan)

    @property
    def kelurahan_names(self) -> tuple[str, ...]:
        """All kelurahan names, kecamatan by kecamatan."""
        return tuple(kel for k in self.kecamatan for kel in k.kelurahan)

    def spellings(self, kind: PlaceKind, name: str) -> frozenset[str]:
        """Every key a place is written with: its name, its aliases and, for a kecamatan, its short name."""
        return self._spellings.get((kind, name), frozenset())

    def kecamatan_of(self, kelurahan: str) -> str | None:
        """The kecamatan a kelurahan (exact configured name) belongs to."""
        return next((k.name for k in self.kecamatan if kelurahan in k.kelurahan), None)

    def match_kecamatan(self, text: str, *, allow_number: bool = False, fuzzy: bool = True) -> str | None:
        """The kecamatan named in a short answer ("Metro Utara", "metro-utara", "utara"), or None."""
        s = _lower(text)
        if not s or len(s) > _MAX_ANSWER_CHARS:
            return None
        if allow_number and (m := re.fullmatch(r"([0-9]{1,3})\s*[.)]?", s)):
            index = int(m[1])
            return self.kecamatan[index - 1].name if 1 <= index <= len(self.kecamatan) else None
        key = name_key(_KEC_PREFIX_RE.sub("", s))
        if not key:
            return None
        if key in self._kec_index:
            return self._kec_index[key]
        if key in self._kec_short:
            return self._kec_short[key]
        return _fuzzy(key, self._kec_index) if fuzzy else None

    def match_kelurahan(self, text: str, *, fuzzy: bool = True) -> tuple[str, str] | None:
        """The (kelurahan, kecamatan) named in a short answer ("Ganjar Agung" -> Ganjaragung), or None."""
        s = _lower(text)
        if not s or len(s) > _MAX_ANSWER_CHARS:
            return None
        key = name_key(_KEL_PREFIX_RE.sub("", s))
        if not key:
            return None
        if key in self._kel_index:
            return self._kel_index[key]
        return _fuzzy(key, self._kel_index) if fuzzy else None

    def parse_kecamatan(self, text: str, *, allow_number: bool = False) -> str:
        """Like `match_kecamatan`, but raise `parse.kecamatan.invalid` (with the options) when nothing fits."""
        found = self.match_kecamatan(text, allow_number=allow_number)
        if found is None:
            raise ValidationError(
                "parse.kecamatan.invalid",
                options=", ".join(self.kecamatan_names),
                example=self.kecamatan[0].name,
            )
        return found

    def find_places(self, sentence: str) -> list[tuple[PlaceKind, str]]:
        """Kecamatan and kelurahan mentioned in a sentence, in order; see the module notes for the rules."""
        tokens = re.findall(r"[a-z0-9]+", _lower(sentence[:_MAX_SENTENCE_CHARS]))
        found: list[tuple[PlaceKind, str]] = []
        i = 0
        while i < len(tokens):
            marker = tokens[i]
            start = i + 1 if marker in _KEC_MARKERS or marker in _KEL_MARKERS else i
            hit = self._phrase_at(tokens, start, marker)
            if hit is None:
                i += 1
                continue
            place, length = hit
            if place not in found:
                found.append(place)
            i = start + length
        return found

    def _phrase_at(self, tokens: list[str], start: int, marker: str) -> tuple[tuple[PlaceKind, str], int] | None:
        for n in range(min(_MAX_PHRASE_TOKENS, len(tokens) - start), 0, -1):
            key = "".join(tokens[start : start + n])
            kel = self._kel_index.get(key)
            if kel is not None and marker in _KEL_MARKERS:
                return ("kelurahan", kel[0]), n
            if key in self._kec_index:
                return ("kecamatan", self._kec_index[key]), n
            if kel is not None and key != self._city_key:
                return ("kelurahan", kel[0]), n
            if marker in _KEC_MARKERS and key in self._kec_short:
                return ("kecamatan", self._kec_short[key]), n
        return None


def _syllable(word: str) -> str:
    """The clipped first syllable of a word, as people shorten a "City Direction" name to one word ("Jakarta
    Selatan": Jaksel, "Metro Pusat": Metpus, "Metro Utara": Metut): up to the first vowel and the consonant after
    it ("met", "pus", "ut")."""
    key = name_key(word)
    m = re.match(r"[^aiueo]*[aiueo]+[^aiueo]?", key)
    return m.group(0) if m else key


def _shared_heads(kecamatan: tuple[Kecamatan, ...]) -> dict[str, str]:
    """The first word's key of multi-word kelurahan names -> their one kecamatan, for words that at least two
    such names share and that no two kecamatan do ("Hadimulyo" of Hadimulyo Barat and Hadimulyo Timur)."""
    heads: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for kec in kecamatan:
        for kel in kec.kelurahan:
            parts = kel.split()
            if len(parts) > 1 and (head := name_key(parts[0])):
                heads.setdefault(head, set()).add(kec.name)
                counts[head] = counts.get(head, 0) + 1
    return {head: next(iter(kecs)) for head, kecs in heads.items() if len(kecs) == 1 and counts[head] > 1}


def _put(index: dict[str, Any], key: str, value: Any, what: str) -> None:
    if not key:
        raise ValueError(f"empty {what} name")
    if key in index and index[key] != value:
        raise ValueError(f"{what} spelling {key!r} is ambiguous: {index[key]!r} / {value!r}")
    index[key] = value


def _fuzzy(key: str, index: dict[str, Any]) -> Any:
    """The value of the one clearly closest key, if the typed key is long enough and close enough."""
    if len(key) < _FUZZY_MIN_KEY:
        return None
    best = process.extract(key, list(index), scorer=fuzz.ratio, limit=None, score_cutoff=_FUZZY_CUTOFF - 20)
    if not best or best[0][1] < _FUZZY_CUTOFF:
        return None
    winner = index[best[0][0]]
    rivals = [score for cand, score, _ in best[1:] if index[cand] != winner]
    if rivals and rivals[0] > best[0][1] - _FUZZY_MARGIN:
        return None
    return winner


def _region_from_dict(data: dict[str, Any]) -> Region:
    kecamatan = []
    for item in data["kecamatan"]:
        kel_aliases = tuple(
            (alias, kel) for kel, aliases in item.get("kelurahan_aliases", {}).items() for alias in aliases
        )
        kecamatan.append(
            Kecamatan(
                name=str(item["name"]),
                kelurahan=tuple(str(k) for k in item["kelurahan"]),
                aliases=tuple(str(a) for a in item.get("aliases", ())),
                kelurahan_aliases=kel_aliases,
            )
        )
    if not kecamatan:
        raise ValueError("a region needs at least one kecamatan")
    return Region(
        name=str(data["name"]),
        kecamatan=tuple(kecamatan),
        city=str(data.get("city", "")),
        province=str(data.get("province", "")),
    )


def load_region(path: Path | None = None) -> Region:
    """Read a region file (without a path, the bundled Kota Metro file); call once, at start-up."""
    with (path or DEFAULT_REGION_PATH).open(encoding="utf-8") as fh:
        return _region_from_dict(json.load(fh))


def bind_region(sessions: async_sessionmaker[AsyncSession], region: Region) -> async_sessionmaker[AsyncSession]:
    """Make every session of this factory carry the region (in `Session.info`); returns the factory."""
    sessions.configure(info={SESSION_INFO_KEY: region})
    return sessions


def region_of(session: AsyncSession) -> Region:
    """The region the session's factory was bound to (`bind_region`); LookupError when there is none."""
    region = session.info.get(SESSION_INFO_KEY)
    if not isinstance(region, Region):
        raise LookupError("this session has no region: bind one with bot.services.region.bind_region")
    return region
