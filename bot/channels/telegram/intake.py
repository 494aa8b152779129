"""How updates reach the Telegram channel: long polling, or a webhook on our aiohttp app.

Either way the bot first checks its token (`getMe`) and sets its command menu (`setMyCommands`, in
DEFAULT_LANGUAGE for everyone and in the other language for clients set to it; only commands the core
understands).

* `Polling` removes any webhook (Telegram refuses `getUpdates` while one is set) and long-polls in a
  background task: each batch goes through the aiogram dispatcher, then is stored in one transaction.
* `Webhook` registers `{WEBHOOK_BASE_URL}/telegram/webhook` with a secret and serves it: a request without
  the secret in `X-Telegram-Bot-Api-Secret-Token` gets 401 (compared in constant time); a good one is parsed,
  stored in the inbox and only then acknowledged (200); the handling happens after, so Telegram waits for one
  insert, never for a handler. An update that could not be stored gets 500 and Telegram sends it again.
  Long polling likewise stores each batch of updates (one transaction) before the next `getUpdates` confirms
  its offset.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.methods import DeleteWebhook, GetUpdates, SetMyCommands, SetWebhook
from aiogram.types import BotCommand, Update
from aiogram.utils.backoff import Backoff, BackoffConfig
from aiohttp import web
from pydantic import ValidationError

from bot.channels.telegram.channel import IntakeUnavailable, TelegramChannel
from bot.core.i18n import DEFAULT_LOCALE, Translator

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# Pause between failed polls (aiogram's own polling loop pauses the same way).
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)

# Bot commands per language: (command, description key). Only commands the core understands are set.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "id": (
        ("start", "telegram.cmd_start"),
        ("menu", "telegram.cmd_menu"),
        ("cari", "telegram.cmd_search"),
        ("daftar", "telegram.cmd_register"),
        ("tambah", "telegram.cmd_add_product"),
        ("produk", "telegram.cmd_products"),
        ("data", "telegram.cmd_my_data"),
        ("bahasa", "telegram.cmd_language"),
        ("bantuan", "telegram.cmd_help"),
    ),
    "en": (
        ("start", "telegram.cmd_start"),
        ("menu", "telegram.cmd_menu"),
        ("search", "telegram.cmd_search"),
        ("daftar", "telegram.cmd_register"),
        ("tambah", "telegram.cmd_add_product"),
        ("products", "telegram.cmd_products"),
        ("mydata", "telegram.cmd_my_data"),
        ("language", "telegram.cmd_language"),
        ("help", "telegram.cmd_help"),
    ),
}


async def set_commands(channel: TelegramChannel) -> None:
    """The command menu: in DEFAULT_LANGUAGE for everyone, and in each other language for its clients."""
    default = channel.default_language if channel.default_language in COMMANDS else DEFAULT_LOCALE
    for locale in sorted(COMMANDS, key=lambda code: code != default):
        language_code = None if locale == default else locale
        t = Translator(locale)
        commands = [
            BotCommand(command=name, description=t(key))
            for name, key in COMMANDS[locale]
            if channel.core.registry.match_text("/" + name) is not None
        ]
        try:
            await channel.sender.call(SetMyCommands(commands=commands, language_code=language_code))
        except TelegramAPIError as err:
            logger.warning("could not set the %s command menu: %s", locale, err)


class Polling:
    """Long polling in a background task, one batch at a time.

    Each getUpdates answer is a batch: its updates go through the aiogram dispatcher one after the other, and
    the ones to keep are stored in the inbox together, in one transaction (`TelegramChannel.feed_batch`). Only
    then does the next getUpdates confirm the batch's offset; a batch that could not be stored is not
    confirmed, so Telegram delivers it again (after a pause).
    """

    def __init__(self, channel: TelegramChannel, timeout: int = 10) -> None:
        self.channel = channel
        self.timeout = timeout
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Checks the token, drops any webhook, sets the commands and starts polling."""
        bot = self.channel.bot
        me = await bot.me()
        logger.info("telegram bot @%s (%s) starts long polling", me.username, me.id)
        await self.channel.sender.call(DeleteWebhook(drop_pending_updates=False))
        self.channel.store_attempts = 8
        await set_commands(self.channel)
        self.task = asyncio.create_task(self._poll(), name="telegram-polling")

    async def _poll(self) -> None:
        bot = self.channel.bot
        backoff = Backoff(BACKOFF)
        offset: int | None = None
        # Wait longer than Telegram holds a long poll, so an empty poll is not taken for a timeout.
        request_timeout = int((bot.session.timeout or 0) + self.timeout) or None
        while True:
            try:
                request = GetUpdates(offset=offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES)
                updates = await bot(request, request_timeout=request_timeout)
                if updates:
                    await self.channel.feed_batch(updates)
                    offset = max(update.update_id for update in updates) + 1
            except asyncio.CancelledError:
                raise
            except IntakeUnavailable as err:
                logger.error("a batch of telegram updates could not be stored (%s); polling it again", err)
                await backoff.asleep()
                continue
            except Exception as err:
                logger.error("could not fetch telegram updates (%s: %s); trying again", type(err).__name__, err)
                await backoff.asleep()
                continue
            backoff.reset()

    async def stop(self) -> None:
        """Stops polling; updates already received are still being handled (see `TelegramChannel.drain`)."""
        task, self.task = self.task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:
            logger.exception("telegram long polling had stopped with an error")


class Webhook:
    """The webhook endpoint: authenticate, parse, store, acknowledge; handled after by the intake."""

    def __init__(self, channel: TelegramChannel, secret: str) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret")
        self.channel = channel
        self._secret = secret.encode()

    def mount(self, app: web.Application, path: str = WEBHOOK_PATH) -> None:
        """Serve the endpoint on `app`."""
        app.router.add_post(path, self.handle)

    async def register(self, url: str) -> None:
        """Checks the token, tells Telegram where to deliver updates, and sets the commands."""
        me = await self.channel.bot.me()
        await self.channel.sender.call(
            SetWebhook(
                url=url,
                secret_token=self._secret.decode(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        )
        logger.info("telegram bot @%s (%s) receives updates at %s", me.username, me.id, url)
        await set_commands(self.channel)

    async def handle(self, request: web.Request) -> web.Response:
        """One delivery from Telegram."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.warning("refused a telegram webhook call without the right secret from %s", request.remote)
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.channel.bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="Bad Request")
        try:
            await self.channel.feed(update)
        except IntakeUnavailable:
            return web.Response(status=500, text="Not stored; please retry")
        return web.json_response({})
