"""The Bot API session (bot/channels/telegram/session.py) against the fake Bot API over HTTP.

JSON bodies must carry exactly what aiogram's own form carries, uploads must still go as multipart, and
`post` (which does not parse the sent message) must fail exactly like `bot(method)`.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    SetWebhook,
    TelegramMethod,
)
from aiogram.types import BotCommand, BufferedInputFile, LinkPreviewOptions, Message

from bot.channels.telegram.render import contact_keyboard, inline_keyboard, menu_keyboard
from bot.channels.telegram.session import BotSession
from bot.core.messages import Choice
from tests.fakes.telegram_api import FakeTelegramAPI, UploadedFile

USER = 5001


@pytest.fixture
async def bots(tg: FakeTelegramAPI) -> AsyncIterator[tuple[Bot, Bot]]:
    """The same bot twice: on aiogram's own session (form data) and on ours (JSON)."""
    api = TelegramAPIServer.from_base(tg.base_url)
    form, json_bot = Bot("42:TEST", session=AiohttpSession(api=api)), Bot("42:TEST", session=BotSession(api=api))
    yield form, json_bot
    await form.session.close()
    await json_bot.session.close()


def _methods(message_id: int) -> list[TelegramMethod[Any]]:
    choices = [Choice("Keripik Pisang", "s:v:1"), Choice("Lihat peta", "", url="https://example.org/peta")]
    return [
        SendMessage(
            chat_id=USER,
            text="<b>Hasil</b> pencarian",
            parse_mode="HTML",
            reply_markup=inline_keyboard(choices),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        SendMessage(chat_id=USER, text="Menu", reply_markup=menu_keyboard(["Menu", "Bantuan"])),
        SendMessage(chat_id=USER, text="Nomor Anda?", reply_markup=contact_keyboard("Bagikan nomor", choices[:1])),
        EditMessageText(chat_id=USER, message_id=message_id, text="Halaman 2", reply_markup=inline_keyboard(choices)),
        SetMyCommands(commands=[BotCommand(command="start", description="Mulai")], language_code="en"),
        SetWebhook(url="https://bot.example.org/telegram/webhook", secret_token="s3cret", allowed_updates=["message"]),
    ]


async def test_json_bodies_carry_what_aiogram_forms_carry(tg: FakeTelegramAPI, bots: tuple[Bot, Bot]) -> None:
    form, json_bot = bots
    # Each side edits a message of its own (an edit to the same content again is "not modified").
    to_edit = [(await form(SendMessage(chat_id=USER, text=f"halo {n}"))).message_id for n in range(2)]
    for by_form, by_json in zip(_methods(to_edit[0]), _methods(to_edit[1]), strict=True):
        await form(by_form)
        sent_as_form = tg.calls[-1]
        await json_bot(by_json)
        sent_as_json = tg.calls[-1]
        assert sent_as_json.method == sent_as_form.method
        if "message_id" in sent_as_form.params:
            assert (sent_as_form.params.pop("message_id"), sent_as_json.params.pop("message_id")) == tuple(to_edit)
        assert sent_as_json.params == sent_as_form.params, sent_as_form.method
    assert not tg.failures


async def test_a_method_with_a_file_goes_as_multipart(tg: FakeTelegramAPI, bots: tuple[Bot, Bot]) -> None:
    _form, json_bot = bots
    method = SendPhoto(chat_id=USER, photo=BufferedInputFile(b"\x89PNG...", filename="foto.png"), caption="Foto")
    assert isinstance(json_bot.session, BotSession)
    assert json_bot.session.json_body(json_bot, method) is None
    sent = await json_bot(method)
    assert isinstance(sent, Message) and sent.photo
    [call] = tg.calls
    assert isinstance(call.params["photo"], UploadedFile) and call.params["caption"] == "Foto"


async def test_make_request_still_parses_the_result(bots: tuple[Bot, Bot]) -> None:
    _form, json_bot = bots
    sent = await json_bot(SendMessage(chat_id=USER, text="halo"))
    assert isinstance(sent, Message) and sent.chat.id == USER and sent.text == "halo"


async def test_post_sends_and_fails_like_bot_call(tg: FakeTelegramAPI, bots: tuple[Bot, Bot]) -> None:
    _form, bot = bots
    session = bot.session
    assert isinstance(session, BotSession)
    assert await session.post(bot, SendMessage(chat_id=USER, text="halo")) is None
    assert tg.messages_to(USER)[-1]["text"] == "halo"

    tg.fail_next("sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as flood:
        await session.post(bot, SendMessage(chat_id=USER, text="lagi"))
    assert flood.value.retry_after == 7

    tg.block_user(USER)
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await session.post(bot, SendMessage(chat_id=USER, text="lagi"))
    tg.unblock_user(USER)

    with pytest.raises(TelegramBadRequest, match="query"):
        await session.post(bot, AnswerCallbackQuery(callback_query_id="404", text="Oke"))
    with pytest.raises(TelegramBadRequest, match="parse entities"):
        await session.post(bot, SendMessage(chat_id=USER, text="<b>tanpa penutup", parse_mode="HTML"))


async def test_post_reports_an_unreachable_server_as_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Bot("42:TEST", session=BotSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}")))
    try:
        with pytest.raises(TelegramNetworkError):
            await bot.session.post(bot, SendMessage(chat_id=USER, text="halo"))  # type: ignore[attr-defined]
    finally:
        await bot.session.close()
