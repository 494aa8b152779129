"""Telegram by webhook: registered with its secret, served by the aiohttp app next to /healthz."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot.app import App
from bot.channels.runner import _webhook_secret
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support import USER, make_settings, phone, running

SECRET = "s3cret_Token-1"


async def test_webhook_refuses_a_wrong_secret_and_handles_the_right_one_once(
    app: App,
    tg: FakeTelegramAPI,
) -> None:
    async with running(
        app, tg, webhook_base_url="https://bot.example.org/", webhook_secret=SecretStr(SECRET)
    ) as server:
        assert tg.webhook.url == "https://bot.example.org/telegram/webhook"
        assert tg.webhook.secret_token == SECRET
        assert set(tg.webhook.allowed_updates or []) == {"message", "callback_query", "my_chat_member"}
        assert tg.commands()  # the command menu is set in webhook mode too
        url = f"http://127.0.0.1:{server.port}/telegram/webhook"
        user = phone(server, tg)
        update_id = tg.send_text(USER, "/start", queue=False)

        assert await tg.post_webhook(url, update_id) == 401
        assert await tg.post_webhook(url, update_id, secret="wrong") == 401
        assert await tg.post_webhook(url, update_id, secret=SECRET[:-1]) == 401
        await user.settle()
        assert tg.messages_to(USER) == []

        assert await tg.post_webhook(url, update_id, secret=SECRET) == 200
        await user.settle()
        texts = tg.texts_to(USER)
        assert texts[0].startswith("Selamat datang di Bangga Beli Bot") and len(texts) == 2

        assert await tg.post_webhook(url, update_id, secret=SECRET) == 200  # Telegram retries: handled once
        await user.settle()
        assert len(tg.texts_to(USER)) == 2

        tap = tg.tap(USER, "Bahasa Indonesia", queue=False)
        assert await tg.post_webhook(url, tap, secret=SECRET) == 200
        await user.settle()
        assert tg.texts_to(USER)[-1] == "Bapak/Ibu sebagai apa?"
        assert len(tg.calls_of("answerCallbackQuery")) == 1

        async with (
            ClientSession() as http,
            http.post(url, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as bad,
        ):
            assert bad.status == 400
        async with ClientSession() as http, http.get(f"http://127.0.0.1:{server.port}/healthz") as health:
            assert health.status == 200
            assert await health.json() == {"status": "ok", "channels": ["telegram"]}
    assert tg.get_updates_requests == []  # no polling while a webhook is set


def test_webhook_secret_must_be_what_telegram_accepts(database_url: str) -> None:
    settings = make_settings(database_url)
    settings.web.webhook_secret = SecretStr("has spaces and ü")
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        _webhook_secret(settings)
    settings.web.webhook_secret = None
    generated = _webhook_secret(settings)  # a random one for this run, with a warning
    assert len(generated) >= 32 and generated != _webhook_secret(settings)
