"""Dispatcher guarantees: one effect per update id, friendly answers to any input, no crash."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.actions import Action, decode
from bot.core.messages import Channel, Inbound
from models import Conversation, ProcessedUpdate, User
from tests.support import Chat, onboard, t


async def test_same_update_twice_has_one_effect(app: App) -> None:
    first = Inbound(Channel.TELEGRAM, "777", text="halo", update_id="u-1", language_hint="id")
    replies = await app.dispatcher.handle(first)
    assert replies[0].text == t("start.greeting")
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
    chat = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    replies = await chat.say(text)
    assert replies, "never silence"
    assert not chat.said("error.internal")
    # the friendly fallback with the menu, or a search that found nothing and offers to search again
    assert chat.said("menu.title_short") or t("find.btn_search_again") in chat.labels()
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("text", ODD_INPUTS)
async def test_odd_input_during_onboarding_repeats_the_question(app: App, text: str) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("halo")
    await chat.say(text)
    assert chat.labels()[-2:] == [t("language.name_id"), t("language.name_en")]


async def test_sticker_and_photo_outside_a_form(app: App) -> None:
    chat = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    await chat.sticker()
    assert chat.said("fallback.media")
    await chat.photo()
    assert chat.said("fallback.photo")


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
    assert chat.said("error.internal")
    await chat.say("bantuan")
    assert chat.said("help.vendor")


@pytest.mark.parametrize("payload", ["prod:open:2147483648", "prod:edit:99999999999999999", "find:more:4294967296:5"])
async def test_ids_out_of_range_are_refused_not_an_internal_error(app: App, payload: str) -> None:
    """Issue 9 item 11: ids past 2^31-1 would overflow PostgreSQL's integer columns."""
    chat = await onboard(app.dispatcher, "budi")
    await chat.press_payload(payload)
    assert chat.last and not chat.said("error.internal")


@pytest.mark.parametrize("payload", ["menu:go:\udcff", "\ud800", "f:pick:1:0:\udfff"])
async def test_lone_surrogates_in_button_data_are_stale_buttons(app: App, payload: str) -> None:
    """Issue 9 item 13: undecodable payloads are old buttons, not an error."""
    chat = await onboard(app.dispatcher, "budi")
    await chat.press_payload(payload)
    assert chat.said("form.old_button") and not chat.said("error.internal")


def test_the_codec_checks_ids_and_encodings() -> None:
    assert decode("prod:open:2147483647") == Action("prod", "open", ("2147483647",))
    assert decode("prod:open:2147483647").int_arg(0) == 2**31 - 1  # type: ignore[union-attr]
    for arg in ("2147483648", "0", "-1", "1e3", "٣", "", "00000000000000000001"):
        assert Action("prod", "open", (arg,)).int_arg(0) is None, arg
    assert decode("a:\udcff") is None


def test_context_does_not_import_the_registry() -> None:
    """Routing lives in the dispatcher: the context knows no registry, so there is no import circle."""
    code = "import sys, bot.core.forms; print('bot.core.registry' in sys.modules, 'handlers' in sys.modules)"
    context_only = "import sys, bot.core.context; print('bot.core.registry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", context_only], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True False"  # forms build flows (registry), but never reach into handlers


async def test_last_choices_are_stored_and_typed_numbers_pick_them(app: App) -> None:
    # The first reply (language question) changes nothing else of the user: the memo goes alone. The
    # language answer changes the user's language too: the memo is written with it. A typed number then
    # picks from what was stored.
    first = Inbound(Channel.TELEGRAM, "4242", text="halo", update_id="lc-1", language_hint="id")
    replies = await app.dispatcher.handle(first)
    shown = [[c.label, c.action] for c in replies[-1].choices if c.url is None]
    async with app.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.last_choices is not None
        assert user.last_choices["items"] == shown
    typed = dataclasses.replace(first, text="1", update_id="lc-2")
    after = await app.dispatcher.handle(typed)
    async with app.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.language is not None
        last = next((r for r in reversed(after) if r.choices), None)
        expected = None if last is None else [[c.label, c.action] for c in last.choices if c.url is None]
        assert (user.last_choices or {}).get("items") == expected
