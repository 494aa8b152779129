"""Marker tokens in the index text for a product's place, category and P3DN flags.

They let the full-text index narrow a search by its filters before any row is joined (a filtered
question costs what its rarest word costs), and let "browse" questions without product words ("ATK yang
TKDN di Metro Utara") run on the index too. Each marker is a letters-only token that no typed word folds
to (`kecmetroutara`, `catatk`, `kelyosodadi`); the flag words `tkdn`, `tkdn25`, `tkdn40`, `ekatalog` and
`halal` are plain. The SQL filters still apply, so a marker can only narrow, never wrongly include.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from bot.services.categories import CATEGORIES
from bot.services.region import load_region, name_key
from bot.services.search.query import SearchFilters

TKDN = "tkdn"
TKDN25 = "tkdn25"
TKDN40 = "tkdn40"
EKATALOG = "ekatalog"
HALAL = "halal"


def kecamatan_token(kecamatan: str) -> str:
    """`Metro Utara` -> `kecmetroutara`."""
    return "kec" + name_key(kecamatan)


def kelurahan_token(kelurahan: str) -> str:
    """`Yosodadi` -> `kelyosodadi`."""
    return "kel" + name_key(kelurahan)


def category_token(slug: str) -> str:
    """`makanan-minuman` -> `catmakananminuman`."""
    return "cat" + name_key(slug)


def tkdn_tokens(percent: Decimal | None, vendor_certified: bool) -> list[str]:
    """`tkdn` for any TKDN (the product's % or the vendor's certificate), plus `tkdn25` / `tkdn40` tiers."""
    has_percent = percent is not None and percent > 0
    out = [TKDN] if has_percent or vendor_certified else []
    if has_percent and percent is not None:
        out += [TKDN25] if percent >= 25 else []
        out += [TKDN40] if percent >= 40 else []
    return out


def filter_tokens(filters: SearchFilters) -> list[str]:
    """The marker tokens every product meeting these filters has in its index text (price has none)."""
    tokens = []
    if filters.kelurahan:
        tokens.append(kelurahan_token(filters.kelurahan))
    elif filters.kecamatan:
        tokens.append(kecamatan_token(filters.kecamatan))
    if filters.category:
        tokens.append(category_token(filters.category))
    tokens += [flag for flag, on in ((TKDN, filters.tkdn), (EKATALOG, filters.ekatalog), (HALAL, filters.halal)) if on]
    return tokens


@cache
def marker_tokens() -> frozenset[str]:
    """Every place and category marker of the configured region (never a typo-correction target)."""
    region = load_region()
    places = [kecamatan_token(k) for k in region.kecamatan_names] + [kelurahan_token(k) for k in region.kelurahan_names]
    return frozenset([*places, *(category_token(slug) for slug in CATEGORIES), TKDN25, TKDN40])
