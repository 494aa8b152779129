"""Pictures on WhatsApp: downloaded through the media URL (fake Graph API), kept in the database like a Telegram
file id (a ref the product keeps), shown again by upload; an expired or too large picture gets a friendly answer
and loses nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.core.messages import Channel
from bot.services import media
from models import Media, Product
from tests.fakes.graph_api import FakeGraphAPI, Sent
from tests.fakes.graph_api import message as wa_message
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support import (
    USER,
    Chat,
    WhatsAppUser,
    add_product,
    phone,
    register_business,
    running,
    running_whatsapp,
    t,
    whatsapp_vendor,
)

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64 + b"\xff\xd9"


async def _picture(user: WhatsAppUser, media_id: str, caption: str = "") -> list[Sent]:
    document: dict[str, Any] = wa_message("image", user_id=user.user_id, wa_id=user.wa_id)
    image = document["entry"][0]["changes"][0]["value"]["messages"][0]["image"]
    image["id"], image["caption"] = media_id, caption
    return await user._after(document)


async def _vendor_at_the_photo_step(user: WhatsAppUser) -> None:
    await whatsapp_vendor(user)
    for answer in ("tambah produk", "Keripik Pisang Cokelat", "1", "lewati", "Rp15.000"):
        await user.say(answer)
    await user.press("bungkus")
    await user.say("lewati")
    said = await user.say("lewati")
    assert any(t("product.ask_photo") in s.text for s in said)


async def test_a_picture_is_downloaded_kept_and_shown_again(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    graph.add_media("5550001", JPEG)
    graph.add_media("5550002", b"\x89PNG" + b"0" * 64, "image/png", announced=6 * 1024 * 1024)
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        await _vendor_at_the_photo_step(user)

        said = await _picture(user, "5550404")  # expired or unknown at Meta: 404
        assert any(t("whatsapp.photo_unavailable") in s.text for s in said)
        said = await _picture(user, "5550002")  # announces more than 5 MB: refused before reading it
        assert any(t("whatsapp.photo_too_large") in s.text for s in said)
        assert await _count_media(sessions) == 0

        said = await _picture(user, "5550001")  # the form still waited for the photo: nothing was lost
        images = [s for s in said if s.type == "image"]
        assert len(images) == 1 and images[0].body["image"]["id"] in graph.uploads
        assert graph.media[images[0].body["image"]["id"]][0] == JPEG  # the summary shows the kept picture
        said = await user.press(t("form.btn_save"))
        assert any(t("product.saved", name="Keripik Pisang Cokelat") in s.text for s in said)

        async with sessions() as session:
            product = await session.scalar(select(Product))
            assert product is not None and product.photo_channel == "whatsapp"
            assert product.photo_ref is not None and product.photo_ref.startswith("media:")
            kept = await session.get_one(Media, int(product.photo_ref.split(":")[1]))
            assert kept.data == JPEG and kept.content_type == "image/jpeg" and kept.whatsapp_media_id

        # Shown again later (after Meta's copy expired): the same upload, not a second one.
        del graph.media["5550001"]
        await user.say("produk saya")
        said = await user.press("Keripik Pisang Cokelat")
        images = [s for s in said if s.type == "image"]
        assert len(images) == 1 and images[0].body["image"]["id"] == kept.whatsapp_media_id
        assert len(graph.uploads) == 1

        # "hapus data saya": the business, its products and the pictures the bot kept of them go.
        await user.say("hapus data saya")
        await user.press(t("data.btn_delete_yes"))
        assert await _count_media(sessions) == 0


async def _count_media(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return len(list(await session.scalars(select(Media.id))))


async def test_a_picture_outside_a_form_and_one_bigger_than_announced(app: App, graph: FakeGraphAPI) -> None:
    graph.add_media("5550003", JPEG + b"0" * (5 * 1024 * 1024), announced=1000)  # lies about its size
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        await user.say("halo")
        await user.press("Bahasa Indonesia")
        await user.press("Lihat-lihat")
        await user.press(t("start.btn_agree"))
        said = await _picture(user, "5550003", caption="ini fotonya")
        assert any(t("whatsapp.photo_too_large") in s.text for s in said)
        said = await _picture(user, "5550404")
        assert any(t("whatsapp.photo_unavailable") in s.text for s in said)


async def test_a_kept_picture_is_uploaded_when_shown_on_telegram(
    app: App, tg: FakeTelegramAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        ref = await media.store(session, JPEG, "image/jpeg")  # as a WhatsApp picture is kept
    chat = Chat(app.dispatcher, str(USER), channel=Channel.TELEGRAM)
    await chat.say("/start")
    for label in ("Bahasa Indonesia", "Pelaku usaha", t("start.btn_agree")):
        await chat.press(label)
    await register_business(chat)
    await add_product(chat, "Keripik Pisang Cokelat", "Rp15.000", photo=ref)
    async with running(app, tg) as server:
        user = phone(server, tg)
        await user.send("produk saya")
        await user.tap("Keripik Pisang Cokelat — Rp15.000/bungkus")
    [photo] = tg.calls_of("sendPhoto")
    assert photo["photo"].content == JPEG  # uploaded: not a Telegram file id
