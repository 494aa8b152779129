"""Where in a question a place of the region is named, so the place becomes a filter and leaves the text.

`bot.services.region.find_places` decides *which* places a sentence names (its city-word rules: a bare
"metro" is the city, "utara" alone may be Lampung Utara...); this module only locates those names among
the question's words, with the "kec"/"kel" marker before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.services.region import PlaceKind, Region, load_region, name_key

_MARKERS = frozenset({"kec", "kecamatan", "kel", "kelurahan", "desa", "kampung"})
_MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class PlaceSpan:
    """Words `start:end` of a question name a place; `kelurahan` is None for a kecamatan."""

    start: int
    end: int
    kecamatan: str
    kelurahan: str | None


@cache
def _spellings(region: Region, kind: PlaceKind, name: str) -> frozenset[str]:
    keys = {name_key(name)}
    for kec in region.kecamatan:
        if kind == "kecamatan" and kec.name == name:
            keys.update(name_key(a) for a in kec.aliases)
            _city, _, rest = kec.name.partition(" ")
            if rest:
                keys.add(name_key(rest))  # the short name, only ever found after "kecamatan"
        if kind == "kelurahan":
            keys.update(name_key(alias) for alias, kel in kec.kelurahan_aliases if kel == name)
    return frozenset(keys)


def _locate(ws: list[str], keys: frozenset[str], used: set[int]) -> tuple[int, int] | None:
    for i in range(len(ws)):
        for n in range(min(_MAX_NAME_WORDS, len(ws) - i), 0, -1):
            if "".join(ws[i : i + n]) in keys and not used & set(range(i, i + n)):
                return i, i + n
    return None


def find_place_spans(ws: list[str], region: Region | None = None) -> list[PlaceSpan]:
    """The places named in a list of folded words, in order of mention, with their word spans."""
    region = region or load_region()
    spans: list[PlaceSpan] = []
    used: set[int] = set()
    for kind, name in region.find_places(" ".join(ws)):
        found = _locate(ws, _spellings(region, kind, name), used)
        if found is None:
            continue
        start, end = found
        if start > 0 and ws[start - 1] in _MARKERS:
            start -= 1
        used.update(range(start, end))
        kecamatan = name if kind == "kecamatan" else region.kecamatan_of(name)
        if kecamatan is None:
            continue
        spans.append(PlaceSpan(start, end, kecamatan, name if kind == "kelurahan" else None))
    return spans


def vendor_kelurahan(kelurahan: str | None, address: str | None, region: Region | None = None) -> str | None:
    """A vendor's kelurahan: the stored one if it is known to the region, else the first one its address names."""
    region = region or load_region()
    if kelurahan:
        match = region.match_kelurahan(kelurahan, fuzzy=False)
        if match is not None:
            return match[0]
    if address:
        for kind, name in region.find_places(address):
            if kind == "kelurahan":
                return name
    return None
