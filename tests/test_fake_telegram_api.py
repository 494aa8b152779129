"""Proves tests/fakes/telegram_api.py against aiogram's real client and polling loop over loopback HTTP."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from aiohttp import ClientSession, web

from tests.fakes.telegram_api import BOT_ID, BOT_USERNAME, FakeTelegramAPI

USER = 1001


def confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Ya", callback_data="confirm:yes"),
                InlineKeyboardButton(text="Tidak", callback_data="confirm:no"),
            ]
        ]
    )


def make_dispatcher(seen_update_ids: list[int]) -> Dispatcher:
    dp = Dispatcher()

    @dp.message(F.text == "/start")
    async def start(message: Message, event_update: Update) -> None:
        seen_update_ids.append(event_update.update_id)
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Bagikan nomor", request_contact=True)]], resize_keyboard=True
        )
        await message.answer("Selamat datang! Bagikan nomor HP Anda.", reply_markup=keyboard)

    @dp.message(F.text)
    async def echo(message: Message, event_update: Update) -> None:
        seen_update_ids.append(event_update.update_id)
        await message.answer(f"Echo: {message.text}", reply_markup=confirm_keyboard())

    @dp.callback_query(F.data.startswith("confirm:"))
    async def confirm(callback: CallbackQuery) -> None:
        await callback.answer("Oke")
        assert isinstance(callback.message, Message)
        await callback.message.edit_text(f"Pilihan: {callback.data}")

    @dp.message(F.contact)
    async def contact(message: Message) -> None:
        assert message.contact is not None
        await message.answer(f"Nomor {message.contact.phone_number} tersimpan", reply_markup=ReplyKeyboardRemove())

    return dp


def make_bot(tg: FakeTelegramAPI, **kwargs: object) -> Bot:
    return Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)), **kwargs)


async def test_real_polling_loop_transcript() -> None:
    seen: list[int] = []
    async with FakeTelegramAPI() as tg:
        bot = make_bot(tg)
        dp = make_dispatcher(seen)
        task = asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
        )
        try:
            await tg.wait_for("getMe")
            start_id = tg.send_text(USER, "/start", first_name="Siti")
            welcome = await tg.wait_for("sendMessage", chat_id=USER)
            assert welcome.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True

            echo_id = tg.send_text(USER, "halo")
            echo = await tg.wait_for("sendMessage", chat_id=USER)
            assert echo.params["text"] == "Echo: halo"
            assert echo.params["reply_markup"] == confirm_keyboard().model_dump(exclude_none=True)
            echo_message = tg.last_message_to(USER)

            tg.press_button(USER, "confirm:yes", message_id=echo_message["message_id"])
            answer = await tg.wait_for("answerCallbackQuery")
            assert answer.params["text"] == "Oke"
            edit = await tg.wait_for("editMessageText")
            assert edit.params["message_id"] == echo_message["message_id"]

            tg.tap(USER, "Bagikan nomor", phone_number="6281234567890")
            saved = await tg.wait_for("sendMessage", chat_id=USER)
            assert saved.params["text"] == "Nomor 6281234567890 tersimpan"
        finally:
            await dp.stop_polling()
            await task
            await bot.session.close()

    assert seen == [start_id, echo_id]
    assert tg.texts_to(USER) == [
        "Selamat datang! Bagikan nomor HP Anda.",
        "Pilihan: confirm:yes",  # edited in place
        "Nomor 6281234567890 tersimpan",
    ]
    first, edited, last = tg.messages_to(USER)
    assert first["chat"] == {"id": USER, "first_name": "Siti", "type": "private"}
    assert first["from"]["username"] == BOT_USERNAME
    assert "edit_date" in edited
    assert "reply_markup" not in edited  # editMessageText without reply_markup drops the keyboard
    assert last["reply_markup"] == {"remove_keyboard": True}
    # user and bot messages share one per-chat id sequence: /start=1, welcome=2, halo=3, echo=4, contact=5
    assert [m["message_id"] for m in tg.messages_to(USER)] == [2, 4, 6]
    assert [c.method for c in tg.calls] == [
        "getMe",
        "sendMessage",
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
        "sendMessage",
    ]
    offsets = [r.get("offset") for r in tg.get_updates_requests]
    assert offsets[0] is None  # aiogram leaves out offset=0 (falsy values are not sent)
    assert offsets == sorted(offsets, key=lambda o: o or 0)
    assert set(tg.get_updates_requests[0]["allowed_updates"]) == {"message", "callback_query"}


async def test_polling_helper_and_handler_errors() -> None:
    async with FakeTelegramAPI() as tg:
        dp = Dispatcher()

        @dp.message(F.text == "boom")
        async def boom(message: Message) -> None:
            raise RuntimeError("handler exploded")

        @dp.message(F.photo)
        async def photo(message: Message, bot: Bot) -> None:
            assert message.photo is not None
            file = await bot.get_file(message.photo[-1].file_id)
            assert file.file_path is not None
            data = await bot.download_file(file.file_path)
            assert data is not None
            await message.answer_photo(
                BufferedInputFile(data.read(), filename="echo.jpg"), caption=f"{len(message.photo)} ukuran"
            )

        with pytest.raises(AssertionError, match="handler exploded"):
            async with tg.polling(dp):
                tg.send_photo(USER, caption="produk")
                sent = await tg.wait_for("sendPhoto")
                tg.send_text(USER, "boom")
                with pytest.raises(TimeoutError, match="handler exploded"):
                    await tg.wait_for("sendMessage", timeout=0.5)

        (message,) = tg.messages_to(USER)
        assert message["caption"] == "4 ukuran"
        assert isinstance(sent.params["photo"].content, bytes)
        new_file_id = message["photo"][-1]["file_id"]
        assert tg.file_content(new_file_id) == sent.params["photo"].content


async def test_get_updates_long_poll_offset_limit_timeout() -> None:
    async with FakeTelegramAPI() as tg:
        bot = make_bot(tg)
        try:
            assert await bot.get_updates(timeout=0) == []
            assert await bot.get_updates(timeout=1) == []
            assert tg.poll_endings == ["empty", "timeout"]  # the second was held open until its timeout

            poll = asyncio.create_task(bot.get_updates(timeout=30))
            await tg.wait_for_parked_poll()
            tg.send_text(USER, "satu")
            (first,) = await poll
            assert tg.poll_endings[-1] == "woken"  # answered by the queued update, not by the timeout
            assert first.message is not None and first.message.text == "satu"

            second_id = tg.send_text(USER, "dua")
            third_id = tg.send_sticker(USER)
            # without confirming, the same updates come back; limit caps the batch
            again = await bot.get_updates(limit=2)
            assert [u.update_id for u in again] == [first.update_id, second_id]
            rest = await bot.get_updates(offset=second_id + 1)
            assert [u.update_id for u in rest] == [third_id]
            assert rest[0].message is not None and rest[0].message.sticker is not None
            assert await bot.get_updates(offset=third_id + 1) == []
            assert tg.pending_updates == []
        finally:
            await bot.session.close()


async def test_fail_next_429_raises_retry_after_then_recovers() -> None:
    async with FakeTelegramAPI() as tg:
        bot = make_bot(tg)
        try:
            tg.fail_next("sendMessage")
            with pytest.raises(TelegramRetryAfter) as excinfo:
                await bot.send_message(USER, "halo")
            assert excinfo.value.retry_after == 1
            sent = await bot.send_message(USER, "halo")
            assert sent.message_id == 1 and sent.text == "halo"

            tg.fail_next("sendMessage", chat_id=2002, error_code=400, description="Bad Request: chat not found")
            await bot.send_message(USER, "masih bisa")  # other chat: unaffected
            with pytest.raises(TelegramBadRequest, match="chat not found"):
                await bot.send_message(2002, "x")
        finally:
            await bot.session.close()
    assert [(m, e["error_code"]) for m, _, e in tg.failures] == [("sendMessage", 429), ("sendMessage", 400)]
    assert tg.failures[0][2] == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert tg.texts_to(USER) == ["halo", "masih bisa"]


async def test_block_user_raises_forbidden() -> None:
    async with FakeTelegramAPI() as tg:
        bot = make_bot(tg)
        try:
            await bot.send_message(USER, "sebelum")
            tg.block_user(USER)
            with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
                await bot.send_message(USER, "sesudah")
            with pytest.raises(TelegramForbiddenError):
                await bot.send_chat_action(USER, "typing")
            await bot.send_message(3003, "orang lain")
            tg.unblock_user(USER)
            await bot.send_message(USER, "lagi")
        finally:
            await bot.session.close()
    assert tg.texts_to(USER) == ["sebelum", "lagi"]


async def test_duplicate_update_is_delivered_twice_with_same_id() -> None:
    seen: list[int] = []
    async with FakeTelegramAPI() as tg:
        dp = make_dispatcher(seen)
        async with tg.polling(dp):
            update_id = tg.send_text(USER, "pesan")
            await tg.wait_for("sendMessage")
            tg.duplicate(update_id)  # after the original was confirmed by the offset
            await tg.wait_for("sendMessage")
            tg.send_text(USER, "baru")
            await tg.wait_for("sendMessage")
    assert seen == [update_id, update_id, update_id + 1]


async def test_edits_validation_and_commands() -> None:
    async with FakeTelegramAPI() as tg:
        bot = make_bot(tg, default=DefaultBotProperties(parse_mode="HTML"))
        try:
            msg = await bot.send_message(USER, "Harga <b>Rp15.000</b> &amp; ongkir", reply_markup=confirm_keyboard())
            assert msg.text == "Harga Rp15.000 & ongkir"
            assert msg.entities is not None and msg.entities[0].type == "bold"
            assert msg.html_text == "Harga <b>Rp15.000</b> &amp; ongkir"
            with pytest.raises(TelegramBadRequest, match="not modified"):
                await bot.edit_message_text(
                    "Harga <b>Rp15.000</b> &amp; ongkir",
                    chat_id=USER,
                    message_id=msg.message_id,
                    reply_markup=confirm_keyboard(),
                )
            with pytest.raises(TelegramBadRequest, match="can't parse entities"):
                await bot.send_message(USER, "Keripik <pedas> level 5")
            with pytest.raises(TelegramBadRequest, match="reserved"):
                await bot.send_message(USER, "Rp15.000", parse_mode="MarkdownV2")
            with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
                markup = InlineKeyboardMarkup(
                    inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]]
                )
                await bot.send_message(USER, "x", reply_markup=markup)
            with pytest.raises(TelegramBadRequest, match="message to edit not found"):
                await bot.edit_message_text("x", chat_id=USER, message_id=999)

            md = await bot.send_message(USER, r"*Total:* Rp15\.000", parse_mode="MarkdownV2")
            assert md.text == "Total: Rp15.000"

            await bot.set_my_commands(
                [BotCommand(command="start", description="Mulai"), BotCommand(command="cari", description="Cari")]
            )
            assert [c.command for c in await bot.get_my_commands()] == ["start", "cari"]
            await bot.delete_my_commands()
            assert tg.commands() == []
            await bot.delete_message(USER, md.message_id)
            with pytest.raises(TelegramBadRequest, match="message to delete not found"):
                await bot.delete_message(USER, md.message_id)
            me = await bot.get_me()
            assert (me.id, me.username, me.is_bot) == (BOT_ID, BOT_USERNAME, True)
        finally:
            await bot.session.close()
    assert tg.texts_to(USER) == ["Harga Rp15.000 & ongkir"]
    assert tg.calls_of("setMyCommands")[0]["commands"][0] == {"command": "start", "description": "Mulai"}


async def test_wait_for_timeout_lists_calls() -> None:
    async with FakeTelegramAPI() as tg:
        bot = make_bot(tg)
        try:
            await bot.send_message(USER, "satu")
            first = await tg.wait_for("sendMessage")
            with pytest.raises(TimeoutError, match=r"(?s)waiting for sendMessage.*sendMessage\(chat_id=1001"):
                await tg.wait_for("sendMessage", timeout=0.2)  # the first one was consumed
            waiter = asyncio.create_task(tg.wait_for(lambda m, p: p.get("text") == "dua"))
            await bot.send_message(USER, "dua")
            assert (await waiter).params["text"] == "dua"
            waiter = asyncio.create_task(tg.wait_for(lambda call: call.params.get("text") == "tiga"))
            await bot.send_message(USER, "tiga")
            assert (await waiter).method == "sendMessage"
            assert first.params == {"chat_id": USER, "text": "satu"}
        finally:
            await bot.session.close()


async def test_webhook_conflict_and_post_webhook_secret() -> None:
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

    async with FakeTelegramAPI() as tg:
        bot = make_bot(tg)
        dp = Dispatcher()
        got: list[int] = []

        @dp.message()
        async def on_message(message: Message, event_update: Update) -> None:
            got.append(event_update.update_id)

        app = web.Application()
        SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token="s3cret").register(app, path="/tg")
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/tg"
        try:
            await bot.set_webhook("https://bot.example.id/tg", secret_token="s3cret")
            with pytest.raises(TelegramConflictError, match="webhook is active"):
                await bot.get_updates()
            assert (await bot.get_webhook_info()).url == "https://bot.example.id/tg"
            with pytest.raises(TelegramBadRequest, match="HTTPS"):
                await bot.set_webhook("http://127.0.0.1:8080/tg")

            update_id = tg.send_text(USER, "lewat webhook", queue=False)
            assert await tg.post_webhook(url, update_id) == 401
            assert await tg.post_webhook(url, update_id, secret="s3cret") == 200
            assert await tg.post_webhook(url, update_id, secret="s3cret") == 200  # a retry
            await bot.delete_webhook(drop_pending_updates=True)
            assert await bot.get_updates() == []
        finally:
            await runner.cleanup()
            await bot.session.close()
    assert got == [update_id, update_id]


async def test_raw_http_form_and_json_bodies() -> None:
    async with FakeTelegramAPI() as tg, ClientSession() as http:
        base = f"{tg.base_url}/bot42:TEST"
        async with http.get(f"{base}/getMe") as resp:
            assert (await resp.json())["result"]["id"] == BOT_ID
        async with http.post(f"{base}/sendMessage", json={"chat_id": USER, "text": "42"}) as resp:
            assert (await resp.json())["result"]["text"] == "42"
        async with http.post(f"{base}/sendMessage", data={"chat_id": str(USER), "text": "[1]"}) as resp:
            assert (await resp.json())["result"]["text"] == "[1]"  # text is never JSON-decoded
        async with http.post(f"{base}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert tg.texts_to(USER) == ["42", "[1]"]
