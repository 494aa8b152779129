"""What is not a search never reaches the catalog: chats, a bare yes, questions about the bot, a vendor's
request in free words and unknown commands get a short answer or the right flow, and are not logged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.services import intent
from bot.services.intent import read_intent
from models import Product, SearchLog
from tests.support import add_product, onboard, register_business, t


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("p", intent.CHAT),
        ("👍", intent.YES_NO),
        ("🙏", intent.CHAT),
        ("wkwkwk", intent.CHAT),
        ("makasih", intent.THANKS),
        ("makasih banyak pak 🙏", intent.THANKS),
        ("terima kasih bu", intent.THANKS),
        ("iya", intent.YES_NO),
        ("ya pak", intent.YES_NO),
        ("gimana caranya lihat nomor hp penjual?", intent.HOWTO),
        ("ganti harga jadi 17rb", intent.EDIT_PRICE),
        ("mau daftar jualan keripik", intent.REGISTER),
        ("/admin", intent.COMMAND),
        ("keripik pisang", intent.SEARCH),
        ("cara pasang kanopi", intent.SEARCH),
        ("jasa pasang kanopi", intent.SEARCH),
        ("siapa yang jual batik tapis?", intent.SEARCH),
        ("mau pesan 100 nasi kotak", intent.SEARCH),
        ("p3k kit", intent.SEARCH),
    ],
)
def test_read_intent(text: str, kind: str) -> None:
    assert read_intent(text).kind == kind


def test_price_change_reads_the_amount_and_the_product() -> None:
    found = read_intent("tolong ubah harga keripik pedas jadi Rp17.000")
    assert (found.kind, found.price, found.rest) == (intent.EDIT_PRICE, 17000, "keripik pedas")


async def _logged(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(SearchLog)) or 0


async def test_chit_chat_is_answered_and_not_logged(app: App, sessions: async_sessionmaker[AsyncSession]) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    for text in ("p", "wkwk", "🙏"):
        await chat.say(text)
        assert chat.said("intent.chat"), text
        assert t("find.btn_record_need") not in chat.labels()
    await chat.say("makasih")
    assert chat.said("find.thanks")
    assert await _logged(sessions) == 0


async def test_bare_yes_out_of_context(app: App, sessions: async_sessionmaker[AsyncSession]) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    for text in ("iya", "ya", "👍"):
        await chat.say(text)
        assert chat.said("intent.bare_yes"), text
    assert await _logged(sessions) == 0


async def test_how_to_question(app: App, sessions: async_sessionmaker[AsyncSession]) -> None:
    chat = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await chat.say("gimana caranya lihat nomor hp penjual?")
    assert chat.said("intent.howto_contact")
    await chat.say("bagaimana cara mencari produk di bot ini?")
    assert chat.said("intent.howto_search")
    assert await _logged(sessions) == 0


async def test_unknown_command(app: App, sessions: async_sessionmaker[AsyncSession]) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("/admin")
    assert chat.said("intent.unknown_command", command="/admin")
    assert chat.said("menu.title_short")
    assert await _logged(sessions) == 0


async def test_register_in_free_words_opens_the_registration(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("mau daftar jualan keripik")
    assert chat.said("vendor.intro") or "usaha" in chat.text.casefold()
    assert not chat.said("find.none", query="mau daftar jualan keripik")


async def test_vendor_changes_a_price_in_free_words(app: App, sessions: async_sessionmaker[AsyncSession]) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await add_product(chat, "Keripik Pisang Pedas", "15000")
    await chat.say("ganti harga jadi 17rb")  # one product: no need to ask which
    assert chat.said("product.edit_intro", name="Keripik Pisang Pedas")
    assert "Rp17.000" in chat.text
    await chat.press(t("form.btn_save"))
    async with sessions() as session:
        assert await session.scalar(select(Product.price).where(Product.name == "Keripik Pisang Pedas")) == 17000
    await add_product(chat, "Keripik Singkong Balado", "12000")
    await chat.say("ubah harga keripik jadi 20rb")  # both are keripik: which one?
    assert chat.said("intent.price_which")
    assert set(chat.labels()) == {"Keripik Pisang Pedas", "Keripik Singkong Balado"}
    await chat.say("ubah harga singkong jadi 13rb")  # the name tells
    assert chat.said("product.edit_intro", name="Keripik Singkong Balado") and "Rp13.000" in chat.text
    assert await _logged(sessions) == 0


async def test_a_buyer_asking_a_price_change_is_told_to_register(app: App) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("ganti harga jadi 17rb")
    assert chat.said("intent.price_no_business")
