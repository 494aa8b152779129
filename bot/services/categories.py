"""Product categories: the slugs (part of the catalog import contract), their labels, and the words buyers
use for them (read by search as a category filter).

A leaf module (no imports from the project), so the catalog, the import and search can all depend on it.
`_words` is the subset of search's `raw_words` folding that these fixed names need (diacritics off, lower
case, split on anything that is not a letter or digit); a test checks that the two agree on every name here.
"""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or ""))
    return _WORD_RE.findall("".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower())


CATEGORIES: dict[str, str] = {
    "makanan-minuman": "Makanan & Minuman",
    "kerajinan": "Kerajinan & Suvenir",
    "atk": "Alat Tulis & Perlengkapan Kantor",
    "percetakan": "Percetakan & Reklame",
    "konveksi": "Pakaian, Batik & Konveksi",
    "furnitur": "Mebel & Furnitur",
    "pertanian": "Pertanian & Pangan Segar",
    "jasa": "Jasa",
    "lainnya": "Lainnya",
}

# Words that name a whole category in a question ("kerajinan", "ATK", "mebel"); read as a filter.
CATEGORY_PHRASES: dict[str, tuple[str, ...]] = {
    "makanan-minuman": ("makanan minuman", "makanan", "minuman", "kuliner", "mamin"),
    "kerajinan": ("kerajinan", "kerajinan tangan", "kriya"),
    "atk": ("atk", "alat tulis kantor", "alat tulis", "perlengkapan kantor"),
    "percetakan": ("percetakan", "reklame"),
    "konveksi": ("konveksi", "pakaian", "busana", "garmen"),
    "furnitur": ("furnitur", "mebel", "perabot"),
    "pertanian": ("pertanian", "pangan segar", "hasil tani", "hasil pertanian"),
    "jasa": ("jasa", "layanan"),
}

CATEGORY_WORDS: dict[tuple[str, ...], str] = {
    tuple(_words(phrase)): slug for slug, phrases in CATEGORY_PHRASES.items() for phrase in phrases
}


_SLUG_KEYS: dict[tuple[str, ...], str] = {
    tuple(_words(name)): slug for slug, label in CATEGORIES.items() for name in (slug, label)
}


def category_slug(text: str) -> str | None:
    """The slug for a typed slug or label (`Makanan & Minuman`, `makanan-minuman`, `ATK`), or None."""
    return _SLUG_KEYS.get(tuple(_words(text)))
