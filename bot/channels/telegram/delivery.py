"""Sends the core's replies to one Telegram chat: renders them, edits in place, keeps the menu keyboard.

* `edit` on a reply to a pressed button replaces the message that button was on (paging): its text, or its
  caption when it is the same photo. One edit per batch; when editing is impossible (a text became a
  photo, the message is too old, it was deleted) a new message is sent instead. "Message is not modified"
  (the same page pressed twice) counts as done.
* The persistent main-menu reply keyboard rides on the first message of a batch that has no keyboard of
  its own, whenever this chat is not known to show it (first contact, after a contact keyboard, after a
  restart: the memory is per process).
* A photo Telegram refuses (a file id from another bot) degrades to the text alone.
* A blocked chat (`RecipientUnreachable` from the sender) ends the batch: the sender reported it, and the
  caller records the outbox row as blocked.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageCaption, EditMessageText, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyKeyboardMarkup

from bot.channels.telegram.inbound import largest_photo
from bot.channels.telegram.render import PARSE_MODE, Outgoing, menu_keyboard, render_reply, to_html
from bot.channels.telegram.sender import RecipientUnreachable, TelegramSender
from bot.core.i18n import Translator
from bot.core.messages import Reply

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

    @staticmethod
    def for_locale(locale: str | None) -> Labels:
        """Labels in the user's language, as far as Telegram tells it."""
        t = Translator(locale or "id")
        menu = (t("telegram.btn_menu"), t("telegram.btn_help"))
        return Labels(share_contact=t("telegram.btn_share_contact"), menu=menu)


class Delivery:
    """Turns replies into Bot API calls for one chat at a time (the caller serialises per chat)."""

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender
        self._keyboard: OrderedDict[int, str] = OrderedDict()  # chat -> "menu" | "contact"

    async def deliver(
        self, chat_id: int, replies: Sequence[Reply], *, origin: Origin | None = None, locale: str | None = None
    ) -> int:
        """Send the replies in order; returns how many messages were sent or edited.

        Raises `RecipientUnreachable` when the chat blocked the bot (nothing more is sent to it).
        """
        labels = Labels.for_locale(next((r.locale for r in replies if r.locale), locale))
        done = 0
        try:
            for reply in replies:
                for out in render_reply(reply, labels.share_contact):
                    out = self._with_menu(chat_id, out, labels)
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

    def _remember(self, chat_id: int, state: str) -> None:
        self._keyboard[chat_id] = state
        self._keyboard.move_to_end(chat_id)
        while len(self._keyboard) > _MAX_CHATS:
            self._keyboard.popitem(last=False)

    def _with_menu(self, chat_id: int, out: Outgoing, labels: Labels) -> Outgoing:
        if isinstance(out.markup, ReplyKeyboardMarkup):
            self._remember(chat_id, "contact")
            return out
        if out.markup is not None or out.edit or self._keyboard.get(chat_id) == "menu":
            return out
        self._remember(chat_id, "menu")
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
