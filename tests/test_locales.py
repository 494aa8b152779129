"""Every locale key used in the code exists, translated, in both catalogs, with matching placeholders.

The copy rules of docs/glossary.md that a machine can check are checked here too: bold markup that the
renderers turn into bold (no stray `*`), the words the glossary says to avoid, and no Indonesian commands in
English copy (or English ones in Indonesian copy).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.channels.telegram.render import to_html
from bot.core.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# Calls whose string arguments are locale keys, and keyword arguments that carry keys.
KEY_CALLS = {
    "t",
    "say",
    "plural",
    "ValidationError",
    "PermissionDenied",
    "NotFound",
    "UserFacingError",
    "N_",
    "FileProblem",
}
KEY_KEYWORDS = {"prompt", "label", "intro", "summary_title", "cancelled", "key"}
# Fields whose positional arguments 2 and 3 are the prompt and label keys.
POSITIONAL_KEYS = {"Field": (1, 2), "MenuEntry": (0,)}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def used_keys(*, strict_only: bool = False) -> dict[str, str]:
    """Locale keys as written in the source, with where they are used.

    Strict sources (translation calls, error constructors, prompt/label arguments) always count; string
    constants in dicts and pairs count only when their namespace is one the catalogs use.
    """
    found: dict[str, str] = {}
    heuristic: dict[str, str] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            candidates: list[ast.expr] = []
            loose: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if name in KEY_CALLS:
                    candidates += node.args[:1]  # plural(): the singular id; its plural id is checked below
                for index in POSITIONAL_KEYS.get(name, ()):
                    if index < len(node.args):
                        candidates.append(node.args[index])
                candidates += [kw.value for kw in node.keywords if kw.arg in KEY_KEYWORDS]
            elif isinstance(node, ast.Dict):
                # Tables of keys (role labels, option labels) are dicts of string constants.
                loose += [v for v in node.values if v is not None]
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
                loose.append(node.elts[1])  # (value, label key) option pairs
            for exprs, target in ((candidates, found), (loose, heuristic)):
                for expr in exprs:
                    if isinstance(expr, ast.Constant) and isinstance(expr.value, str) and KEY.match(expr.value):
                        target.setdefault(expr.value, f"{path.relative_to(ROOT)}:{expr.lineno}")
    if not strict_only:
        namespaces = {k.split(".")[0] for k in catalog("id")}
        for key, where in heuristic.items():
            if key.split(".")[0] in namespaces:
                found.setdefault(key, where)
    return found


def catalog(locale: str) -> dict[str, str | tuple[str, ...]]:
    messages: dict[str, str | tuple[str, ...]] = {}
    for po in sorted(ROOT.joinpath("locales", locale, "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if message.id:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    assert key not in messages, f"{key} defined twice ({po.name})"
                    messages[key] = message.string
    return messages


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_used_key_is_translated(locale: str) -> None:
    messages = catalog(locale)
    missing = {key: where for key, where in used_keys().items() if not messages.get(key)}
    assert not missing, f"missing or empty in {locale}: {missing}"


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    ids, ens = catalog("id"), catalog("en")
    assert set(ids) == set(ens)
    for key, text in ids.items():
        other = ens[key]
        texts_id = text if isinstance(text, tuple) else (text,)
        texts_en = other if isinstance(other, tuple) else (other,)
        assert all(texts_id) and all(texts_en), f"{key} is untranslated"
        expected = set().union(*(_fields(t) for t in texts_en))
        assert set().union(*(_fields(t) for t in texts_id)) == expected, f"{key}: placeholders differ"


def test_key_scanner_sees_the_code() -> None:
    keys = used_keys()
    assert "start.greeting" in keys and "form.btn_save" in keys and "menu.help" in keys


def _texts(locale: str) -> list[tuple[str, str]]:
    """(key, text) for every msgstr variant, placeholders replaced by a plain word."""
    out = []
    for key, value in catalog(locale).items():
        for text in value if isinstance(value, tuple) else (value,):
            out.append((key, re.sub(r"\{[^{}]*\}", "Keripik", text)))
    return out


@pytest.mark.parametrize("locale", LOCALES)
def test_bold_markup_is_balanced(locale: str) -> None:
    """`*bold*` opens and closes on one line, so Telegram shows bold (and WhatsApp too), never a stray star."""
    stray = [key for key, text in _texts(locale) if "*" in to_html(text)]
    assert not stray, f"unbalanced *bold* in {locale}: {stray}"


# The "avoid" column of docs/glossary.md, as patterns (case-insensitive unless they start with a capital),
# and the keys where a word is right after all (an event's name, a file's name).
AVOID = {
    "id": {
        r"\bvendor": "penjual / usaha",
        r"\bpedagang\b": "penjual",
        r"\btoko\b": "usaha",
        r"\bbisnis\b": "usaha",
        r"\bperusahaan\b": "usaha",
        r"\bbarang\b": "produk",
        r"\bitem\b": "produk",
        r"\bpengunjung\b": "warga",
        r"\b(formulir|form|pengisian)\b": "isian",
        r"\b(skip|kosongkan)\b": "lewati",
        r"\bcancel\b": "batal",
        r"\bmundur\b": "kembali",
        r"\b(beranda|home)\b": "menu",
        r"nomor (telepon|telpon|kontak)|\btelp\b": "nomor HP/WA",
        r"\bPIRT\b|izin P-IRT": "P-IRT / nomor P-IRT",
        r"e-catalog|katalog LKPP": "e-Katalog",
        r"\bUTC\b": "WIB",
        r"\b(lead|prospek)\b": "minat / permintaan",
        r"\b(consent|izin data)\b": "persetujuan data",
        r"\bpengelola\b|admin Dinas|Dinas\b(?!\s+[A-Z])": "Diskoperin",
        r"nomor izin": "NIB / nomor usaha",
        r"\btautan\b": "link",
        r"\bAnda\b": "Bapak/Ibu",
    },
    "en": {
        r"\bvendors?\b": "seller / business",
        r"Dinas\b(?!\s+[A-Z])": "Diskoperin",
        r"\bUTC\b": "WIB",
        r"\bcatalog\b|e-catalog": "catalogue / e-Katalog",
        r"\b(lead|leads)\b": "interest / request",
    },
}
AVOID_EXCEPT = {
    ("id", r"\bbisnis\b"): {"event_new.ask_title"},  # "FGD Temu Bisnis P3DN" is an event's name
    ("id", r"\bUTC\b"): {"common.datetime"},  # unused: times go through format.datetime in the region's zone
    ("en", r"\bUTC\b"): {"common.datetime"},
    ("en", r"\bvendors?\b"): {"import.vendor.unknown", "import.report.vendors"},  # the vendors.csv file's rows
}


@pytest.mark.parametrize("locale", LOCALES)
def test_one_word_per_thing(locale: str) -> None:
    """The words docs/glossary.md says to avoid do not appear (its one word per concept is used instead)."""
    found = []
    for pattern, instead in AVOID[locale].items():
        flags = 0 if pattern[0].isupper() or "Dinas" in pattern else re.IGNORECASE
        allowed = AVOID_EXCEPT.get((locale, pattern), set())
        found += [
            f"{key}: {re.search(pattern, text, flags).group(0)!r} -> {instead}"  # type: ignore[union-attr]
            for key, text in _texts(locale)
            if key not in allowed and re.search(pattern, text, flags)
        ]
    assert not found, "\n".join(found)


# Commands as the copy tells people to type them: `*daftar usaha*` in Indonesian, `*register business*` in English.
_ID_COMMANDS = "daftar|daftar usaha|tambah produk|produk saya|data saya|hapus data|hapus data saya|lewati|batal|kembali"
_EN_COMMANDS = "register business|add product|my products|my data|delete my data|skip|cancel|back|help|role|language"
COMMANDS_ID = rf"\*({_ID_COMMANDS}|bantuan|peran|bahasa|cari|ya|tidak)\*"
COMMANDS_EN = rf"\*({_EN_COMMANDS}|search|yes|no)\*"


def test_commands_are_in_the_catalogs_language() -> None:
    mixed = [f"en {key}" for key, text in _texts("en") if re.search(COMMANDS_ID, text)]
    mixed += [f"id {key}" for key, text in _texts("id") if re.search(COMMANDS_EN, text)]
    assert not mixed, mixed
