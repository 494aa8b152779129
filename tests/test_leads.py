"""Leads: "Saya berminat" reaches the seller through the outbox, the seller answers, the buyer is told; only the
lead's own seller may answer it, and a forged id changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.core.wire import Locale, render
from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import leads, privacy
from bot.services.when import parse_local_date
from models import AuditLog, Identity, Lead, OutboxMessage, Product, User, Vendor
from tests.support import Chat, Phones, add_product, deliver_outbox, onboard, register_business, t

TOMORROW = date.today() + timedelta(days=1)


async def _person(session: AsyncSession, name: str, role: str, **kw: object) -> User:
    user = User(display_name=name.title(), role=role, onboarded=True, language="id", **kw)
    session.add(Identity(channel="console", external_id=name, user=user))
    await session.flush()
    return user


@pytest.fixture
async def market(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session, session.begin():
        seller = await _person(session, "sari", "vendor")
        other = await _person(session, "budi", "vendor")
        buyer = await _person(session, "opd1", "opd")
        vendor = Vendor(vendor_ref="V-1", user_id=seller.id, business_name="Keripik Bu Sari", phone="+6281234567890")
        session.add(vendor)
        await session.flush()
        product = Product(product_ref="P-1", vendor_id=vendor.id, name="Keripik pisang", category="makanan-minuman")
        session.add(product)
        await session.flush()
        return {"seller": seller.id, "other": other.id, "buyer": buyer.id}


async def _outbox(session: AsyncSession) -> list[OutboxMessage]:
    return list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == leads.NOTICE)))


async def test_interest_notifies_the_seller_and_the_answer_reaches_the_buyer(
    sessions: async_sessionmaker[AsyncSession], market: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        buyer = await session.get_one(User, market["buyer"])
        lead = await leads.create(session, buyer, "P-1", quantity=100, needed_by=TOMORROW, note="Untuk rapat")
        [to_seller] = await _outbox(session)
        replies, _ = render(to_seller.payload, "id", Locale())
        assert "Keripik pisang" in replies[0].text and "100" in replies[0].text
        assert [c.label for c in replies[0].choices] == [t("leads.btn_yes"), t("leads.btn_no"), t("leads.btn_ask")]
        lead_id = lead.id
    async with sessions() as session, session.begin():
        seller = await session.get_one(User, market["seller"])
        await leads.answer(session, seller, lead_id, leads.YES)
        await leads.answer(session, seller, lead_id, leads.YES)  # pressed twice: the buyer is told once
        assert len(await _outbox(session)) == 2
    async with sessions() as session:
        lead = await session.get_one(Lead, lead_id)
        assert (lead.status, lead.answer, lead.needed_by) == (leads.ANSWERED, leads.YES, TOMORROW)
        to_buyer = (await _outbox(session))[-1]
        text = render(to_buyer.payload, "id", Locale())[0][0].text
        assert "0812-3456-7890" in text  # the seller said Bisa: the buyer gets the number
        buyer = await session.get_one(User, market["buyer"])
        [view] = await leads.sent_by(session, buyer, date.today())
        assert view.seller_phone == "+6281234567890"


async def test_the_number_stays_hidden_until_the_seller_says_yes(
    sessions: async_sessionmaker[AsyncSession], market: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        buyer = await session.get_one(User, market["buyer"])  # an unverified OPD user may still send interest
        lead = await leads.create(session, buyer, "P-1", quantity=None, needed_by=None, note=None)
        [view] = await leads.sent_by(session, buyer, date.today())
        assert view.seller_phone is None
        seller = await session.get_one(User, market["seller"])
        await leads.answer(session, seller, lead.id, leads.NO)
        assert lead.status == leads.DECLINED
        [view] = await leads.sent_by(session, buyer, date.today())
        assert view.seller_phone is None


async def test_a_forged_or_foreign_lead_is_refused_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], market: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        buyer = await session.get_one(User, market["buyer"])
        lead_id = (await leads.create(session, buyer, "P-1", quantity=5, needed_by=None, note=None)).id
    async with sessions() as session:
        other = await session.get_one(User, market["other"])
        buyer = await session.get_one(User, market["buyer"])
        with pytest.raises(PermissionDenied):
            await leads.answer(session, other, lead_id, leads.YES)
        with pytest.raises(PermissionDenied):
            await leads.answer(session, buyer, lead_id, leads.YES)  # the buyer cannot answer for the seller
        with pytest.raises(NotFound):
            await leads.answer(session, other, 9999, leads.YES)
        with pytest.raises(PermissionDenied):
            await leads.close(session, other, lead_id)
        with pytest.raises(ValidationError):
            await leads.close(session, buyer, lead_id)  # not answered yet
        await session.rollback()
    async with sessions() as session:
        lead = await session.get_one(Lead, lead_id)
        assert (lead.status, lead.answer, lead.answered_at) == (leads.NEW, None, None)
        assert len(await _outbox(session)) == 1


async def test_open_leads_expire_after_their_day(
    sessions: async_sessionmaker[AsyncSession], market: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        buyer = await session.get_one(User, market["buyer"])
        lead = await leads.create(session, buyer, "P-1", quantity=5, needed_by=TOMORROW, note=None)
        assert await leads.expire_due(session, TOMORROW) == 0
        assert await leads.expire_due(session, TOMORROW + timedelta(days=1)) == 1
        await session.refresh(lead)
        assert lead.status == leads.EXPIRED
        assert (await leads.outcomes(session))[leads.EXPIRED] == 1


async def test_the_seller_cannot_ask_for_their_own_product(
    sessions: async_sessionmaker[AsyncSession], market: dict[str, int]
) -> None:
    async with sessions() as session:
        seller = await session.get_one(User, market["seller"])
        with pytest.raises(ValidationError):
            await leads.create(session, seller, "P-1", quantity=1, needed_by=None, note=None)
        with pytest.raises(NotFound):
            await leads.create(session, seller, "P-404", quantity=1, needed_by=None, note=None)


# ---- the whole story in the chat ---------------------------------------------------------------------------


async def test_a_buyer_sends_interest_and_sees_the_sellers_answer(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await register_business(sari)
    await add_product(sari, "Keripik Pisang Coklat", "15000")
    opd = await onboard(app.dispatcher, "opd1", t("start.role_opd"))
    await opd.say("keripik pisang")
    await opd.press("1.")
    assert t("leads.btn_interest") in opd.labels()
    await opd.press(t("leads.btn_interest"))
    assert opd.said("leads.intro") and opd.said("lead_new.ask_quantity")
    await opd.say("200 bungkus")
    await opd.say("kemarin dulu")
    assert opd.said("parse.date.invalid", example="20-12-2026")
    await opd.say(TOMORROW.strftime("%d-%m-%Y"))
    await opd.say("Untuk snack rapat")
    assert opd.said("form.summary_title")
    await opd.press(t("form.btn_save"))
    async with app.sessions() as session:
        lead_id = await session.scalar(select(Lead.id))
    assert opd.said("leads.sent", product="Keripik Pisang Coklat", id=lead_id)

    phones = Phones()
    assert await deliver_outbox(app, phones) == 1
    [notice] = phones.inbox["sari"]
    assert "Keripik Pisang Coklat" in notice.text and "200" in notice.text
    await sari.press_payload(notice.choices[2].action)  # Tanya dulu
    assert sari.said("leads.ask_intro", id=lead_id)
    await sari.say("Mau rasa apa saja, Bu?")
    await sari.press(t("form.btn_save"))
    assert sari.said("leads.answered_ask", id=lead_id)
    await sari.press_payload(notice.choices[0].action)  # Bisa / Siap
    assert sari.said("leads.answered_yes", id=lead_id)
    assert await deliver_outbox(app, phones) == 2
    question, yes = phones.texts("opd1")
    assert "Mau rasa apa saja, Bu?" in question
    assert "0812-3456-7890" in yes  # the seller answered Bisa: the unverified buyer gets the number

    await opd.say("permintaan saya")
    assert opd.said("leads.mine_title") and t("leads.status_answered") in opd.text
    await opd.press(t("leads.btn_done", n=1))
    assert opd.said("leads.closed", id=lead_id)
    await sari.say("permintaan masuk")
    assert sari.said("leads.received_title") and t("leads.status_done") in sari.text


async def test_someone_else_pressing_the_answer_button_is_refused(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await register_business(sari)
    await add_product(sari, "Keripik Pisang Coklat", "15000")
    opd = await onboard(app.dispatcher, "opd1", t("start.role_opd"))
    await opd.say("keripik pisang")
    await opd.press("1.")
    await opd.press(t("leads.btn_interest"))
    for answer in ("10", "lewati", "lewati"):
        await opd.say(answer)
    await opd.press(t("form.btn_save"))
    async with app.sessions() as session:
        lead_id = await session.scalar(select(Lead.id))
    budi: Chat = await onboard(app.dispatcher, "budi")
    await budi.press_payload(f"lead:ans:{lead_id}:yes")
    assert budi.said("leads.not_yours")
    await opd.press_payload(f"lead:ans:{lead_id}:yes")  # the buyer cannot answer for the seller either
    await budi.press_payload("lead:ans:987654:yes")
    assert budi.said("leads.not_found")
    async with app.sessions() as session:
        lead = await session.get_one(Lead, lead_id)
        assert lead.status == leads.NEW and lead.answer is None
        denied = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "permission.denied")
        )
    assert denied == 2


def test_a_needed_by_date_is_a_day_from_today_on() -> None:
    zone = "Asia/Jakarta"
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 WIB, Tuesday 1 December 2026
    assert parse_local_date("20-12-2026", zone, now) == date(2026, 12, 20)
    assert parse_local_date("besok", zone, now) == date(2026, 12, 2)
    assert parse_local_date("5 Jan", zone, now) == date(2027, 1, 5)  # no year: the next such day
    assert parse_local_date("hari ini", zone, now) == date(2026, 12, 1)
    for typed, key in (
        ("", "parse.date.empty"),
        ("30-11-2026", "parse.date.past"),
        ("31-02-2027", "parse.date.invalid"),
        ("kapan saja", "parse.date.invalid"),
        ("20-12-2026 jam 9", "parse.date.invalid"),
    ):
        with pytest.raises(ValidationError) as caught:
            parse_local_date(typed, zone, now)
        assert caught.value.key == key, typed


async def test_deleting_my_data_leaves_an_anonymous_lead(
    sessions: async_sessionmaker[AsyncSession], market: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        buyer = await session.get_one(User, market["buyer"])
        lead = await leads.create(session, buyer, "P-1", quantity=3, needed_by=None, note="Kirim ke kantor saya")
        seller = await session.get_one(User, market["seller"])
        await leads.answer(session, seller, lead.id, leads.ASK, "Alamat kantornya di mana, Bu?")
        await privacy.delete_my_data(session, buyer)
        await session.refresh(lead)
        assert (lead.note, lead.answer_note, lead.product_name) == (None, None, "Keripik pisang")
