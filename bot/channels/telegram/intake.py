"""How updates reach the Telegram channel: long polling, or a webhook on our aiohttp app.

Either way the bot first checks its token (`getMe`) and sets its command menu (`setMyCommands`, in
DEFAULT_LANGUAGE for everyone and in the other language for clients set to it; only commands the core
understands).

* `Polling` removes any webhook (Telegram refuses `getUpdates` while one is set) and runs aiogram's long
  polling in a background task.
* `Webhook` registers `{WEBHOOK_BASE_URL}/telegram/webhook` with a secret and serves it: a request without
  the secret in `X-Telegram-Bot-Api-Secret-Token` gets 401 (compared in constant time); a good one is parsed,
  stored in the inbox and only then acknowledged (200); the handling happens after, so Telegram waits for one
  insert, never for a handler. An update that could not be stored gets 500 and Telegram sends it again.
  Long polling likewise stores each update before the next `getUpdates` confirms its offset.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.methods import DeleteWebhook, SetMyCommands, SetWebhook
from aiogram.types import BotCommand, Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels.telegram.channel import IntakeUnavailable, TelegramChannel
from bot.core.i18n import DEFAULT_LOCALE, Translator

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]

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
    """Long polling in a background task."""

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
        self.task = asyncio.create_task(
            self.channel.dispatcher.start_polling(
                bot,
                polling_timeout=self.timeout,
                allowed_updates=ALLOWED_UPDATES,
                handle_signals=False,
                close_bot_session=False,
                # One update at a time: the next getUpdates (which confirms the offset) only after this
                # batch is stored in the inbox, so nothing acknowledged can be lost.
                handle_as_tasks=False,
            ),
            name="telegram-polling",
        )

    async def stop(self) -> None:
        """Stops polling; updates already received are still being handled (see `TelegramChannel.drain`)."""
        task, self.task = self.task, None
        if task is None:
            return
        if not task.done():
            await self.channel.dispatcher.stop_polling()
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
