"""The first conversation: greeting, language, role, consent, menu; and what returning users see."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from models import User
from tests.support import Chat, onboard


async def test_new_user_walks_the_start_flow(app: App) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("halo")
    assert "Selamat datang di Bangga Beli Bot" in chat.text
    assert chat.labels() == ["Bahasa Indonesia", "English"]
    await chat.say("1")  # typing the number works like pressing the button
    assert "Bapak/Ibu sebagai apa?" in chat.text
    await chat.press("Staf OPD")
    assert "UU PDP" in chat.text
    await chat.press("Setuju")
    assert "persetujuan Bapak/Ibu sudah dicatat" in chat.text
    assert "diverifikasi oleh admin" in chat.text
    assert "Bantuan" in chat.labels()
    async with app.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert (user.role, user.language, user.onboarded, user.opd_verified) == ("opd", "id", True, False)
        assert user.consent_version and user.consented_at is not None


async def test_english_speaker_gets_english(app: App) -> None:
    chat = Chat(app.dispatcher, "john", language_hint="en")
    await chat.say("hello")
    await chat.press("English")
    assert chat.text == "Which describes you?"
    await chat.say("just browsing")  # a typed label works like the button
    await chat.press("I do not agree")
    assert "You can still search" in chat.text


async def test_vendor_who_declines_consent_becomes_a_browser(app: App) -> None:
    chat = Chat(app.dispatcher, "sari")
    await chat.say("halo")
    await chat.press("Bahasa Indonesia")
    await chat.press("Pelaku usaha")
    await chat.press("Tidak setuju")
    assert "persetujuan diperlukan" in chat.text
    async with app.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.role == "buyer" and user.consented_at is None


async def test_onboarding_question_repeats_on_unexpected_answer(app: App) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("halo")
    await chat.say("saya mau keripik")
    assert "Mohon pilih salah satu tombol" in chat.text
    assert chat.labels() == ["Bahasa Indonesia", "English"]


async def test_returning_user_and_help_per_role(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("/start")
    assert "Selamat datang kembali" in chat.text
    await chat.say("bantuan")
    assert "Sebagai pelaku usaha" in chat.text
    opd = await onboard(app.dispatcher, "andi", "Staf OPD")
    await opd.say("/help")
    assert "Sebagai staf OPD" in opd.text and "belum diverifikasi" in opd.text


async def test_language_and_role_can_change_later(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("bahasa")
    await chat.press("English")
    assert chat.last[0].text == "OK, I will use English."
    await chat.say("/role")
    await chat.press("OPD staff")
    assert "Your role is now: OPD staff" in chat.text
    await chat.say("menu")
    assert chat.last[0].text.startswith("What would you like to do?")


async def test_admin_bootstraps_from_settings(app: App) -> None:
    chat = await onboard(app.dispatcher, "admin", "Lihat-lihat")
    await chat.say("bantuan")
    assert "Sebagai admin Dinas" in chat.text
