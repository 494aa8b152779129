"""Product categories (slugs are part of the import contract) and the words buyers use for them."""

from __future__ import annotations

from bot.services.search.text import raw_words

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
_CATEGORY_PHRASES: dict[str, tuple[str, ...]] = {
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
    tuple(raw_words(phrase)): slug for slug, phrases in _CATEGORY_PHRASES.items() for phrase in phrases
}


def category_slug(text: str) -> str | None:
    """The slug for a typed slug or label (`Makanan & Minuman`, `makanan-minuman`, `ATK`), or None."""
    key = tuple(raw_words(text))
    for slug, label in CATEGORIES.items():
        if key in (tuple(raw_words(slug)), tuple(raw_words(label))):
            return slug
    return None
