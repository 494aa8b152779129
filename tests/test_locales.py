"""Every locale key used in the code exists, translated, in both catalogs, with matching placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

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
        for variant in texts_id:
            assert _fields(variant) <= expected | {"n"}, f"{key}: placeholders differ"


def test_key_scanner_sees_the_code() -> None:
    keys = used_keys()
    assert "start.greeting" in keys and "form.btn_save" in keys and "menu.help" in keys
