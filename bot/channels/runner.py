"""`banggabeli run`: one aiohttp server and every configured channel, until SIGTERM or Ctrl-C.

The aiohttp app on HOST:PORT always serves `GET /healthz`, plus each channel's webhook: Telegram at
`/telegram/webhook` when WEBHOOK_BASE_URL is set (otherwise Telegram uses long polling and the app only
answers health checks). WhatsApp, when WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are set, serves
`GET/POST /whatsapp/webhook` on the same app, and its sender joins the delivery worker's.

Start: replies that a crash left unsent and updates accepted but not yet handled are taken up first
(`Intake.resume`), and the delivery worker starts (outbox rows: broadcasts, notices, stale replies).

Shutdown (SIGTERM, SIGINT): stop taking updates (polling stops; the webhook route closes with the server),
let the accepted updates be handled and answered for up to `shutdown_grace` seconds (what is left stays in
the inbox for the next start), stop the worker, then close the Bot API session and the database.
A webhook stays registered, so Telegram keeps the updates that arrive meanwhile for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import signal
from types import TracebackType
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

from bot.app import App, build_app
from bot.config import Settings
from bot.core.wire import Locale
from bot.services.delivery import DeliveryWorker, WorkerSettings, worker_settings

if TYPE_CHECKING:
    # Each channel is imported where it is configured, so a process imports only the channels it runs:
    # aiogram alone holds ~150 MB (it builds every Bot API model at import), a WhatsApp-only process needs none.
    from bot.channels.telegram import FloodGuard, Polling, SendLimits, TelegramChannel, Webhook
    from bot.channels.whatsapp import GraphLimits, WhatsAppChannel

logger = logging.getLogger(__name__)

_SECRET_OK = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ChannelServer:
    """The web server and the channels of one process. Use as `async with ChannelServer(app):`."""

    def __init__(
        self,
        app: App,
        *,
        limits: SendLimits | None = None,
        polling_timeout: int = 10,
        shutdown_grace: float = 10.0,
        whatsapp_limits: GraphLimits | None = None,
    ) -> None:
        self.app = app
        self.settings = app.settings
        self.limits = limits
        self.polling_timeout = polling_timeout
        self.shutdown_grace = shutdown_grace
        self.telegram: TelegramChannel | None = None
        self.whatsapp: WhatsAppChannel | None = None
        self.whatsapp_limits = whatsapp_limits
        self._polling: Polling | None = None
        self._webhook: Webhook | None = None
        self._runner: web.AppRunner | None = None
        self._worker: DeliveryWorker | None = None
        self._worker_stop = asyncio.Event()
        self._worker_task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port the web server listens on (useful with PORT=0)."""
        if self._runner is None or not self._runner.addresses:
            raise RuntimeError("the server is not running")
        return int(self._runner.addresses[0][1])

    def build_web_app(self) -> web.Application:
        """The aiohttp app: /healthz and the webhooks of the channels that use one."""
        web_app = web.Application()
        web_app.router.add_get("/healthz", self.healthz)
        self._mount_channels(web_app)
        return web_app

    def _mount_channels(self, web_app: web.Application) -> None:
        telegram = self.settings.telegram
        if telegram.bot_token is not None:
            from bot.channels.telegram import WEBHOOK_PATH, FloodGuard, Polling, Webhook

            flood = FloodGuard(telegram.flood_burst, telegram.flood_per_second)
            self.telegram = telegram_channel(self.app, self.limits, flood)
            if self.settings.web.webhook_base_url:
                self._webhook = Webhook(self.telegram, _webhook_secret(self.settings))
                self._webhook.mount(web_app, WEBHOOK_PATH)
            else:
                self._polling = Polling(self.telegram, self.polling_timeout)
        whatsapp = self.settings.whatsapp
        if whatsapp.enabled:
            from bot.channels.whatsapp import Webhook as WhatsAppWebhook

            self.whatsapp = whatsapp_channel(self.app, self.whatsapp_limits)
            self.app.intake.attach("whatsapp", self.whatsapp, prepare=self.whatsapp.prepare)
            WhatsAppWebhook(
                self.whatsapp,
                self.app.intake,
                app_secret=whatsapp.app_secret.get_secret_value() if whatsapp.app_secret else "",
                verify_token=whatsapp.verify_token.get_secret_value() if whatsapp.verify_token else "",
                max_body=whatsapp.max_body_bytes,
            ).mount(web_app)

    async def healthz(self, _request: web.Request) -> web.Response:
        """200 when the database answers, 503 when it does not."""
        try:
            async with asyncio.timeout(5), self.app.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as err:  # any failure means "not healthy"; the reason goes in the body
            logger.warning("health check failed: %s", err)
            return web.json_response({"status": "error", "database": str(err)[:200]}, status=503)
        channels = [name for name, on in (("telegram", self.telegram), ("whatsapp", self.whatsapp)) if on]
        return web.json_response({"status": "ok", "channels": channels})

    async def start(self) -> None:
        """Starts the web server, then the channels (a webhook needs the server up first)."""
        web_app = self.build_web_app()
        self._runner = web.AppRunner(web_app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.web.host, self.settings.web.port)
        await site.start()
        logger.info("web server on http://%s:%s (GET /healthz)", self.settings.web.host, self.port)
        senders = {"telegram": self.telegram.send_envelope} if self.telegram else {}
        if self.whatsapp is not None:
            senders["whatsapp"] = self.whatsapp.send_envelope
        if senders:
            # Replies a crash left unsent and updates accepted but not handled go first, then new updates.
            await self.app.intake.resume()
            self._worker = DeliveryWorker(self.app.sessions, senders, configured_worker(self.settings))
            self._worker_stop = asyncio.Event()
            self._worker_task = asyncio.create_task(self._worker.run(self._worker_stop), name="delivery-worker")
        if self._webhook is not None:
            from bot.channels.telegram import WEBHOOK_PATH

            base = self.settings.web.webhook_base_url or ""
            await self._webhook.register(base.rstrip("/") + WEBHOOK_PATH)
        if self._polling is not None:
            await self._polling.start()

    async def stop(self) -> None:
        """Stops taking updates, lets the ones in flight finish, closes the server and the Bot API session."""
        if self._polling is not None:
            await self._polling.stop()
        if self._runner is not None:
            await self._runner.cleanup()  # no more webhook calls from here on
            self._runner = None
        if self.telegram is not None or self.whatsapp is not None:
            await self.app.intake.drain(self.shutdown_grace)
        if self._worker_task is not None:
            self._worker_stop.set()
            try:
                async with asyncio.timeout(self.shutdown_grace):
                    await self._worker_task
            except TimeoutError:
                self._worker_task.cancel()
                logger.warning("delivery worker stopped with sends in flight; their rows are sent after restart")
            self._worker_task = None
        if self.telegram is not None:
            await self.telegram.bot.session.close()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        logger.info("channels stopped")

    async def wait(self, stop: asyncio.Event) -> None:
        """Returns when `stop` is set, or when long polling ends by itself (it only does on a bug)."""
        waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(stop.wait())}
        polling = self._polling.task if self._polling else None
        if polling is not None:
            waiters.add(polling)  # type: ignore[arg-type]
        done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for future in pending:
            if future is not polling:
                future.cancel()
        if polling is not None and polling in done:
            logger.error("telegram long polling ended by itself; shutting down")  # stop() logs why

    async def __aenter__(self) -> ChannelServer:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


def telegram_channel(app: App, limits: SendLimits | None = None, flood: FloodGuard | None = None) -> TelegramChannel:
    """The Telegram channel from TELEGRAM_* settings; `limits` default to TELEGRAM_RATE_*.

    It imports aiogram, so only a process that runs Telegram calls it.
    """
    from bot.channels.telegram import SendLimits, TelegramChannel, create_bot

    settings = app.settings.telegram
    return TelegramChannel(
        app.dispatcher,
        create_bot(settings),
        intake=app.intake,
        limits=limits or SendLimits.from_settings(settings),
        flood=flood,
        default_language=app.settings.bot.default_language,
    )


def whatsapp_channel(app: App, limits: GraphLimits | None = None) -> WhatsAppChannel:
    """The WhatsApp channel from WHATSAPP_* settings (the webhook needs WHATSAPP_APP_SECRET and _VERIFY_TOKEN)."""
    from bot.channels.whatsapp import WhatsAppChannel

    bot = app.settings.bot
    locale = Locale(bot.default_language, bot.timezone, bot.timezone_label)
    return WhatsAppChannel(app.sessions, app.settings.whatsapp, locale, limits)


def configured_worker(settings: Settings) -> WorkerSettings:
    """The delivery worker's settings from DELIVERY_* (services take plain values)."""
    d = settings.delivery
    return worker_settings(d.batch, d.concurrency, d.lease_seconds, d.max_attempts, d.poll_seconds)


def _webhook_secret(settings: Settings) -> str:
    configured = settings.web.webhook_secret
    if configured is None or not configured.get_secret_value():
        logger.warning("WEBHOOK_SECRET is not set: using a random secret for this run (set it for several workers)")
        return secrets.token_urlsafe(32)
    value = configured.get_secret_value()
    if not _SECRET_OK.fullmatch(value):
        raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return value


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows
            loop.add_signal_handler(sig, _on_signal, sig, stop)


def _on_signal(sig: signal.Signals, stop: asyncio.Event) -> None:
    logger.info("received %s, shutting down", sig.name)
    stop.set()


async def run_channels(settings: Settings) -> None:
    """Runs the configured channels until SIGTERM / SIGINT, then shuts down gracefully."""
    stop = asyncio.Event()
    _install_signal_handlers(stop)
    application = await build_app(settings)
    try:
        async with ChannelServer(application) as server:
            await server.wait(stop)
    finally:
        await application.close()


async def run_worker(settings: Settings) -> None:
    """`banggabeli worker`: only the delivery worker, until SIGTERM / SIGINT (more workers share the outbox).

    It sends through the configured channels but takes no updates: the `run` processes do that.
    """
    stop = asyncio.Event()
    _install_signal_handlers(stop)
    application = await build_app(settings)
    telegram: TelegramChannel | None = None
    whatsapp: WhatsAppChannel | None = None
    try:
        senders = {}
        if settings.whatsapp.enabled:
            whatsapp = whatsapp_channel(application)
            senders["whatsapp"] = whatsapp.send_envelope
        if settings.telegram.bot_token is not None:
            telegram = telegram_channel(application)
            senders["telegram"] = telegram.send_envelope
        worker = DeliveryWorker(application.sessions, senders, configured_worker(settings))
        await worker.run(stop)
        logger.info("delivery worker stopped: %s", worker.counts)
    finally:
        if telegram is not None:
            await telegram.bot.session.close()
        if whatsapp is not None:
            await whatsapp.close()
        await application.close()
