"""One person, two channels: a Telegram and a WhatsApp identity with the same verified number become one user
after a yes on both sides, through the real channels (fake Bot API, signed webhooks, fake Graph API); and
nobody can attach someone else's number."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App, build_app
from bot.channels.runner import ChannelServer
from bot.channels.telegram import FloodGuard, SendLimits
from bot.channels.whatsapp import GraphLimits
from bot.core.messages import Channel
from models import AuditLog, Identity, IdentityLink, Product, SearchLog, User, Vendor
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN, FakeGraphAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support import USER, Chat, WhatsAppUser, add_product, make_settings, phone, register_business, t

NUMBER = "6281234567890"  # WhatsAppUser's wa_id
ASK_TG = t("link.ask", phone="0812-3456-7890", this="Telegram", other="WhatsApp")


@asynccontextmanager
async def running_both(app: App, tg: FakeTelegramAPI, graph: FakeGraphAPI) -> AsyncIterator[ChannelServer]:
    """`banggabeli run` with Telegram (polling the fake Bot API) and WhatsApp (the fake Graph API) together."""
    wa = app.settings.whatsapp
    wa.token, wa.phone_number_id = SecretStr(TOKEN), PHONE_NUMBER_ID
    wa.app_secret, wa.verify_token = SecretStr(APP_SECRET), SecretStr(VERIFY_TOKEN)
    wa.api_base = graph.base_url
    app.settings.telegram.bot_token = SecretStr("42:TEST")
    app.settings.telegram.api_server = tg.base_url
    app.settings.web.port = 0
    async with ChannelServer(
        app, limits=SendLimits.unpaced(), whatsapp_limits=GraphLimits.unpaced(), polling_timeout=1, shutdown_grace=5
    ) as server:
        assert server.telegram is not None and server.whatsapp is not None
        server.telegram.flood = FloodGuard(burst=10_000)
        yield server


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """Wait for the delivery worker to have sent something (it runs on its own)."""
    async with asyncio.timeout(timeout):
        while True:
            if check():
                return
            await asyncio.sleep(0.02)


async def telegram_vendor(app: App) -> Chat:
    """A Telegram vendor with a business and one product (set up through the core, to keep the test short)."""
    chat = Chat(app.dispatcher, str(USER), channel=Channel.TELEGRAM)
    await chat.say("/start")
    for label in ("Bahasa Indonesia", "Pelaku usaha", t("start.btn_agree")):
        await chat.press(label)
    await register_business(chat)  # the phone in the form is typed: it links nothing
    await add_product(chat, "Keripik Pisang Cokelat", "Rp15.000")
    return chat


async def _count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_telegram_vendor_and_their_whatsapp_become_one_user_after_a_yes_on_both_sides(
    app: App, tg: FakeTelegramAPI, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await telegram_vendor(app)
    async with running_both(app, tg, graph) as server:
        tele = phone(server, tg)
        wa = WhatsAppUser(server, graph)
        await wa.say("halo")  # a new WhatsApp user: nothing links yet (Telegram never vouched for a number)
        assert await _count(sessions, IdentityLink) == 0
        await tele._after(lambda: tg.share_contact(USER, NUMBER))  # the user's own number: Telegram vouches
        await until(lambda: any("juga dipakai di akun WhatsApp" in x for x in tg.texts_to(USER)))
        await until(
            lambda: any(
                s.text.startswith(t("link.ask", phone="0812-3456-7890", this="WhatsApp", other="Telegram")[:40])
                for s in graph.to(NUMBER)
            )
        )
        assert await _count(sessions, User) == 2

        # A yes on one side only joins nothing.
        said = await tele.tap(t("link.btn_yes"))
        assert t("link.waiting", other="WhatsApp") in said
        assert await _count(sessions, User) == 2

        # The yes on WhatsApp (pressed before onboarding there) joins them; Telegram hears of it.
        said = await wa.press(t("link.btn_yes"))
        assert [s.text for s in said] == [t("link.merged_here", other="Telegram")]
        await until(lambda: t("link.merged", other="WhatsApp") in tg.texts_to(USER))
        async with sessions() as session:
            users = list(await session.scalars(select(User)))
            assert len(users) == 1
            identities = {(i.channel, i.user_id) for i in await session.scalars(select(Identity))}
            assert identities == {("telegram", users[0].id), ("whatsapp", users[0].id)}
            assert await session.scalar(select(func.count()).select_from(Vendor)) == 1
            assert await session.scalar(select(func.count()).select_from(Product)) == 1
            assert users[0].role == "vendor" and users[0].onboarded
            merge = await session.scalar(select(AuditLog).where(AuditLog.action == "account.merge"))
            assert merge is not None and merge.subject == f"user:{users[0].id}"

        # WhatsApp now sees the business's products, with no second onboarding.
        said = await wa.say("produk saya")
        assert any("Keripik Pisang Cokelat" in s.text or "Keripik Pisang Cokelat" in str(s.options()) for s in said), [
            (s.text, s.options()) for s in said
        ]

        # The old question's buttons do nothing harmful any more.
        said = await tele.tap(t("link.btn_yes"))
        assert t("link.stale") in said
        assert await _count(sessions, User) == 1


async def test_nobody_can_attach_someone_elses_number(
    app: App, tg: FakeTelegramAPI, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await telegram_vendor(app)  # typed 0812-3456-7890 as the business's phone: not a verified number
    async with running_both(app, tg, graph) as server:
        tele = phone(server, tg)
        owner = WhatsAppUser(server, graph)  # the real owner of 0812-3456-7890 on WhatsApp
        await owner.say("halo")
        # Someone else's contact card with that number, shared on Telegram: not the sender's, links nothing.
        await tele._after(lambda: tg.share_contact(USER, NUMBER, first_name="Budi", own=False))
        # A WhatsApp message without a phone number (only the business-scoped id): nothing to match on.
        await tele._after(lambda: tg.share_contact(USER, "6285700001111"))  # the Telegram user's own number
        anonymous = WhatsAppUser(server, graph, user_id="ID.9999999999999999", wa_id=None)
        await anonymous.say("halo")
        await asyncio.sleep(0.3)  # give the delivery worker a turn: nothing may be queued at all
    assert await _count(sessions, IdentityLink) == 0
    assert not any("juga dipakai" in x for x in tg.texts_to(USER))
    assert not any("juga dipakai" in s.text for s in graph.sent)
    async with sessions() as session:
        verified = {i.external_id: i.verified_phone for i in await session.scalars(select(Identity))}
    assert verified[str(USER)] == "+6285700001111"
    assert verified["ID.9999999999999999"] is None


async def _core(app: App, user: str, channel: Channel, **kw: object) -> Chat:
    """An onboarded user of the core on a channel; `phone` is the number that channel vouches for."""
    chat = Chat(app.dispatcher, user, channel=channel)
    await chat.say("/start", **kw)
    for label in ("Bahasa Indonesia", "Lihat-lihat", t("start.btn_agree")):
        await chat.press(label)
    return chat


async def _link_id(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await session.scalar(select(IdentityLink.id).order_by(IdentityLink.id.desc()).limit(1))
    assert found is not None
    return int(found)


async def test_two_businesses_are_not_merged_and_both_sides_are_told_why(
    app: App, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tele = await telegram_vendor(app)
    wa = Chat(app.dispatcher, "ID.1", channel=Channel.WHATSAPP)
    await wa.say("halo", phone="+6281234567890")
    for label in ("Bahasa Indonesia", "Pelaku usaha", t("start.btn_agree")):
        await wa.press(label)
    await register_business(wa)
    await tele.send(tele._inbound(contact_phone=NUMBER, phone="+" + NUMBER))
    link = await _link_id(sessions)
    await tele.press_payload(f"link:yes:{link}")
    await wa.press_payload(f"link:yes:{link}")
    assert wa.said("link.conflict", other="Telegram")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 2
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 2
        stored = await session.get_one(IdentityLink, link)
        assert stored.status == "refused" and stored.reason == "vendor+vendor"
    await tele.press_payload(f"link:yes:{link}")
    assert tele.said("link.stale")


async def test_forged_declined_and_broken_link_buttons_change_nothing(
    app: App, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tele = await _core(app, "2001", Channel.TELEGRAM)
    stranger = await _core(app, "3001", Channel.TELEGRAM)
    await tele.send(tele._inbound(contact_phone="6281111111111", phone="+6281111111111"))
    wa = await _core(app, "ID.2", Channel.WHATSAPP, phone="+6281111111111")
    link = await _link_id(sessions)
    await stranger.press_payload(f"link:yes:{link}")  # not one of its two sides
    assert stranger.said("error.not_allowed")
    for payload in ("link:yes:abc", "link:yes:99999", "link:maybe:1"):
        await stranger.press_payload(payload)
        assert stranger.said("link.stale")
    await wa.press_payload(f"link:no:{link}")
    assert wa.said("link.declined")
    await tele.press_payload(f"link:yes:{link}")  # after the no: too late
    assert tele.said("link.stale")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 3
        denied = await session.scalar(select(AuditLog).where(AuditLog.action == "permission.denied"))
        assert denied is not None and denied.subject == f"link:yes:{link}"
    # Shared again: a declined pair is not asked again.
    await tele.send(tele._inbound(contact_phone="6281111111111", phone="+6281111111111"))
    assert await _link_id(sessions) == link


async def test_gabungkan_akun_shows_the_open_question_again(
    app: App, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tele = await _core(app, "2002", Channel.TELEGRAM)
    await tele.send(tele._inbound(contact_phone="6282222222222", phone="+6282222222222"))
    await tele.say("gabungkan akun")
    assert tele.said("link.none")
    wa = await _core(app, "ID.3", Channel.WHATSAPP, phone="+6282222222222")
    await wa.say("keripik pisang")  # a search: its log names this WhatsApp user
    await wa.say("gabungkan akun")  # the question again, with its buttons
    assert wa.said("link.ask", phone="0822-2222-2222", this="WhatsApp", other="Telegram")
    await wa.press(t("link.btn_yes"))
    assert wa.said("link.waiting", other="Telegram")
    await tele.say("gabungkan akun")
    await tele.press(t("link.btn_yes"))
    assert tele.said("link.merged_here", other="WhatsApp")
    async with sessions() as session:
        [user] = list(await session.scalars(select(User)))
        searched = set(await session.scalars(select(SearchLog.user_id)))
        audited = set(await session.scalars(select(AuditLog.actor_user_id)))
    assert searched == {user.id} and audited <= {user.id, None}  # moved, not lost


async def test_a_half_answered_question_survives_a_restart(
    app: App, database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tele = await _core(app, "2003", Channel.TELEGRAM)
    await tele.send(tele._inbound(contact_phone="6283333333333", phone="+6283333333333"))
    await _core(app, "ID.4", Channel.WHATSAPP, phone="+6283333333333")
    link = await _link_id(sessions)
    await tele.press_payload(f"link:yes:{link}")
    assert tele.said("link.waiting", other="WhatsApp")
    restarted = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    try:  # a new process: nothing of the first one's memory, only the database
        wa = Chat(restarted.dispatcher, "ID.4", channel=Channel.WHATSAPP)
        await wa.press_payload(f"link:yes:{link}")
        assert wa.said("link.merged_here", other="Telegram")
    finally:
        await restarted.close()
    assert await _count(sessions, User) == 1
