"""Sends the core's replies to one Telegram chat: renders them, edits in place, keeps the menu keyboard.

* `edit` on a reply to a pressed button replaces the message that button was on (paging): its text, or its
  caption when it is the same photo. One edit per batch; when editing is impossible (a text became a
  photo, the message is too old, it was deleted) a new message is sent instead. "Message is not modified"
  (the same page pressed twice) counts as done.
* The persistent main-menu reply keyboard rides on the first message of a batch that has no keyboard of
  its own, whenever this chat is not known to show it (first contact, after a contact keyboard, after a
  restart: the memory is per process).
* Plain replies are folded into the reply that follows them (`bot.core.folding`): one message instead of
  two or three, each of which would cost a second of Telegram's per-chat limit. The first plain reply is
  kept apart while the chat does not show the menu keyboard yet, to carry it.
* The menu keyboard follows the chat's language at once: it is sent again when the language changed.
* A photo Telegram refuses (a file id from another bot) degrades to the text alone.
* A blocked chat (`RecipientUnreachable` from the sender) ends the batch: the sender reported it, and the
  caller records the outbox row as blocked.
* Per chat (in memory, bounded) it also remembers the language of the last replies (the language the user
  chose, for the adapter's own notices) and, while a reply keyboard with cut labels is up, which full label
  each cut one stands for (`full_label`), so a pressed cut label reaches the core as the label it offered.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageCaption, EditMessageText, SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyKeyboardMarkup

from bot.channels.telegram.inbound import largest_photo
from bot.channels.telegram.render import PARSE_MODE, Outgoing, menu_keyboard, render_reply, to_html, typed_labels
from bot.channels.telegram.sender import RecipientUnreachable, TelegramSender
from bot.core.folding import fold_replies
from bot.core.i18n import LOCALES, Translator
from bot.core.messages import Attachment, Reply

logger = logging.getLogger(__name__)

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_MAX_CHATS = 50_000


@dataclass(frozen=True, slots=True)
class Origin:
    """The bot message a pressed button was on: what an `edit` reply replaces."""

    message_id: int
    photo: str | None = None  # file id when it is a photo message
    has_text: bool = True

    @staticmethod
    def of(message: Message) -> Origin:
        """Describe a (callback) message."""
        photo = largest_photo(message.photo).file_id if message.photo else None
        return Origin(message.message_id, photo=photo, has_text=message.text is not None)


@dataclass(frozen=True, slots=True)
class Labels:
    """The adapter's own button labels in one language (translated from telegram.po)."""

    share_contact: str
    menu: tuple[str, ...]
    locale: str = ""

    @staticmethod
    @cache
    def for_locale(locale: str) -> Labels:
        """Labels in one language (built once per language: the catalogs do not change while running)."""
        t = Translator(locale)
        menu = (t("telegram.btn_menu"), t("telegram.btn_help"))
        return Labels(share_contact=t("telegram.btn_share_contact"), menu=menu, locale=t.locale)


@dataclass(slots=True)
class _Chat:
    """What this process remembers about one chat."""

    keyboard: str | None = None  # the reply keyboard it shows: "menu" | "contact" | None (not known)
    keyboard_locale: str | None = None  # the language of the menu keyboard it shows
    locale: str | None = None  # the language of the last replies the core sent there
    typed: dict[str, str] = field(default_factory=dict)  # cut reply-keyboard label -> full label


def _supported(code: str | None) -> str | None:
    """One of our locales for a platform language code (`en-US` -> `en`), or None for any other language."""
    short = (code or "").replace("_", "-").split("-")[0].lower()
    return short if short in LOCALES else None


class Delivery:
    """Turns replies into Bot API calls for one chat at a time (the caller serialises per chat)."""

    def __init__(self, sender: TelegramSender, default_language: str) -> None:
        self.sender = sender
        self.default_language = default_language
        self._chats: OrderedDict[int, _Chat] = OrderedDict()

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
            while len(self._chats) > _MAX_CHATS:
                self._chats.popitem(last=False)
        self._chats.move_to_end(chat_id)
        return chat

    def locale(self, chat_id: int, hint: str | None = None) -> str:
        """The chat's language: the one its last replies were in, else `hint` (Telegram's), else the default."""
        known = self._chats.get(chat_id)
        return (known.locale if known else None) or _supported(hint) or self.default_language

    def full_label(self, chat_id: int, text: str) -> str | None:
        """The full label behind a cut one the chat's reply keyboard showed, or None."""
        known = self._chats.get(chat_id)
        return known.typed.get(text) if known else None

    async def deliver(
        self, chat_id: int, replies: Sequence[Reply], *, origin: Origin | None = None, locale: str | None = None
    ) -> int:
        """Send the replies in order; returns how many messages were sent or edited.

        Raises `RecipientUnreachable` when the chat blocked the bot (nothing more is sent to it).
        """
        replied_in = next((r.locale for r in replies if r.locale), None)
        if replied_in:
            self._chat(chat_id).locale = replied_in
        labels = Labels.for_locale(self.locale(chat_id, locale))
        known = self._chats.get(chat_id)
        keyboard_up = known is not None and known.keyboard == "menu" and known.keyboard_locale == labels.locale
        done = 0
        try:
            for reply in fold_replies(replies, keep_first_plain=not keyboard_up):
                if reply.attachment is not None:
                    await self._send_file(chat_id, reply.attachment)
                    done += 1
                for out in render_reply(reply, labels.share_contact):
                    out = self._with_menu(chat_id, out, labels, reply)
                    if out.edit and origin is not None:
                        edited = await self._edit(chat_id, origin, out)
                        origin = None
                        if edited:
                            done += 1
                            continue
                    await self._send(chat_id, dataclasses.replace(out, edit=False))
                    done += 1
        except RecipientUnreachable:
            logger.info("stopped delivering to unreachable chat %s after %s messages", chat_id, done)
            raise
        return done

    async def _send_file(self, chat_id: int, file: Attachment) -> None:
        upload = BufferedInputFile(file.data, filename=file.filename)
        method: TelegramMethod[Any] = (
            SendPhoto(chat_id=chat_id, photo=upload) if file.photo else SendDocument(chat_id=chat_id, document=upload)
        )
        await self.sender.send(method, chat_id)

    def _with_menu(self, chat_id: int, out: Outgoing, labels: Labels, reply: Reply) -> Outgoing:
        if isinstance(out.markup, ReplyKeyboardMarkup):
            chat = self._chat(chat_id)
            chat.keyboard, chat.typed = "contact", typed_labels(reply.choices)
            return out
        chat = self._chat(chat_id)
        if out.markup is not None or out.edit or (chat.keyboard == "menu" and chat.keyboard_locale == labels.locale):
            return out
        chat.keyboard, chat.typed, chat.keyboard_locale = "menu", {}, labels.locale
        return dataclasses.replace(out, markup=menu_keyboard(labels.menu))

    async def _edit(self, chat_id: int, origin: Origin, out: Outgoing) -> bool:
        if not out.inline:
            return False
        markup = out.markup if isinstance(out.markup, InlineKeyboardMarkup) else None
        method: TelegramMethod[Any]
        if out.photo is None and origin.has_text:
            method = EditMessageText(
                chat_id=chat_id,
                message_id=origin.message_id,
                text=out.text,
                parse_mode=PARSE_MODE,
                reply_markup=markup,
                link_preview_options=_NO_PREVIEW,
            )
        elif out.photo is not None and out.photo == origin.photo:
            method = EditMessageCaption(
                chat_id=chat_id,
                message_id=origin.message_id,
                caption=out.text or None,
                parse_mode=PARSE_MODE,
                reply_markup=markup,
            )
        else:
            return False
        try:
            await self.sender.send(method, chat_id)
        except TelegramBadRequest as err:
            if "message is not modified" in err.message:
                return True
            logger.info("could not edit message %s in chat %s (%s); sending anew", origin.message_id, chat_id, err)
            return False
        return True

    async def _send(self, chat_id: int, out: Outgoing) -> None:
        if out.photo is not None:
            try:
                await self.sender.send(
                    SendPhoto(
                        chat_id=chat_id,
                        photo=out.photo,
                        caption=out.text or None,
                        parse_mode=PARSE_MODE if out.text else None,
                        reply_markup=out.markup,
                    ),
                    chat_id,
                )
                return
            except TelegramBadRequest as err:
                logger.warning("photo refused in chat %s (%s); sending the text alone", chat_id, err)
                if not out.text:
                    return
        await self.sender.send(
            SendMessage(
                chat_id=chat_id,
                text=out.text,
                parse_mode=PARSE_MODE,
                reply_markup=out.markup,
                link_preview_options=_NO_PREVIEW,
            ),
            chat_id,
        )

    async def say(self, chat_id: int, text: str) -> None:
        """Send one plain notice from the adapter (flood notice, apology); no keyboard changes."""
        try:
            await self._send(chat_id, Outgoing(to_html(text)))
        except RecipientUnreachable:
            logger.info("notice not sent: chat %s is unreachable", chat_id)
