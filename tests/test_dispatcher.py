"""Dispatcher guarantees: one effect per update id, friendly answers to any input, no crash."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.messages import Channel, Inbound
from models import Conversation, ProcessedUpdate, User
from tests.support import Chat, onboard


async def test_same_update_twice_has_one_effect(app: App) -> None:
    first = Inbound(Channel.TELEGRAM, "777", text="halo", update_id="u-1", language_hint="id")
    replies = await app.dispatcher.handle(first)
    assert "Selamat datang" in replies[0].text
    again = await app.dispatcher.handle(first)
    assert again == []
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1
        conv = await session.scalar(select(Conversation))
        assert conv is not None and conv.step == "language"


async def test_concurrent_duplicates_are_handled_once(app: App) -> None:
    press = Inbound(Channel.TELEGRAM, "778", text="halo", update_id="u-9", language_hint="id")
    results = await asyncio.gather(*(app.dispatcher.handle(press) for _ in range(5)))
    assert sum(1 for r in results if r) == 1


async def test_same_update_id_on_other_channel_is_new(app: App) -> None:
    await app.dispatcher.handle(Inbound(Channel.TELEGRAM, "1", text="halo", update_id="5"))
    replies = await app.dispatcher.handle(Inbound(Channel.WHATSAPP, "ID.1", text="halo", update_id="5"))
    assert replies


ODD_INPUTS = [
    "",
    "   ",
    "a" * 5000,
    "🙂🙂🙂",
    "'; DROP TABLE users; --",
    'keripik" AND (NEAR(x',
    "\x00\u200b",
    "/unknowncommand",
    "12345678901234567890",
]


@pytest.mark.parametrize("text", ODD_INPUTS)
async def test_odd_input_gets_a_friendly_answer(app: App, text: str) -> None:
    chat = await onboard(app.dispatcher, "budi", "Lihat-lihat")
    replies = await chat.say(text)
    assert replies, "never silence"
    assert "gangguan" not in chat.text  # not the internal-error apology
    assert any(word in chat.text for word in ("Maaf", "Pesannya kosong", "Menu", "belum ada", "ditemukan"))
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("text", ODD_INPUTS)
async def test_odd_input_during_onboarding_repeats_the_question(app: App, text: str) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("halo")
    await chat.say(text)
    assert chat.labels()[-2:] == ["Bahasa Indonesia", "English"]


async def test_sticker_and_photo_outside_a_form(app: App) -> None:
    chat = await onboard(app.dispatcher, "budi", "Lihat-lihat")
    await chat.sticker()
    assert "stiker" in chat.text
    await chat.photo()
    assert "foto" in chat.text


async def test_handler_crash_apologises_and_keeps_state(app: App) -> None:
    chat = await onboard(app.dispatcher, "budi")
    flows = app.dispatcher.registry.flows
    help_flow = app.dispatcher.registry.get("help")
    assert help_flow is not None

    async def boom(*_args: object) -> list[object]:
        raise RuntimeError("bug")

    index = flows.index(help_flow)
    flows[index] = dataclasses.replace(help_flow, start=boom)
    try:
        await chat.say("bantuan")
    finally:
        flows[index] = help_flow
    assert "gangguan" in chat.text
    await chat.say("bantuan")
    assert "Sebagai pelaku usaha" in chat.text
