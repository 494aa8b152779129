"""The Telegram channel end to end: aiogram's real polling loop, over HTTP, against the local fake Bot API.

Every test runs `ChannelServer` (what `banggabeli run` runs) on the test database, with the fake as
TELEGRAM_API_SERVER, and talks to it the way a phone would: texts, button taps, photos, contacts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import event, func, select

from bot.app import App
from bot.channels.runner import ChannelServer
from bot.channels.telegram.guards import FloodGuard
from bot.channels.telegram.render import LABEL_LIMIT
from bot.core import actions
from bot.core.i18n import Translator
from bot.core.messages import Channel, Choice, Inbound, Reply
from bot.core.registry import Flow
from models import Identity, InboxUpdate, Product, Vendor
from tests.fakes.telegram_api import DEFAULT_PHOTO_FILE_ID, FakeTelegramAPI
from tests.support import PROFILE_ANSWERS, USER, Chat, add_product, phone, register_business, running, t, t_en

SENT = ("sendMessage", "sendPhoto", "editMessageText", "editMessageCaption")


class CoreChat(Chat):
    """A Telegram identity driven through the core directly, without update ids (the fake assigns those)."""

    def _inbound(self, **kw: object) -> Inbound:
        return dataclasses.replace(super()._inbound(**kw), update_id=None)


async def onboarded(app: App, user: int = USER, role: str = "Pelaku usaha") -> Chat:
    """A Telegram user who already went through /start (set up through the core, to keep tests short)."""
    chat = CoreChat(app.dispatcher, str(user), channel=Channel.TELEGRAM)
    await chat.say("/start")
    for label in ("Bahasa Indonesia", role, "Setuju"):
        await chat.press(label)
    return chat


async def test_start_in_indonesian_with_commands_and_menu_keyboard(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        user = phone(server, tg)
        texts = await user.send("/start")
    assert texts[0].startswith("Selamat datang di Bangga Beli Bot")
    assert texts[-1] == "Pilih bahasa / Choose a language:"
    greeting, question = tg.messages_to(USER)
    assert greeting["reply_markup"] == {
        "keyboard": [[{"text": "Menu"}, {"text": "Bantuan"}]],
        "is_persistent": True,
        "resize_keyboard": True,
    }
    assert [b["text"] for b in question["reply_markup"]["inline_keyboard"][0]] == ["Bahasa Indonesia", "English"]
    assert {c["parse_mode"] for c in tg.calls_of("sendMessage")} == {"HTML"}
    indonesian = {c["command"]: c["description"] for c in tg.commands()}
    english = {c["command"]: c["description"] for c in tg.commands(language_code="en")}
    assert indonesian["start"] == "Mulai dan perkenalan" and indonesian["cari"].startswith("Cari produk")
    assert english["search"].startswith("Find products") and english["help"] == "Help and how to use"
    assert "bantuan" in indonesian and "daftar" in english
    assert tg.calls_of("deleteWebhook")  # polling clears any webhook left from a webhook deployment


async def test_button_press_is_answered_and_routed(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        user = phone(server, tg)
        await user.send("/start")
        texts = await user.tap("Bahasa Indonesia")
        assert texts == ["Bapak/Ibu sebagai apa?"]
        assert user.buttons() == ["Pelaku usaha (UMKM/IKM)", "Staf OPD (pembeli pemerintah)", "Lihat-lihat produk"]
        [answer] = tg.calls_of("answerCallbackQuery")
        assert answer["callback_query_id"] and "text" not in answer
        await user.tap("Lihat-lihat produk")
        texts = await user.tap("Setuju")
        assert any("Siap!" in t for t in texts)
        texts = await user.tap("Bahasa Indonesia", message_id=tg.messages_to(USER)[1]["message_id"])  # stale
        assert texts[0].startswith("Tombol itu dari pesan lama dan sudah tidak berlaku.")
        assert len(texts) == 1  # the menu that follows rides in the same message
        assert len(tg.calls_of("answerCallbackQuery")) == 4  # every press answered, stale ones too
        texts = await user.tap("Menu")  # the persistent keyboard types a word the bot knows
        assert texts == ["Apa yang ingin Bapak/Ibu lakukan? Pilih salah satu:"]


async def test_vendor_registers_business_and_product_with_photo(app: App, tg: FakeTelegramAPI) -> None:
    await onboarded(app)
    async with running(app, tg) as server:
        user = phone(server, tg)
        texts = await user.send("daftar usaha")
        assert "Apa nama usaha" in texts[-1]
        await user.send(PROFILE_ANSWERS[0])
        await user.send(PROFILE_ANSWERS[1])
        asking_phone = tg.last_message_to(USER)
        assert "<b>Kirim nomor saya</b>" not in asking_phone["text"]  # rendered as bold, not raw tags
        assert {"offset": asking_phone["text"].index("Kirim nomor saya"), "length": 16, "type": "bold"} in (
            asking_phone["entities"]
        )
        keyboard = asking_phone["reply_markup"]
        assert keyboard["one_time_keyboard"] is True
        assert keyboard["keyboard"][0] == [{"text": "📱 Kirim nomor saya", "request_contact": True}]
        texts = await user.tap("📱 Kirim nomor saya", phone_number="6281234567890")
        assert "kecamatan" in texts[-1].lower()
        for answer in PROFILE_ANSWERS[3:]:
            await user.send(answer)
        await user.tap("Semua yang mencari")
        assert t("form.summary_line", label=t("vendor.label_phone"), value="0812-3456-7890") in tg.texts_to(USER)[-1]
        texts = await user.tap("Simpan")
        assert any("sudah terdaftar" in t for t in texts)

        await user.send("tambah produk")
        await user.send("Keripik Pisang Cokelat Lumer")
        await user.tap("Makanan & Minuman")
        for answer in ("Keripik pisang kepok lapis cokelat.", "Rp15.000", "bungkus", "20", "500"):
            await user.send(answer)
        assert "foto" in tg.texts_to(USER)[-1].lower()  # no TKDN % question: the vendor has no certificate
        await user.photo()
        summary = tg.last_message_to(USER)
        assert summary["photo"][-1]["file_id"] == DEFAULT_PHOTO_FILE_ID  # the summary shows the photo
        assert "Mohon periksa data berikut" in summary["caption"]
        texts = await user.tap("Simpan")
        assert any("sudah tersimpan" in t for t in texts)
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor))
        product = await session.scalar(select(Product))
    assert vendor is not None and vendor.phone == "+6281234567890" and vendor.business_name == PROFILE_ANSWERS[0]
    assert product is not None and product.photo_ref == f"telegram:{DEFAULT_PHOTO_FILE_ID}"
    assert not tg.failures


async def seed_vendor(app: App, external_id: str, products: list[str]) -> None:
    """A vendor with products, registered through the core (another channel than the tested user's)."""
    chat = Chat(app.dispatcher, external_id)
    await chat.say("halo")
    for label in ("Bahasa Indonesia", "Pelaku usaha", "Setuju"):
        await chat.press(label)
    await register_business(chat)
    for name in products:
        await add_product(chat, name, "15rb")


async def test_search_pages_by_editing_the_message(app: App, tg: FakeTelegramAPI) -> None:
    await seed_vendor(app, "sari", [f"Keripik Pisang Rasa {i}" for i in range(7)])
    await onboarded(app, role="Staf OPD")
    async with running(app, tg) as server:
        user = phone(server, tg)
        [results] = await user.send("cari keripik")
        assert "Hasil untuk keripik (1-5 dari 7)" in results
        assert "Lainnya »" in user.buttons()
        results_id = tg.last_message_to(USER)["message_id"]
        count = len(tg.messages_to(USER))
        assert await user.tap("Lainnya »") == []  # nothing new: the same message changed
        edited = tg.last_message_to(USER)
        assert edited["message_id"] == results_id and len(tg.messages_to(USER)) == count
        assert "(6-7 dari 7)" in edited["text"] and "edit_date" in edited
        assert "« Sebelumnya" in user.buttons() and "Lainnya »" not in user.buttons()
        [edit] = tg.calls_of("editMessageText")
        assert edit["message_id"] == results_id and edit["parse_mode"] == "HTML"
        await user.tap("« Sebelumnya")
        assert "(1-5 dari 7)" in tg.last_message_to(USER)["text"]
        assert len(tg.messages_to(USER)) == count


async def test_my_products_page_by_editing_the_message(app: App, tg: FakeTelegramAPI) -> None:
    chat = await onboarded(app)
    await register_business(chat)
    for i in range(6):
        await add_product(chat, f"Kue Basah {i}", "2rb", "pcs")
    async with running(app, tg) as server:
        user = phone(server, tg)
        await user.send("produk saya")
        listing = tg.last_message_to(USER)
        assert "(1-5 dari 6)" in listing["text"]
        next_page = user.payload("Berikutnya »")
        assert await user.tap("Berikutnya »") == []
        assert tg.last_message_to(USER)["message_id"] == listing["message_id"]
        assert "(6-6 dari 6)" in tg.last_message_to(USER)["text"]
        # The old button pressed again (two quick taps): Telegram says "message is not modified", which is
        # not an error, and no new message appears.
        mid = listing["message_id"]
        assert await user._after(lambda: tg.press_button(USER, next_page, message_id=mid, strict=False)) == []
        [(method, _params, error)] = tg.failures
        assert method == "editMessageText" and "not modified" in error["description"]
        assert len(tg.messages_to(USER)) == 1


async def test_contact_sharing(app: App, tg: FakeTelegramAPI) -> None:
    await onboarded(app)
    async with running(app, tg) as server:
        user = phone(server, tg)
        texts = await user._after(lambda: tg.share_contact(USER, "6281234567890"))
        assert texts[0].startswith("Terima kasih. Nomor ini saya catat untuk akun ini")  # kept: it may join accounts
        texts = await user._after(lambda: tg.share_contact(USER, "6289999999999", first_name="Budi", own=False))
        assert texts[0].startswith("Maaf, saya belum bisa membaca")  # someone else's card is not an answer
        texts = await user._after(lambda: tg.send_sticker(USER))
        assert texts[0].startswith("Maaf, saya belum bisa membaca stiker")


async def test_a_duplicated_update_is_handled_once(app: App, tg: FakeTelegramAPI) -> None:
    ids: list[int] = []
    async with running(app, tg) as server:
        user = phone(server, tg)
        await user.send("/start")
        assert await user._after(lambda: ids.append(tg.tap(USER, "Bahasa Indonesia"))) == ["Bapak/Ibu sebagai apa?"]
        assert await user._after(lambda: ids.append(tg.send_text(USER, "Lihat-lihat produk"))) != []
        shown = len(tg.messages_to(USER))
        for update_id in ids:
            assert await user._after(functools.partial(tg.duplicate, update_id)) == []  # caught in memory
        assert len(tg.calls_of("answerCallbackQuery")) == 1
    async with running(app, tg) as server:  # a restart forgets the memory; the database remembers
        user = phone(server, tg)
        for update_id in ids:
            assert await user._after(functools.partial(tg.duplicate, update_id)) == []
    assert len(tg.messages_to(USER)) == shown


async def test_a_blocked_user_is_marked_unreachable(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        user = phone(server, tg)
        await user.send("/start")
        tg.block_user(USER)
        await user.send("halo")
        [(method, _params, error)] = tg.failures
        assert (method, error["error_code"]) == ("sendMessage", 403)  # no retry, no apology to a wall
        assert not await reachable(app)
        tg.unblock_user(USER)
        await user.send("halo")  # writing again makes the user reachable again
        assert await reachable(app)
        await user._after(lambda: tg.block_user(USER, notify=True))  # Telegram's my_chat_member "kicked"
        assert not await reachable(app)


async def reachable(app: App) -> bool:
    async with app.sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.external_id == str(USER)))
    assert identity is not None
    return identity.reachable


async def test_flood_control_429_is_retried_after_retry_after(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        waits = record_waits(server, tg)
        user = phone(server, tg)
        tg.fail_next("sendMessage", retry_after=3)
        texts = await user.send("/start")
    assert texts[0].startswith("Selamat datang") and len(texts) == 2
    assert waits == [(3, 1)]  # waited what Telegram said, after the refusal and before the retry
    [(method, _params, error)] = tg.failures
    assert (method, error["error_code"], error["parameters"]) == ("sendMessage", 429, {"retry_after": 3})


def record_waits(server: ChannelServer, tg: FakeTelegramAPI) -> list[tuple[float, int]]:
    """The sender's waits before retries, each with how many calls the fake had refused by then."""
    assert server.telegram is not None
    waits: list[tuple[float, int]] = []

    async def sleep(seconds: float) -> None:
        waits.append((seconds, len(tg.failures)))
        await asyncio.sleep(0)

    server.telegram.sender.sleep = sleep
    return waits


async def test_network_errors_are_retried_with_backoff(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        waits = record_waits(server, tg)
        user = phone(server, tg)
        tg.fail_next("sendMessage", error_code=502, times=2)
        texts = await user.send("/start")
    assert texts[0].startswith("Selamat datang") and len(tg.failures) == 2
    assert waits == [(0.5, 1), (1.0, 2)]  # exponential backoff, each wait after a refusal


async def test_a_flooding_user_is_throttled_politely(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        assert server.telegram is not None
        server.telegram.flood = FloodGuard(burst=4, per_second=0.01)
        user = phone(server, tg)
        texts = await user._after(lambda: [tg.send_text(USER, f"pesan {i}") for i in range(12)])
    notices = [t for t in texts if t.startswith("Mohon maaf, pesan Bapak/Ibu masuk terlalu cepat")]
    assert len(notices) == 1
    assert len(texts) < 12


async def test_an_error_while_answering_is_logged_and_apologised(
    app: App, tg: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(app, tg) as server:
        user = phone(server, tg)
        tg.fail_next("sendMessage", error_code=400, description="Bad Request: something unexpected")
        with caplog.at_level(logging.ERROR, logger="bot.channels.telegram.channel"):
            texts = await user.send("/start")
    assert texts == [
        "Maaf, ada gangguan di sistem kami dan pesan terakhir Bapak/Ibu belum terproses. Mohon kirim lagi "
        "sebentar lagi, atau ketik menu."
    ]
    [record] = [r for r in caplog.records if r.name == "bot.channels.telegram.channel"]
    assert "reply to telegram chat 1001 was refused" in record.getMessage() and record.exc_info is not None


async def test_the_apology_is_in_the_language_the_user_chose(app: App, tg: FakeTelegramAPI) -> None:
    en = Translator("en")
    chat = CoreChat(app.dispatcher, str(USER), channel=Channel.TELEGRAM)  # Telegram client set to Indonesian
    await chat.say("/start")
    for label in ("English", en("start.role_buyer"), en("start.btn_agree")):
        await chat.press(label)
    async with running(app, tg) as server:
        user = phone(server, tg)
        tg.fail_next("sendMessage", error_code=400, description="Bad Request: something unexpected")
        texts = await user.send("menu")
    assert texts == [en("error.internal").replace("*", "")]  # bold markers become an entity


async def test_default_language_setting_drives_the_channels_own_words(app: App, tg: FakeTelegramAPI) -> None:
    en, id_ = Translator("en"), Translator("id")
    app.settings.bot.default_language = "en"
    async with running(app, tg) as server:
        assert server.telegram is not None
        server.telegram.flood = FloodGuard(burst=1, per_second=0.01)
        user = phone(server, tg)
        # A client that reports no language: the flood notice follows DEFAULT_LANGUAGE.
        texts = await user._after(lambda: [tg.send_text(USER, f"hello {i}", language_code="") for i in range(3)])
    assert en("telegram.slow_down") in texts and id_("telegram.slow_down") not in texts
    everyone = {c["command"]: c["description"] for c in tg.commands()}
    indonesian = {c["command"]: c["description"] for c in tg.commands(language_code="id")}
    assert everyone["search"] == en("telegram.cmd_search") and "cari" not in everyone
    assert indonesian["cari"] == id_("telegram.cmd_search")
    assert tg.commands(language_code="en") == []  # English is the default list now


async def test_a_cut_reply_keyboard_label_reaches_the_core_in_full(app: App, tg: FakeTelegramAPI) -> None:
    long_label = "Lewati dulu, saya belum punya nomor WhatsApp usaha yang bisa dihubungi oleh pembeli"
    picked: list[str] = []

    async def ask(_ctx: object, _argument: str) -> list[Reply]:
        skip = Choice(long_label, actions.encode("asknum", "skip"))
        return [Reply("Nomor?", (skip,), request_contact=True, free_text=True)]

    async def on_action(_ctx: object, action: actions.Action) -> list[Reply]:
        picked.append(action.verb)
        return [Reply("ok")]

    app.dispatcher.registry.add(Flow(name="asknum", start=ask, keywords=("nomor panjang",), on_action=on_action))
    await onboarded(app)
    async with running(app, tg) as server:
        user = phone(server, tg)
        await user.send("nomor panjang")
        shown = tg.last_message_to(USER)["reply_markup"]["keyboard"][1][0]["text"]
        assert shown.endswith("…") and len(shown) <= LABEL_LIMIT and shown != long_label
        assert await user.tap(shown) == ["ok"]
    assert picked == ["skip"]


async def test_a_429_pauses_every_send_of_the_bot(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        assert server.telegram is not None
        sender = server.telegram.sender
        release = asyncio.Event()
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            await release.wait()

        sender.sleep = sleep
        tg.fail_next("sendMessage", retry_after=2, chat_id=USER)
        first = asyncio.create_task(sender.send(SendMessage(chat_id=USER, text="satu"), USER))
        await tg.wait_for("sendMessage", include_failed=True)  # refused: the bot now waits
        async with asyncio.timeout(5):
            while not waits:  # noqa: ASYNC110 - until the sender has taken in the refusal
                await asyncio.sleep(0.005)
        other = asyncio.create_task(sender.send(SendMessage(chat_id=USER + 1, text="dua"), USER + 1))
        for _ in range(20):
            await asyncio.sleep(0)
        assert not other.done() and tg.calls_of("sendMessage") == []  # another chat waits for the pause too
        release.set()
        await asyncio.gather(first, other)
    assert waits == [2] and sender.pauses == 1
    assert sorted(c["text"] for c in tg.calls_of("sendMessage")) == ["dua", "satu"]


async def test_one_reply_one_message_and_keyboard_follows_language(app: App, tg: FakeTelegramAPI) -> None:
    await onboarded(app)
    async with running(app, tg) as server:
        user = phone(server, tg)
        first = await user.send("bantuan")  # after a restart the first plain message carries the menu keyboard
        assert len(first) == 2
        texts = await user.send("bantuan")  # then the help text and the menu after it are one message
        assert len(texts) == 1 and texts[0].startswith(t("help.intro"))
        assert t("menu.help") in user.buttons()  # the menu's buttons ride on the help message
        await user.send("bahasa")
        await user.tap("English")
        keyboards = [m["reply_markup"] for m in tg.messages_to(USER) if "keyboard" in (m.get("reply_markup") or {})]
        assert keyboards[-1]["keyboard"] == [[{"text": t_en("telegram.btn_menu")}, {"text": t_en("telegram.btn_help")}]]


async def test_a_polled_batch_is_stored_in_one_insert_each_update_once_in_order(app: App, tg: FakeTelegramAPI) -> None:
    inserts: list[int] = []

    def count_inbox_inserts(_conn: object, _cursor: object, statement: str, params: object, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INBOX"):
            inserts.append(len(params) if isinstance(params, list) else 1)

    users = (USER, USER + 1, USER + 2)
    event.listen(app.engine.sync_engine, "before_cursor_execute", count_inbox_inserts)
    try:
        async with running(app, tg) as server:
            # Queued together: one getUpdates answer brings them all, the same update twice among them.
            sent = [tg.send_text(user, text) for text in ("/start", "bantuan") for user in users]
            tg.duplicate(sent[0])
            await phone(server, tg).settle()
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", count_inbox_inserts)
    assert len(inserts) == 1  # the whole batch in one statement
    async with app.sessions() as session:
        rows = (await session.execute(select(InboxUpdate.chat, InboxUpdate.update_key).order_by(InboxUpdate.id))).all()
    # Each update stored once, in the order Telegram sent them (so each chat's own order holds).
    assert [(chat, key) for chat, key in rows] == [(str(user), str(n)) for n, user in zip(sent, users * 2, strict=True)]
    for user in users:
        assert tg.texts_to(user)  # every chat was answered


async def test_a_batch_that_could_not_be_stored_is_polled_again(
    app: App, tg: FakeTelegramAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(app, tg) as server:
        assert server.telegram is not None
        intake = server.telegram.intake
        store = intake.accept_many
        failures: list[int] = []

        async def down_once(updates: object) -> list[bool]:
            if not failures:
                failures.append(1)
                raise OSError("database is down")
            return await store(updates)  # type: ignore[arg-type]

        monkeypatch.setattr(intake, "accept_many", down_once)
        server.telegram.store_attempts = 1  # give up at once: the batch is not confirmed
        user = phone(server, tg)
        assert await user.send("/start") != []  # answered after Telegram delivered it again
    assert failures == [1]
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 1
