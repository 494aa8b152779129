"""Translations from the gettext catalogs in `locales/`, compiled in memory at start-up.

Every `.po` file in `locales/<lang>/LC_MESSAGES/` is one domain (core, vendor, search, ...); they are merged
into one catalog per language. Message ids are stable keys such as `start.greeting`; the Indonesian catalog
is the default and the English one the second language. A fresh checkout needs no compile step.
"""

from __future__ import annotations

import logging
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

logger = logging.getLogger(__name__)

DEFAULT_LOCALE = "id"
LOCALES = ("id", "en")
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


def _compile(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf, domain=po_path.stem)


@cache
def load_catalog(locale: str, directory: Path = LOCALES_DIR) -> Translations:
    """Compile and merge every domain of one language; cached per process."""
    folder = directory / locale / "LC_MESSAGES"
    compiled = [_compile(po_path, locale) for po_path in sorted(folder.glob("*.po"))]
    if not compiled:
        return Translations()
    # The first catalog is the base: it carries the language's plural rule from its header.
    merged = compiled[0]
    for other in compiled[1:]:
        merged.merge(other)
    return merged


def normalize_locale(code: str | None) -> str:
    """Map a platform language code (`en-US`, `id`, None) to one of our locales."""
    if not code:
        return DEFAULT_LOCALE
    short = code.replace("_", "-").split("-")[0].lower()
    return short if short in LOCALES else DEFAULT_LOCALE


class _KeepMissing(dict[str, Any]):
    """Format parameters that leave an unknown placeholder visible instead of raising."""

    def __missing__(self, key: str) -> str:
        logger.warning("missing format parameter %s", key)
        return "{" + key + "}"


def _format(text: str, params: dict[str, Any]) -> str:
    try:
        return text.format_map(_KeepMissing(params))
    except (ValueError, IndexError, AttributeError):
        logger.warning("bad format string %r", text)
        return text


class Translator:
    """Looks up keys for one language, falling back to Indonesian, then to the key itself."""

    def __init__(self, locale: str = DEFAULT_LOCALE) -> None:
        self.locale = normalize_locale(locale)
        self._catalog = load_catalog(self.locale)
        self._fallback = load_catalog(DEFAULT_LOCALE)

    def __call__(self, key: str, **params: Any) -> str:
        text = self._catalog.gettext(key)
        if text == key:
            text = self._fallback.gettext(key)
            if text == key:
                logger.warning("missing locale key %s (%s)", key, self.locale)
        return _format(text, params) if params else text

    def plural(self, singular: str, plural: str, n: int, **params: Any) -> str:
        """Translate a message that depends on a count; `n` is available as `{n}`."""
        text = self._catalog.ngettext(singular, plural, n)
        if text in (singular, plural):
            text = self._fallback.ngettext(singular, plural, n)
        return _format(text, {"n": n, **params})
