"""Reply -> Telegram messages. Pure functions: no I/O, no state (keyboards are memoised), no wording of their own.

Rendering decisions (docs/telegram.md has the user-facing version):

* Parse mode is HTML. Every text is escaped first, then WhatsApp-style ``*bold*`` (inside one line) becomes
  ``<b>bold</b>``. Escaping comes first, so nothing a user typed (a product named ``<Keripik & Co>``, a
  stray ``*``) can break the markup: the only tags in the output are balanced ``<b>`` pairs.
* Choices become an inline keyboard. ``callback_data`` is the core's payload as is (the core keeps it
  within 64 bytes and re-checks it when it comes back); URL choices become URL buttons. Short labels share
  a row, long ones get their own.
* Labels arrive in full (handlers never shorten them); the renderer fits them: whitespace runs become one
  space, and a label longer than ``LABEL_LIMIT`` (64, counted like Telegram in UTF-16 units) is cut on a
  word boundary and ends in "…". ``typed_labels`` tells which full label a cut reply-keyboard label stands
  for, so a pressed one can be read back as the full label.
* ``request_contact``: Telegram only offers "share my number" on a *reply* keyboard, and a message carries
  one keyboard, so that question is sent with a one-time reply keyboard: the share button on top, the
  reply's choices below it as text buttons. Pressing one sends its label, which the dispatcher maps back
  to the choice (it matches typed labels). URL choices cannot go there and are left out.
* A photo is sent only for refs ``telegram:<file_id>`` (other channels' refs are not Telegram files).
  The text goes into the caption when it fits (1024); otherwise the photo goes alone and the text follows.
* Text longer than a message (4096) is split on line boundaries; a single longer line is cut at a space
  (mid-word only when a "word" is itself too long). The keyboard goes on the last part.
* ``edit`` is kept only where an edit is possible: one text part with an inline keyboard (or none).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.channels import fitting
from bot.channels.fitting import utf16_len
from bot.core.actions import MAX_BYTES
from bot.core.messages import Choice, Reply

logger = logging.getLogger(__name__)

PHOTO_PREFIX = "telegram:"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
LABEL_LIMIT = 64
PARSE_MODE = "HTML"
_KEYBOARDS = 1024  # rendered keyboards kept for reuse

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup
_Button = TypeVar("_Button", InlineKeyboardButton, KeyboardButton)

# `*bold*` as WhatsApp reads it: the stars hug non-space text and are not inside a word.
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_URL_SCHEMES = ("https://", "http://", "tg://")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Telegram message to send: HTML text (a caption when there is a photo), a photo, a keyboard."""

    text: str
    photo: str | None = None
    markup: Markup | None = None
    edit: bool = False

    @property
    def inline(self) -> bool:
        """True when the keyboard (if any) can live on an edited message."""
        return self.markup is None or isinstance(self.markup, InlineKeyboardMarkup)


def to_html(text: str) -> str:
    """Escape for Telegram's HTML parse mode, then turn `*bold*` into <b>bold</b>."""
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Plain text in parts of at most `limit` UTF-16 units, preferring line breaks; never an empty list."""
    return fitting.split_text(text, limit, utf16_len)


def fit_label(label: str, limit: int = LABEL_LIMIT) -> str:
    """A button label within `limit` UTF-16 units: one line, cut on a word boundary with "…" when too long."""
    return fitting.fit(label, limit, utf16_len)


def typed_labels(choices: Iterable[Choice]) -> dict[str, str]:
    """Reply-keyboard text that is a cut label -> the full label it stands for (ambiguous cuts left out)."""
    shown: dict[str, list[str]] = {}
    for choice in choices:
        if choice.url is None and (text := fit_label(choice.label)) != choice.label:
            shown.setdefault(text, []).append(choice.label)
    return {text: fulls[0] for text, fulls in shown.items() if len(set(fulls)) == 1}


def _rows(buttons: Sequence[_Button]) -> list[list[_Button]]:
    """Short labels share a row (up to 3 of <= 10 characters, or 2 of <= 20); long ones sit alone."""

    def capacity(width: int) -> int:
        return 3 if width <= 10 else 2 if width <= 20 else 1

    rows: list[list[_Button]] = []
    row: list[_Button] = []
    widest = 0
    for button in buttons:
        width = utf16_len(button.text)
        if row and len(row) < capacity(max(widest, width)):
            row.append(button)
            widest = max(widest, width)
            continue
        if row:
            rows.append(row)
        row, widest = [button], width
    if row:
        rows.append(row)
    return rows


def _inline_button(choice: Choice) -> InlineKeyboardButton | None:
    if choice.url is not None:
        if not choice.url.startswith(_URL_SCHEMES):
            logger.warning("dropping URL button %r: unsupported URL", choice.label)
            return None
        return InlineKeyboardButton(text=fit_label(choice.label), url=choice.url)
    if not 1 <= len(choice.action.encode()) <= MAX_BYTES:
        logger.warning("dropping button %r: callback data is %s bytes", choice.label, len(choice.action.encode()))
        return None
    return InlineKeyboardButton(text=fit_label(choice.label), callback_data=choice.action)


def inline_keyboard(choices: Iterable[Choice]) -> InlineKeyboardMarkup | None:
    """Choices as an inline keyboard, or None when there are none."""
    return _inline_keyboard(tuple(choices))


# Keyboards are built once per distinct set of choices (menus, categories, a form's controls come back again
# and again): building one is pydantic validation of every button. The markups are shared: never mutated.
@lru_cache(maxsize=_KEYBOARDS)
def _inline_keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    buttons = [b for b in (_inline_button(c) for c in choices if c.label.strip()) if b is not None]
    return InlineKeyboardMarkup(inline_keyboard=_rows(buttons)) if buttons else None


def contact_keyboard(share_label: str, choices: Iterable[Choice]) -> ReplyKeyboardMarkup:
    """A one-time reply keyboard: "share my number" first, then the choices as text buttons."""
    return _contact_keyboard(share_label, tuple(choices))


@lru_cache(maxsize=_KEYBOARDS)
def _contact_keyboard(share_label: str, choices: tuple[Choice, ...]) -> ReplyKeyboardMarkup:
    dropped = [c.label for c in choices if c.url is not None]
    if dropped:
        logger.warning("URL buttons %s cannot go on a contact keyboard; left out", dropped)
    texts = [KeyboardButton(text=fit_label(c.label)) for c in choices if c.url is None and c.label.strip()]
    rows = [[KeyboardButton(text=share_label, request_contact=True)], *_rows(texts)]
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)


def menu_keyboard(labels: Sequence[str]) -> ReplyKeyboardMarkup:
    """The persistent main-menu keyboard: buttons whose labels are words the bot understands."""
    return _menu_keyboard(tuple(labels))


@lru_cache(maxsize=16)
def _menu_keyboard(labels: tuple[str, ...]) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=label) for label in labels]], resize_keyboard=True, is_persistent=True
    )


def photo_file_id(photo_ref: str | None) -> str | None:
    """The Telegram file id behind a photo ref, or None when the photo is not a Telegram file."""
    if photo_ref and photo_ref.startswith(PHOTO_PREFIX) and len(photo_ref) > len(PHOTO_PREFIX):
        return photo_ref[len(PHOTO_PREFIX) :]
    return None


def render_reply(reply: Reply, share_label: str) -> list[Outgoing]:
    """One core Reply as the Telegram messages that show it, in order."""
    markup: Markup | None = (
        contact_keyboard(share_label, reply.choices) if reply.request_contact else inline_keyboard(reply.choices)
    )
    photo = photo_file_id(reply.photo_ref)
    text = reply.text if reply.text.strip() else ""
    out: list[Outgoing] = []
    if photo is not None:
        if utf16_len(text) <= CAPTION_LIMIT:
            return [Outgoing(to_html(text), photo=photo, markup=markup, edit=reply.edit)]
        out.append(Outgoing("", photo=photo))
    if not text:
        # Telegram refuses empty messages; a reply that is only buttons keeps them on a bare marker.
        return out or ([Outgoing(to_html("…"), markup=markup)] if markup else [])
    parts = split_text(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        out.append(Outgoing(to_html(part), markup=markup if last else None))
    if reply.edit and len(out) == 1 and out[0].inline:
        out[0] = Outgoing(out[0].text, markup=out[0].markup, edit=True)
    return out
