"""What the fake Graph API receives: a product registration step by step, and a broadcast to five people of
whom two are outside the 24-hour window (template) and one is undeliverable (131026)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.channels.whatsapp import GraphLimits, WhatsAppChannel
from bot.core.messages import Channel, Choice, Reply
from bot.core.wire import Locale
from bot.db import create_engine, session_factory
from bot.services import accounts, broadcasts
from bot.services.delivery import DeliveryWorker, WorkerSettings
from bot.services.outbox import Envelope
from models import Identity, OutboxMessage, User, utcnow
from tests.fakes.graph_api import PHONE_NUMBER_ID, TOKEN, FakeGraphAPI, receipt
from tests.support import Chat, WhatsAppUser, message_shapes, running_whatsapp, t, whatsapp_vendor


async def test_product_registration_sends_buttons_lists_and_numbered_text_by_choice_count(
    app: App, graph: FakeGraphAPI
) -> None:
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        await whatsapp_vendor(user)
        steps = [
            ("say", "tambah produk"),
            ("say", "Keripik Pisang Cokelat Lumer"),  # 11 categories: numbered text
            ("say", "1"),  # a typed number picks the first category
            ("say", "lewati"),
            ("say", "Rp15.000"),  # 8 units: a list
            ("press", "bungkus"),  # a list reply
            ("say", "lewati"),
            ("say", "lewati"),  # no TKDN certificate: no TKDN % question
            ("say", "lewati"),  # the photo: the summary follows
            ("press", t("form.btn_edit")),  # 9 fields: a list
            ("press", "Kembali"),
            ("press", t("form.btn_save")),
        ]
        shapes = []
        for how, what in steps:
            sent = await (user.press(what) if how == "press" else user.say(what))
            shapes.append(message_shapes(sent))
        assert graph.refused == []  # every body was within the Cloud API's limits
        assert shapes == EXPECTED, shapes


# One entry per step: what the fake received. 1-3 choices: reply buttons; 8 and 9: a list; 11: numbered text.
EXPECTED = [
    [("text", 0), ("button", 1)],  # "what is the product called?" with its cancel shortcut
    [("text", 11)],  # the category question
    [("button", 3)],
    [("button", 2)],
    [("list", 8)],  # the unit question
    [("button", 3)],
    [("button", 3)],
    [("button", 3)],
    [("button", 3)],  # the summary: save / edit / cancel
    [("list", 9)],  # which field to edit (9: the TKDN % applies only with a certificate)
    [("button", 3)],
    [("text", 0), ("button", 3)],  # saved, and the menu
]


# ---- broadcasts: the 24-hour window, templates, undeliverable numbers, the daily cap ------------------------

TEMPLATE = "bangga_info"


async def _five_people(app: App) -> list[str]:
    """Five onboarded WhatsApp users (addresses 6281200000000..4), and an admin on the console."""
    addresses = []
    for i in range(5):
        chat = Chat(app.dispatcher, f"ID.100000000000000{i}", channel=Channel.WHATSAPP)
        await chat.say("halo", phone=f"+62812000000{i:02d}")
        await chat.press("Bahasa Indonesia")
        await chat.press("Pelaku usaha")
        await chat.press(t("start.btn_agree"))
        addresses.append(f"62812000000{i:02d}")
    return addresses


async def _broadcast(app: App, sessions: async_sessionmaker[AsyncSession], outside: list[str]) -> int:
    """Queue a broadcast to everyone; the people in `outside` last wrote 30 hours ago."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(Identity)
            .where(Identity.user_id.in_(select(User.id).where(User.phone.in_(["+" + a for a in outside]))))
            .values(last_seen_at=utcnow() - timedelta(hours=30))
        )
        admin, _ = await accounts.resolve(session, "console", "admin", admins={("console", "admin")})
        broadcast = await broadcasts.create(session, admin, "Pelatihan UMKM Kamis depan.", broadcasts.Audience("all"))
        return broadcast.id


async def _delivered(sessions: async_sessionmaker[AsyncSession], broadcast_id: int, settled: int = 5) -> dict[str, int]:
    """Wait until `settled` rows of the broadcast are no longer pending (and unclaimed); its rows by status."""
    async with asyncio.timeout(20):
        while True:
            async with sessions() as session:
                rows = await session.execute(
                    select(OutboxMessage.status, OutboxMessage.claimed_at).where(
                        OutboxMessage.broadcast_id == broadcast_id
                    )
                )
                statuses = [status for status, claimed in rows if claimed is None]
            if len([s for s in statuses if s != "pending"]) >= settled and len(statuses) == 5:
                return {s: statuses.count(s) for s in set(statuses)}
            await asyncio.sleep(0.05)


async def _report(sessions: async_sessionmaker[AsyncSession], broadcast_id: int) -> broadcasts.Report:
    async with sessions() as session:
        admin, _ = await accounts.resolve(session, "console", "admin", admins={("console", "admin")})
        return await broadcasts.report(session, admin, broadcast_id)


async def test_broadcast_to_five_two_outside_the_window_one_undeliverable(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    people = await _five_people(app)
    outside, undeliverable = people[:2], people[2]
    graph.fail(undeliverable, 131026)
    async with running_whatsapp(app, graph, template_notice=f"{TEMPLATE}:id") as server:
        broadcast_id = await _broadcast(app, sessions, outside)
        assert await _delivered(sessions, broadcast_id) == {"sent": 4, "failed": 1}
        templates = [s for s in graph.sent if s.type == "template"]
        assert sorted(s.address for s in templates) == sorted(outside)
        for sent in templates:
            template = sent.body["template"]
            assert template["name"] == TEMPLATE and template["language"] == {"code": "id"}
            assert template["components"][0]["parameters"] == [{"type": "text", "text": "Pelatihan UMKM Kamis depan."}]
        free = [s for s in graph.sent if s.type != "template"]
        assert sorted(s.address for s in free) == sorted(people[3:])  # never free text outside the window
        assert all(s.kind == "button" and s.text == "Pelatihan UMKM Kamis depan." for s in free)
        assert graph.refused == [(undeliverable, 131026)]
        report = await _report(sessions, broadcast_id)
        assert (report.sent, report.failed, report.needs_template) == (4, 1, 0)
        assert server.whatsapp is not None and server.whatsapp.counts.get("template") == 2

        # Later Meta reports one of the free-text messages failed (131026): its row is marked failed.
        user = WhatsAppUser(server, graph)
        assert await user.post(receipt(free[0].wamid, "failed", 131026)) == 200
        assert await user.post(receipt(free[1].wamid, "delivered")) == 200
        assert await user.post(receipt("wamid.UNKNOWN", "read")) == 200
    report = await _report(sessions, broadcast_id)
    assert (report.sent, report.failed) == (3, 2)
    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id)))
    assert sorted(r.template or "" for r in rows if r.status == "sent") == ["", TEMPLATE, TEMPLATE]
    assert all(r.platform_message_id for r in rows if r.status == "sent")


async def test_without_a_template_rows_outside_the_window_are_marked_needs_template(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    people = await _five_people(app)
    async with running_whatsapp(app, graph):
        broadcast_id = await _broadcast(app, sessions, people[:2])
        assert await _delivered(sessions, broadcast_id) == {"sent": 3, "needs_template": 2}
    assert {s.address for s in graph.sent} == set(people[2:])
    assert (await _report(sessions, broadcast_id)).needs_template == 2


async def test_the_daily_cap_of_new_recipients_defers_the_rest(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    people = await _five_people(app)
    async with running_whatsapp(app, graph, template_notice=TEMPLATE, daily_recipients=1) as server:
        broadcast_id = await _broadcast(app, sessions, people[:2])
        assert await _delivered(sessions, broadcast_id, settled=4) == {"sent": 4, "pending": 1}
        assert server.whatsapp is not None and server.whatsapp.counts["deferred"] == 1
    assert len([s for s in graph.sent if s.type == "template"]) == 1
    async with sessions() as session:
        waiting = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == "pending"
                )
            )
        )
    assert len(waiting) == 1 and waiting[0].attempts == 0 and waiting[0].due_at > utcnow() + timedelta(minutes=20)


async def test_throttling_pauses_and_an_expired_window_falls_back_to_the_template(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    people = await _five_people(app)
    graph.throttle(2)  # 130429 twice: every send pauses, then goes through
    async with running_whatsapp(app, graph, template_notice=TEMPLATE) as server:
        assert server.whatsapp is not None
        waits: list[float] = []

        async def no_wait(seconds: float) -> None:
            waits.append(seconds)

        server.whatsapp.sender.sleep = no_wait
        graph.fail(people[4], 131047)  # Meta says the window closed although we thought it open
        broadcast_id = await _broadcast(app, sessions, [])
        statuses = await _delivered(sessions, broadcast_id)
        assert server.whatsapp.sender.pauses == 2 and len(waits) == 2
    assert statuses == {"sent": 4, "failed": 1}  # the template to people[4] is refused the same way: failed
    assert (people[4], 131047) in graph.refused


async def test_a_failed_receipt_before_the_worker_records_the_send_is_not_overwritten(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _five_people(app)
    async with running_whatsapp(app, graph) as server:
        assert server.whatsapp is not None and server._worker is not None
        user = WhatsAppUser(server, graph)
        send = server.whatsapp.send_envelope

        async def receipt_first(envelope: Envelope) -> str:
            status = await send(envelope)
            wamid = next(s.wamid for s in reversed(graph.sent) if s.address == envelope_address(envelope))
            assert await user.post(receipt(wamid, "failed", 131026)) == 200  # Meta is faster than our commit
            return status

        server._worker.senders["whatsapp"] = receipt_first
        broadcast_id = await _broadcast(app, sessions, [])
        assert await _delivered(sessions, broadcast_id) == {"failed": 5}


def envelope_address(envelope: Envelope) -> str:
    """The fake's address for the five people above (their phone is 62812000000NN, their id ends in N)."""
    return f"62812000000{int(envelope.external_id[-1]):02d}"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(2, "button"), (3, "button"), (4, "list"), (10, "list"), (11, "text"), (12, "text")],
)
async def test_the_fake_receives_one_message_of_the_right_kind_per_choice_count(
    app: App, graph: FakeGraphAPI, count: int, expected: str
) -> None:
    async with running_whatsapp(app, graph) as server:
        assert server.whatsapp is not None
        choices = tuple(Choice(f"Kategori nomor {i}", f"product:cat:{i}") for i in range(1, count + 1))
        status = await server.whatsapp.deliver(
            "ID.1", [Reply("Pilih kategori:", choices, locale="id")], {"wa_id": "62811"}
        )
    assert status == "sent" and graph.refused == []
    [sent] = graph.sent
    assert sent.address == "62811" and sent.kind == expected
    if expected == "text":
        assert [line for line in sent.text.split("\n") if line[:1].isdigit()] == [
            f"{i}. Kategori nomor {i}" for i in range(1, count + 1)
        ]
    else:
        assert [payload for _title, payload in sent.options()] == [c.action for c in choices]


async def test_two_worker_processes_together_respect_the_daily_cap_and_the_report_shows_who_waits(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    people = await _five_people(app)
    settings = app.settings.whatsapp
    settings.token, settings.phone_number_id, settings.api_base = SecretStr(TOKEN), PHONE_NUMBER_ID, graph.base_url
    settings.template_notice, settings.daily_recipients = TEMPLATE, 2
    broadcast_id = await _broadcast(app, sessions, people)  # all five outside the window: templates only
    engines = [create_engine(database_url) for _ in range(2)]  # two processes: own engines, own channels
    channels = [WhatsAppChannel(session_factory(e), settings, Locale(), GraphLimits.unpaced()) for e in engines]
    workers = [
        DeliveryWorker(session_factory(e), {"whatsapp": c.send_envelope}, WorkerSettings(batch=1))
        for e, c in zip(engines, channels, strict=True)
    ]

    async def drain(worker: DeliveryWorker) -> None:
        while await worker.run_once():
            pass

    try:
        await asyncio.gather(*(drain(w) for w in workers))
    finally:
        for channel in channels:
            await channel.close()
        for engine in engines:
            await engine.dispose()
    assert len([s for s in graph.sent if s.type == "template"]) == 2
    report = await _report(sessions, broadcast_id)
    assert (report.sent, report.waiting_cap, report.pending, report.failed, report.needs_template) == (2, 3, 0, 0, 0)
    async with sessions() as session:
        waiting = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.last_error == "daily_cap")))
    assert len(waiting) == 3 and all(r.status == "pending" and r.attempts == 0 for r in waiting)  # still queued

    admin = Chat(app.dispatcher, "admin")
    await admin.say("halo")
    for label in ("Bahasa Indonesia", "Lihat-lihat", t("start.btn_agree")):
        await admin.press(label)
    await admin.say("laporan siaran")
    assert "menunggu batas harian WhatsApp 3" in admin.text
