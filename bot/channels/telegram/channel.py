"""`TelegramChannel`: receives updates, stores them durably, and sends the core's replies.

Each update goes: recently-seen check -> flood check -> `Inbound` (inbound.py) -> `Intake.accept` (stored in
the inbox before aiogram returns, so the webhook's 200 comes only after the update is safe in the database;
with long polling `feed_batch` stores a whole getUpdates batch in one transaction before the next poll
confirms its offset) -> the intake's worker for that chat hands it to the core (one transaction that also
records the replies in the outbox) -> after commit, `deliver` renders and sends the replies (delivery.py,
sender.py) and the outbox row records the outcome. Updates of one chat are handled and answered one after
the other, so replies never overtake each other. A pressed button is always answered with
`answerCallbackQuery` first, so the client's spinner stops even when the handling takes a while.

Updates arrive by long polling or by webhook (intake.py, started by bot/channels/runner.py); both feed the same
aiogram dispatcher. An update that cannot be stored (the database is down) propagates as
`IntakeUnavailable`: the webhook answers 500 and Telegram delivers it again. Any other error that escapes a
handler reaches `on_error`, which logs it with the update id and sends the user a short apology, never
silence: in the language the user chose when this process has answered them before, else their Telegram
client's language, else DEFAULT_LANGUAGE.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiogram import Bot
from aiogram import Dispatcher as AiogramDispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, ChatMemberUpdated, ErrorEvent, Message, Update

from bot.channels.telegram.delivery import Delivery, Origin
from bot.channels.telegram.guards import FloodGuard, RecentUpdates, Verdict
from bot.channels.telegram.inbound import callback_to_inbound, message_to_inbound
from bot.channels.telegram.sender import RecipientUnreachable, SendLimits, TelegramSender
from bot.channels.telegram.session import BotSession
from bot.config import TelegramSettings
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import Translator
from bot.core.intake import Intake
from bot.core.messages import Attachment, Channel, Inbound, Reply
from bot.core.wire import Locale, Meta, render
from bot.services import media, outbox
from bot.services.outbox import Envelope

logger = logging.getLogger(__name__)


def create_bot(settings: TelegramSettings) -> Bot:
    """A Bot for the configured token, on api.telegram.org or on TELEGRAM_API_SERVER."""
    if settings.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    if settings.api_server:
        api = TelegramAPIServer.from_base(settings.api_server.rstrip("/"))
        return Bot(token, session=BotSession(api=api))
    return Bot(token, session=BotSession())


class IntakeUnavailable(Exception):
    """An update could not be stored; it must not be acknowledged to Telegram."""


class TelegramChannel:
    """The Telegram adapter for one bot: takes updates in through the intake, sends the replies."""

    def __init__(
        self,
        core: Dispatcher,
        bot: Bot,
        *,
        intake: Intake | None = None,
        limits: SendLimits | None = None,
        flood: FloodGuard | None = None,
        recent: RecentUpdates | None = None,
        default_language: str | None = None,
    ) -> None:
        self.core = core
        self.bot = bot
        self.intake = intake or Intake(core.sessions, core)
        self.sender = TelegramSender(bot, limits or SendLimits(), self._mark_unreachable)
        self.default_language = default_language or core.settings.bot.default_language
        self.delivery = Delivery(self.sender, self.default_language)
        self.flood = flood or FloodGuard()
        self.recent = recent or RecentUpdates()
        self.dispatcher = self._build_dispatcher()
        self.intake.attach(Channel.TELEGRAM.value, self)
        bot_settings = core.settings.bot
        self.locale = Locale(self.default_language, bot_settings.timezone, bot_settings.timezone_label)
        # How often to try storing an update: a webhook answers 500 at once (Telegram retries); long polling
        # sets more (a batch it could not store is only polled again after a pause).
        self.store_attempts = 1
        # While `feed_batch` runs (long polling), the updates to store together once the batch has been read.
        self._batch: list[tuple[Inbound, Meta | None]] | None = None

    def _build_dispatcher(self) -> AiogramDispatcher:
        # The handlers sit on the dispatcher (its root router) itself: a sub-router would add a round of
        # middleware wrapping to every update, for nothing.
        dispatcher = AiogramDispatcher(disable_fsm=True, name="telegram")
        dispatcher.update.outer_middleware(self._first_sight)
        dispatcher.message.register(self.on_message)
        dispatcher.callback_query.register(self.on_callback)
        dispatcher.my_chat_member.register(self.on_my_chat_member)
        dispatcher.errors.register(self.on_error)
        return dispatcher

    # ---- every update ---------------------------------------------------------------------------------

    async def _first_sight(
        self, handler: Callable[[Update, dict[str, Any]], Awaitable[Any]], update: Update, data: dict[str, Any]
    ) -> Any:
        """Drops an update id seen a moment ago (the inbox de-duplicates for good; this saves a query)."""
        if not self.recent.first_time(update.update_id):
            logger.info("skipping repeated telegram update %s", update.update_id)
            return None
        return await handler(update, data)

    @property
    def idle(self) -> bool:
        """True when no accepted update is waiting to be handled or answered."""
        return self.intake.idle

    async def _accept(self, inbound: Inbound, meta: Meta | None = None) -> None:
        """Store the update: at once (webhook), or with the rest of its polled batch (see `feed_batch`)."""
        if self._batch is not None:
            self._batch.append((inbound, meta))
            return
        await self._store([(inbound, meta)])

    async def _store(self, updates: Sequence[tuple[Inbound, Meta | None]]) -> None:
        """Store updates in one transaction; with long polling, keep trying a while before giving up."""
        for attempt in range(self.store_attempts):
            try:
                await self.intake.accept_many(updates)
                return
            except RuntimeError as err:  # shutting down: leave the updates to Telegram
                self._forget(updates)
                raise IntakeUnavailable(str(err)) from err
            except Exception as err:
                if attempt + 1 >= self.store_attempts:
                    self._forget(updates)
                    raise IntakeUnavailable(str(err)) from err
                keys = ", ".join(str(inbound.update_id) for inbound, _meta in updates)
                logger.warning("could not store telegram updates %s (%s); trying again", keys, err)
                await asyncio.sleep(min(0.25 * 2**attempt, 5.0))

    def _forget(self, updates: Sequence[tuple[Inbound, Meta | None]]) -> None:
        """Not stored: Telegram delivers them again, which the recently-seen check must then let through."""
        for inbound, _meta in updates:
            self.recent.forget(int(inbound.update_id or 0))

    async def on_message(self, message: Message, event_update: Update) -> None:
        """A message in a private chat: text, photo, contact, or something the core cannot read."""
        inbound = message_to_inbound(message, event_update.update_id)
        if inbound is None:
            return
        chat_id = message.chat.id
        verdict = self.flood.check(inbound.external_id)
        if verdict is not Verdict.ACCEPT:
            if verdict is Verdict.WARN:
                logger.info("throttling chat %s", chat_id)
                await self.delivery.say(chat_id, self._t(chat_id, inbound.language_hint)("telegram.slow_down"))
            return
        full = self.delivery.full_label(chat_id, inbound.text) if inbound.text else None
        if full is not None:  # a reply-keyboard button whose label the renderer had to cut
            inbound = dataclasses.replace(inbound, text=full)
        await self._accept(inbound)

    async def on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        """A pressed inline button: answered at once, then handled like a typed choice."""
        inbound = callback_to_inbound(query, event_update.update_id)
        verdict = self.flood.check(str(query.from_user.id))
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        notice = None
        if verdict is Verdict.WARN:
            notice = self._t(chat_id, query.from_user.language_code)("telegram.slow_down")
        if inbound is None or verdict is not Verdict.ACCEPT:
            await self._answer(query.id, notice)
            return
        message = query.message if isinstance(query.message, Message) else None
        origin = Origin.of(message) if message is not None else None
        await self._accept(inbound, {"origin": dataclasses.asdict(origin)} if origin is not None else None)
        await self._answer(query.id, notice)

    def _t(self, chat_id: int, hint: str | None) -> Translator:
        """The adapter's own wording in the chat's language: the user's chosen one when this process knows it."""
        return Translator(self.delivery.locale(chat_id, hint))

    async def _answer(self, query_id: str, text: str | None) -> None:
        try:
            await self.sender.call(AnswerCallbackQuery(callback_query_id=query_id, text=text))
        except TelegramBadRequest as err:
            # Already answered (a repeated update) or older than Telegram keeps queries: nothing to stop.
            logger.info("callback query %s not answered: %s", query_id, err.message)

    async def on_my_chat_member(self, event: ChatMemberUpdated) -> None:
        """The user blocked the bot (status "kicked"): stop sending there until they write again."""
        if event.chat.type == "private" and event.new_chat_member.status == "kicked":
            logger.info("user %s blocked the bot", event.chat.id)
            await self._mark_unreachable(event.chat.id)

    async def _mark_unreachable(self, chat_id: int) -> None:
        await self.core.mark_unreachable(Channel.TELEGRAM.value, str(chat_id))

    async def on_error(self, event: ErrorEvent) -> Any:
        """Logs what escaped a handler, with the update id, and apologises to the user.

        An update that could not be stored is not handled here: it propagates, so it is not acknowledged.
        """
        if isinstance(event.exception, IntakeUnavailable):
            logger.error("telegram update %s could not be stored: %s", event.update.update_id, event.exception)
            return UNHANDLED
        update = event.update
        logger.error(
            "telegram update %s failed: %s",
            update.update_id,
            event.exception,
            exc_info=(type(event.exception), event.exception, event.exception.__traceback__),
        )
        chat_id, locale = _whom(update)
        if chat_id is not None:
            try:
                await self.delivery.say(chat_id, self._t(chat_id, locale)("error.internal"))
            except TelegramAPIError as err:
                logger.warning("could not apologise in chat %s: %s", chat_id, err)
        return True

    # ---- the way out ----------------------------------------------------------------------------------

    async def deliver(self, external_id: str, replies: Sequence[Reply], meta: Meta) -> str:
        """Send one batch of replies to a chat (the intake's and the delivery worker's outlet)."""
        origin = Origin(**meta["origin"]) if meta.get("origin") else None
        replies = await self._kept_pictures(replies)
        try:
            await self.delivery.deliver(int(external_id), replies, origin=origin)
        except RecipientUnreachable:
            return outbox.BLOCKED
        except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as err:
            logger.warning("could not reach Telegram for chat %s: %s", external_id, err)
            return outbox.RETRY
        except TelegramBadRequest as err:
            # A reply Telegram will never take (a bug on our side): log it and tell the user, never silence.
            logger.error("a reply to telegram chat %s was refused: %s", external_id, err, exc_info=err)
            locale = next((r.locale for r in replies if r.locale), None)
            try:
                await self.delivery.say(int(external_id), self._t(int(external_id), locale)("error.internal"))
            except TelegramAPIError as again:
                logger.warning("could not apologise in chat %s: %s", external_id, again)
            return outbox.FAILED
        return outbox.SENT

    async def _kept_pictures(self, replies: Sequence[Reply]) -> Sequence[Reply]:
        """Pictures the bot keeps (`media:<id>`, e.g. sent on WhatsApp) are not Telegram files: they go as an
        uploaded photo before the text (a picture no longer kept is left out)."""
        if all(media.media_id(r.photo_ref) is None for r in replies):
            return replies
        out = []
        async with self.core.sessions() as session:
            for reply in replies:
                if media.media_id(reply.photo_ref) is not None and reply.attachment is None:
                    kept = await media.load(session, reply.photo_ref)
                    picture = None
                    if kept is not None:
                        name = "foto.png" if kept.content_type == "image/png" else "foto.jpg"
                        picture = Attachment(name, kept.data, photo=True)
                    reply = dataclasses.replace(reply, photo_ref=None, attachment=picture)
                out.append(reply)
        return out

    async def send_envelope(self, envelope: Envelope) -> str:
        """The delivery worker's sender for Telegram rows."""
        replies, meta = render(envelope.payload, envelope.language, self.locale)
        return await self.deliver(envelope.external_id, replies, meta)

    # ---- intake and shutdown ----------------------------------------------------------------------------

    async def feed(self, update: Update) -> None:
        """Store an update from the webhook; raises `IntakeUnavailable` when it could not be stored."""
        await self.dispatcher.feed_update(self.bot, update)

    async def feed_batch(self, updates: Sequence[Update]) -> None:
        """Handle one long poll's updates: each through the dispatcher as `feed` does, then every one to keep
        stored together, in one transaction. Raises `IntakeUnavailable` when they could not be stored: the
        next getUpdates must then not confirm this batch's offset."""
        self._batch = batch = []
        try:
            for update in updates:
                try:
                    await self.dispatcher.feed_update(self.bot, update)
                except Exception:  # on_error has seen it (or it had no handler); the others go on
                    logger.exception("telegram update %s failed", update.update_id)
        finally:
            self._batch = None
        if batch:
            await self._store(batch)

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a shutdown grace period
        """Stops accepting and waits (bounded) until the accepted updates are handled and answered."""
        await self.intake.drain(timeout)


def _whom(update: Update) -> tuple[int | None, str | None]:
    """The private chat an update came from and the language its Telegram client reports, for an apology."""
    if update.message is not None and update.message.chat.type == "private":
        user = update.message.from_user
        return update.message.chat.id, user.language_code if user else None
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type == "private":
            return (chat.id if chat else query.from_user.id), query.from_user.language_code
    return None, None
