"""The first conversation: greeting, language, role, consent, menu; and what returning users see."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from models import User
from tests.support import Chat, onboard, t, t_en


async def test_new_user_walks_the_start_flow(app: App) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("halo")
    assert chat.said("start.greeting")
    assert chat.labels() == [t("language.name_id"), t("language.name_en")]
    await chat.say("1")  # typing the number works like pressing the button
    assert chat.said("start.ask_role")
    await chat.press(t("start.role_opd"))
    assert chat.said("start.consent_notice_opd")
    await chat.press(t("start.btn_agree"))
    assert chat.said("start.consent_thanks")
    assert chat.said("start.opd_pending")
    assert t("menu.help") in chat.labels()
    async with app.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert (user.role, user.language, user.onboarded, user.opd_verified) == ("opd", "id", True, False)
        assert user.consent_version and user.consented_at is not None


async def test_english_speaker_gets_english(app: App) -> None:
    chat = Chat(app.dispatcher, "john", language_hint="en")
    await chat.say("hello")
    await chat.press(t("language.name_en"))
    assert chat.text == t_en("start.ask_role")
    await chat.say(t_en("start.role_buyer"))  # a typed label works like the button
    await chat.press(t_en("start.btn_disagree"))
    assert t_en("start.consent_declined") in chat.text


async def test_vendor_who_declines_consent_becomes_a_browser(app: App) -> None:
    chat = Chat(app.dispatcher, "sari")
    await chat.say("halo")
    await chat.press(t("language.name_id"))
    await chat.press(t("start.role_vendor"))
    await chat.press(t("start.btn_disagree"))
    assert chat.said("start.consent_declined")
    async with app.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.role == "buyer" and user.consented_at is None


async def test_onboarding_question_repeats_on_unexpected_answer(app: App) -> None:
    chat = Chat(app.dispatcher, "budi")
    await chat.say("halo")
    await chat.say("saya mau keripik")
    assert chat.said("start.pick_option")
    assert chat.labels() == [t("language.name_id"), t("language.name_en")]


async def test_returning_user_and_help_per_role(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("/start")
    assert chat.said("start.greeting_back")
    await chat.say("bantuan")
    assert chat.said("help.vendor")
    opd = await onboard(app.dispatcher, "andi", t("start.role_opd"))
    await opd.say("/help")
    assert opd.said("help.opd") and opd.said("help.opd_unverified")


async def test_language_and_role_can_change_later(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("bahasa")
    await chat.press(t("language.name_en"))
    assert chat.last[0].text == t_en("language.changed")
    await chat.say("/role")
    await chat.press(t_en("start.role_opd"))
    assert t_en("start.role_changed", role=t_en("start.role_opd")) in chat.text
    await chat.say("menu")
    assert chat.last[0].text == t_en("menu.title")


async def test_admin_bootstraps_from_settings(app: App) -> None:
    chat = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await chat.say("bantuan")
    assert chat.said("help.admin")


async def test_a_typed_yes_or_no_answers_the_consent_question(app: App) -> None:
    yes = Chat(app.dispatcher, "budi")
    await yes.say("halo")
    await yes.press(t("language.name_id"))
    await yes.press(t("start.role_buyer"))
    await yes.say("iya")
    assert yes.said("start.consent_thanks")
    no = Chat(app.dispatcher, "sari")
    await no.say("halo")
    await no.press(t("language.name_id"))
    await no.press(t("start.role_vendor"))
    await no.say("nggak")
    assert no.said("start.consent_declined")
    async with app.sessions() as session:
        users = {u.display_name: u for u in await session.scalars(select(User))}
        assert users["Budi"].consented_at is not None and users["Sari"].consented_at is None
