"""The words people type: one meaning per word, and the same yes / no everywhere a yes / no is asked."""

from __future__ import annotations

from itertools import combinations

import pytest

from bot.services import words

CONFIRM = ("ya", "iya", "y", "ok", "oke", "betul", "yes", "Iya pak", "OK!", "👍")
DECLINE = ("tidak", "gak", "nggak", "no", "belum ada", "Tidak, terima kasih")


@pytest.mark.parametrize("text", CONFIRM)
def test_confirming_words(text: str) -> None:
    assert words.yes_no(text) is True


@pytest.mark.parametrize("text", DECLINE)
def test_declining_words(text: str) -> None:
    assert words.yes_no(text) is False


@pytest.mark.parametrize("text", ["", "keripik pisang", "ya tidak", "a" * 100, "🙂"])
def test_anything_else_is_neither(text: str) -> None:
    assert words.yes_no(text) is None


def test_ok_is_a_yes_and_not_a_thanks() -> None:
    assert "ok" in words.YES and "ok" not in words.THANKS


def test_each_control_word_has_one_meaning() -> None:
    """Except `batal`, which cancels a form and declines a yes/no question: the same wish either way."""
    kinds = ("cancel", "back", "skip", "help", "save", "edit", "yes", "no", "thanks", "more")
    for a, b in combinations(kinds, 2):
        shared = getattr(words.ANY, a) & getattr(words.ANY, b)
        assert shared <= {"batal"} and (not shared or {a, b} == {"cancel", "no"}), (a, b, shared)


def test_every_language_has_every_kind_of_word() -> None:
    for language, own in words.BY_LANGUAGE.items():
        for kind in ("cancel", "back", "skip", "help", "save", "yes", "no", "thanks"):
            assert getattr(own, kind), (language, kind)


def test_unclear_answers_are_neither_yes_nor_no() -> None:
    for unclear in ("gak tau", "ga tau", "tidak tahu", "kurang yakin", "mungkin", "don't know", "not sure", "gatau"):
        assert words.yes_no(unclear) is None, unclear
    assert words.yes_no("ya saya yakin") is True and words.yes_no("sudah tau") is True
    assert words.yes_no("belum ada") is False


def test_none_words_are_skips_at_optional_questions() -> None:
    for typed in ("belum punya", "Belum ada", "blm punya", "tidak ada", "gak tau", "not yet", "lewati", "-"):
        assert words.is_none(typed), typed
    assert not words.is_none("Keripik Pisang")
