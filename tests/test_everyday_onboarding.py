"""Onboarding understands what people type at every step (issue 14, "Onboarding and the console")."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from models import User
from tests.support import Chat, onboard, t, t_en


async def test_help_and_menu_work_at_every_onboarding_step(app: App) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("/start")
    for typed in ("bantuan", "Menu"):  # typed, or the persistent keyboard's own buttons
        await chat.say(typed)
        assert chat.said("start.help_language") and chat.said("start.ask_language")
        assert not chat.said("start.pick_option")
    await chat.press(t("language.name_id"))
    await chat.say("bantuan")
    assert chat.said("start.help_role") and chat.said("start.ask_role")
    await chat.press(t("start.role_vendor"))
    await chat.say("help")
    assert chat.said("start.help_consent") and chat.said("start.consent_notice")


async def test_start_always_greets(app: App) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("/start")
    await chat.press(t("language.name_id"))
    await chat.say("/start")  # again, say after a restart of the bot
    assert chat.said("start.greeting") and chat.said("start.ask_language")
    assert not chat.said("start.pick_option")


async def test_language_and_role_names_understood_at_every_step(app: App) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("halo")
    await chat.say("bahasa")  # the language command: the question again, not a pick
    assert chat.said("start.ask_language") and not chat.said("start.ask_role")
    await chat.say("indonesia")
    assert chat.said("start.ask_role")
    await chat.say("english")  # at the role step: switches language, asks the role again
    assert t_en("start.ask_role") in chat.text
    await chat.say("penjual")
    assert t_en("start.consent_notice") in chat.text
    await chat.say("opd")  # a role name at the consent step changes the role and its notice
    assert t_en("start.consent_notice_opd") in chat.text
    async with app.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and (user.language, user.role) == ("en", "opd")


async def test_consent_text_fits_the_role(app: App) -> None:
    seen = {}
    for role, label in (("vendor", "start.role_vendor"), ("opd", "start.role_opd"), ("buyer", "start.role_buyer")):
        chat = Chat(app.dispatcher, f"user-{role}")
        await chat.say("halo")
        await chat.press(t("language.name_id"))
        await chat.press(t(label))
        seen[role] = chat.text
    assert t("start.consent_notice") in seen["vendor"]
    assert t("start.consent_notice_opd") in seen["opd"] and t("start.consent_notice") not in seen["opd"]
    assert t("start.consent_notice_buyer") in seen["buyer"] and t("start.consent_notice") not in seen["buyer"]
    assert t("start.consent_notice_opd") not in seen["buyer"] + seen["vendor"]


async def test_onboarded_user_help_still_works(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("bantuan")
    assert chat.said("help.vendor")
