"""Fitting text into a platform's limits, for every renderer: long texts split into messages, labels cut.

Each platform counts differently (Telegram in UTF-16 code units, WhatsApp in characters), so every function
takes `size`, the platform's measure of a string; cuts prefer line breaks, then spaces in the second half.
"""

from __future__ import annotations

from collections.abc import Callable

ELLIPSIS = "…"
Size = Callable[[str], int]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, size: Size = len) -> list[str]:
    """Plain text in parts of at most `limit`, on line breaks, then between words; never an empty list."""
    if size(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if size(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while size(line) > limit:
            cut = _word_cut(line, limit, size)
            parts.append(line[:cut].rstrip())
            line = line[cut:].lstrip(" ")
        current = line
    if current or not parts:
        parts.append(current)
    return [p for p in parts if p.strip()] or [text[: _cut(text, limit, size)]]


def fit(label: str, limit: int, size: Size = len) -> str:
    """One line within `limit`, cut on a word boundary with "…" when too long (a button or row title)."""
    text = " ".join(label.split())
    if size(text) <= limit:
        return text
    head = text[: _word_cut(text, limit - size(ELLIPSIS), size)]
    return (head.rstrip(" ,;:.-–—/(") or head) + ELLIPSIS


def _cut(text: str, limit: int, size: Size) -> int:
    """The longest prefix (in characters) whose size is within `limit` (at least one character)."""
    total = 0
    for index, char in enumerate(text):
        total += size(char)
        if total > limit:
            return max(index, 1)
    return len(text)


def _word_cut(text: str, limit: int, size: Size) -> int:
    """Where to cut `text` so the first piece fits `limit`: after the last space in the second half, else hard."""
    hard = _cut(text, limit, size)
    if hard < len(text) and text[hard].isspace():
        return hard
    space = text.rfind(" ", 0, hard)
    return space + 1 if space >= hard // 2 else hard
