"""`TelegramChannel`: receives updates, hands them to the core dispatcher, sends the replies.

Each update goes: recently-seen check -> flood check -> `Inbound` (inbound.py) -> core
`Dispatcher.handle` (one transaction, idempotent by update id) -> after commit, the replies are rendered and
sent (delivery.py, sender.py). Updates of one chat are handled and answered one after the
other (a lock per chat), so replies never overtake each other. A pressed button is always answered with
`answerCallbackQuery` first, so the client's spinner stops even when the handling takes a while.

Updates arrive by long polling or by webhook (intake.py, started by bot/channels/runner.py); both
feed the same aiogram dispatcher. Any error that escapes a handler reaches `on_error`, which logs it with the
update id and sends the user a short apology, never silence: in the language the user chose when this
process has answered them before, else their Telegram client's language, else DEFAULT_LANGUAGE.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from weakref import WeakValueDictionary

from aiogram import Bot, Router
from aiogram import Dispatcher as AiogramDispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, ChatMemberUpdated, ErrorEvent, Message, Update

from bot.channels.telegram.delivery import Delivery, Origin
from bot.channels.telegram.guards import FloodGuard, RecentUpdates, Verdict
from bot.channels.telegram.inbound import callback_to_inbound, message_to_inbound
from bot.channels.telegram.sender import SendLimits, TelegramSender
from bot.config import TelegramSettings
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Channel

logger = logging.getLogger(__name__)


def create_bot(settings: TelegramSettings) -> Bot:
    """A Bot for the configured token, on api.telegram.org or on TELEGRAM_API_SERVER."""
    if settings.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    if settings.api_server:
        api = TelegramAPIServer.from_base(settings.api_server.rstrip("/"))
        return Bot(token, session=AiohttpSession(api=api))
    return Bot(token)


class TelegramChannel:
    """The Telegram adapter for one bot: receives updates, hands them to the core, sends the replies."""

    def __init__(
        self,
        core: Dispatcher,
        bot: Bot,
        *,
        limits: SendLimits | None = None,
        flood: FloodGuard | None = None,
        recent: RecentUpdates | None = None,
        default_language: str | None = None,
    ) -> None:
        self.core = core
        self.bot = bot
        self.sender = TelegramSender(bot, limits or SendLimits(), self._mark_unreachable)
        self.default_language = default_language or core.settings.bot.default_language
        self.delivery = Delivery(self.sender, self.default_language)
        self.flood = flood or FloodGuard()
        self.recent = recent or RecentUpdates()
        self.dispatcher = self._build_dispatcher()
        self._chat_locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._background: set[asyncio.Task[Any]] = set()

    def _build_dispatcher(self) -> AiogramDispatcher:
        router = Router(name="telegram")
        router.message.register(self.on_message)
        router.callback_query.register(self.on_callback)
        router.my_chat_member.register(self.on_my_chat_member)
        router.errors.register(self.on_error)
        dispatcher = AiogramDispatcher(disable_fsm=True, name="banggabeli")
        dispatcher.update.outer_middleware(self._first_sight)
        dispatcher.include_router(router)
        return dispatcher

    # ---- every update ---------------------------------------------------------------------------------

    async def _first_sight(
        self, handler: Callable[[Update, dict[str, Any]], Awaitable[Any]], update: Update, data: dict[str, Any]
    ) -> Any:
        """Drops an update id seen a moment ago, and counts updates in flight for a graceful stop."""
        if not self.recent.first_time(update.update_id):
            logger.info("skipping repeated telegram update %s", update.update_id)
            return None
        with self._busy():
            return await handler(update, data)

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        self._active += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._active -= 1
            if self._active == 0:
                self._idle.set()

    @property
    def idle(self) -> bool:
        """True when no update is being handled or waiting to be."""
        return self._active == 0 and not self._background

    def _chat_lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[chat_id] = lock
        return lock

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
        lock = self._chat_lock(chat_id)
        async with lock:
            replies = await self.core.handle(inbound)
            await self.delivery.deliver(chat_id, replies, locale=inbound.language_hint)

    async def on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        """A pressed inline button: answered at once, then handled like a typed choice."""
        inbound = callback_to_inbound(query, event_update.update_id)
        verdict = self.flood.check(str(query.from_user.id))
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        notice = None
        if verdict is Verdict.WARN:
            notice = self._t(chat_id, query.from_user.language_code)("telegram.slow_down")
        await self._answer(query.id, notice)
        if inbound is None or verdict is not Verdict.ACCEPT:
            return
        message = query.message if isinstance(query.message, Message) else None
        origin = Origin.of(message) if message is not None else None
        lock = self._chat_lock(chat_id)
        async with lock:
            replies = await self.core.handle(inbound)
            await self.delivery.deliver(chat_id, replies, origin=origin, locale=inbound.language_hint)

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

    async def on_error(self, event: ErrorEvent) -> bool:
        """Logs what escaped a handler, with the update id, and apologises to the user."""
        update = event.update
        logger.error(
            "telegram update %s failed: %s",
            update.update_id,
            event.exception,
            exc_info=(type(event.exception), event.exception, event.exception.__traceback__),
        )
        chat_id, locale = _whom(update)
        if chat_id is not None:
            with self._busy():
                try:
                    await self.delivery.say(chat_id, self._t(chat_id, locale)("error.internal"))
                except TelegramAPIError as err:
                    logger.warning("could not apologise in chat %s: %s", chat_id, err)
        return True

    # ---- intake and shutdown ----------------------------------------------------------------------------

    def feed_in_background(self, update: Update) -> None:
        """Handle an update (from a webhook) in a task of its own; `drain` waits for it."""
        task = asyncio.create_task(self.dispatcher.feed_update(self.bot, update))
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("telegram update failed in the background", exc_info=task.exception())

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a shutdown grace period
        """Waits until no update is being handled."""
        try:
            async with asyncio.timeout(timeout):
                if self._background:
                    await asyncio.wait(set(self._background))
                await self._idle.wait()
        except TimeoutError:
            logger.warning("stopping with %s telegram updates still in flight", self._active)


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
