"""The one place that talks to the Bot API on the way out: pacing, retries, blocked users.

* Pacing (aiolimiter): about 30 messages a second overall and about 1 a second per chat, with a burst of
  3 so a reply of two or three messages goes out at once. Pacing is the only waiting the bot does;
  handlers never sleep.
* `TelegramRetryAfter` (429): the whole bot pauses for what Telegram says (every send waits, not only the one
  that was refused, since the limit is per bot), then the refused send is tried again (bounded attempts).
* Network errors and Telegram 5xx: bounded exponential backoff.
* `TelegramForbiddenError` (the user blocked the bot, or deleted their account) and "chat not found": report
  the chat through
  `on_unreachable` (which marks the identity unreachable in the core) and raise `RecipientUnreachable`,
  so the caller stops sending to that chat. Nothing is retried.
* Everything else (`TelegramBadRequest`...) is raised to the caller, which knows what it was trying.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiolimiter import AsyncLimiter

from bot.channels.telegram.session import BotSession
from bot.config import TelegramSettings

logger = logging.getLogger(__name__)

UnreachableHook = Callable[[int], Awaitable[None]]

_MAX_CHAT_LIMITERS = 10_000


@dataclass(frozen=True)
class SendLimits:
    """How fast and how stubbornly to send. `None` rates switch pacing off (tests, benchmarks)."""

    overall_per_second: float | None = 28.0
    per_chat_per_second: float | None = 1.0
    per_chat_burst: int = 3
    retry_after_attempts: int = 5
    network_attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    @classmethod
    def from_settings(cls, settings: TelegramSettings) -> SendLimits:
        """The limits configured for this bot (TELEGRAM_RATE_OVERALL, TELEGRAM_RATE_PER_CHAT)."""
        return cls(overall_per_second=settings.rate_overall or None, per_chat_per_second=settings.rate_per_chat or None)

    @classmethod
    def unpaced(cls) -> SendLimits:
        """No pacing, same retries: for talking to a local fake Bot API server."""
        return cls(overall_per_second=None, per_chat_per_second=None)


class RecipientUnreachable(Exception):
    """The chat blocked the bot; it has been reported and nothing more should be sent there."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(f"chat {chat_id} is unreachable")
        self.chat_id = chat_id


class TelegramSender:
    """Executes Bot API methods with pacing and retries; one per bot."""

    def __init__(self, bot: Bot, limits: SendLimits, on_unreachable: UnreachableHook) -> None:
        self.bot = bot
        self.limits = limits
        self._on_unreachable = on_unreachable
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # how it waits before a retry
        rate = limits.overall_per_second
        # No burst overall: evenly spaced sends never exceed the rate in any one-second window.
        self._overall = AsyncLimiter(1, 1 / rate) if rate else None
        self._resume = asyncio.Event()  # cleared while Telegram asked the bot to wait
        self._resume.set()
        self._pausing = 0
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self.pauses = 0

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter | None:
        rate = self.limits.per_chat_per_second
        if not rate:
            return None
        limiter = self._chats.get(chat_id)
        if limiter is None:
            burst = max(self.limits.per_chat_burst, 1)
            limiter = AsyncLimiter(burst, burst / rate)
            self._chats[chat_id] = limiter
            while len(self._chats) > _MAX_CHAT_LIMITERS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    async def _pace(self, chat_id: int | None) -> None:
        """Wait out a bot-wide flood-control pause, then the rate limits."""
        await self._resume.wait()
        if chat_id is not None and (limiter := self._chat_limiter(chat_id)) is not None:
            await limiter.acquire()
        if self._overall is not None:
            await self._overall.acquire()

    async def _post(self, method: TelegramMethod[Any]) -> None:
        session = self.bot.session
        if isinstance(session, BotSession):
            await session.post(self.bot, method)  # checks the answer without parsing its result
        else:
            await self.bot(method)

    async def send(self, method: TelegramMethod[Any], chat_id: int | None = None) -> None:
        """Execute `method`, paced for `chat_id` when given (messages, edits), retrying what can be retried.

        Returns once Telegram took it; the answer's result (the sent message) is not read.
        """
        name = type(method).__name__
        retry_afters = network_failures = 0
        while True:
            await self._pace(chat_id)
            try:
                await self._post(method)
                return
            except TelegramRetryAfter as err:
                retry_afters += 1
                if retry_afters >= self.limits.retry_after_attempts:
                    raise
                logger.warning("%s to %s: flood control, pausing all sends for %s s", name, chat_id, err.retry_after)
                await self._pause(err.retry_after)
            except (TelegramNetworkError, TelegramServerError) as err:
                network_failures += 1
                if network_failures >= self.limits.network_attempts:
                    raise
                delay = min(self.limits.backoff_base * 2 ** (network_failures - 1), self.limits.backoff_cap)
                logger.warning("%s to %s failed (%s), retrying in %.1f s", name, chat_id, err, delay)
                await self.sleep(delay)
            except TelegramBadRequest as err:
                if chat_id is None or "chat not found" not in err.message.lower():
                    raise
                logger.info("chat %s is unreachable: %s", chat_id, err.message)
                await self._report_unreachable(chat_id)
                raise RecipientUnreachable(chat_id) from err
            except TelegramForbiddenError as err:
                if chat_id is None:
                    raise
                logger.info("chat %s is unreachable: %s", chat_id, err.message)
                await self._report_unreachable(chat_id)
                raise RecipientUnreachable(chat_id) from err

    async def _pause(self, seconds: float) -> None:
        """Hold every send of this bot for `seconds` (Telegram's retry_after), not only the refused one."""
        self.pauses += 1
        self._pausing += 1
        self._resume.clear()
        try:
            await self.sleep(seconds)
        finally:
            self._pausing -= 1
            if self._pausing == 0:
                self._resume.set()

    async def _report_unreachable(self, chat_id: int) -> None:
        try:
            await self._on_unreachable(chat_id)
        except Exception:
            logger.exception("could not mark chat %s unreachable", chat_id)

    async def call(self, method: TelegramMethod[Any]) -> None:
        """Execute a method that is not a message to a chat (answers, commands, webhook setup): no pacing."""
        await self.send(method, None)
