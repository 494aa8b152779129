"""Unmet demand: searches without a result become one grouped need; fitting vendors are told once a day per
need; admins list and export the needs; nobody records another's search."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.core import actions
from bot.errors import PermissionDenied
from bot.services import needs
from bot.services.search import service as search_service
from models import Identity, Need, NeedRequest, OutboxMessage, Product, SearchLog, User, Vendor
from tests.support import onboard, t

MISSING = "makanan dodol durian"  # the category is named, the product is not in the catalog
DAY = date(2026, 12, 1)


async def _user(session: AsyncSession, name: str, role: str, **kw: object) -> User:
    user = User(display_name=name.title(), role=role, onboarded=True, language="id", **kw)
    session.add(Identity(channel="console", external_id=name, user=user))
    await session.flush()
    return user


async def _vendor(session: AsyncSession, name: str, category: str, product: str, **kw: object) -> Vendor:
    owner = await _user(session, name, "vendor", **kw)
    vendor = Vendor(vendor_ref=f"V-{name}", user_id=owner.id, business_name=f"Usaha {name.title()}")
    session.add(vendor)
    await session.flush()
    session.add(Product(product_ref=f"P-{name}", vendor_id=vendor.id, name=product, category=category))
    await session.flush()
    return vendor


async def _market(session: AsyncSession) -> None:
    await _vendor(session, "sari", "makanan-minuman", "Keripik pisang")
    await _vendor(session, "wati", "makanan-minuman", "Kue lapis")
    await _vendor(session, "tono", "furnitur", "Kursi kayu")  # another category: not told
    await _vendor(session, "dewi", "makanan-minuman", "Roti sobek", announcements=False)  # opted out


async def _need_notices(session: AsyncSession) -> list[OutboxMessage]:
    return list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == needs.NOTICE)))


async def test_three_searches_make_one_need_and_vendors_are_told_once_a_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await _market(session)
        buyers = [await _user(session, f"opd{n}", "opd") for n in range(4)]
    for n, buyer_id in enumerate(b.id for b in buyers[:3]):
        async with sessions() as session, session.begin():
            query = MISSING if n else "Makanan  Dodol-Durian?"  # typed differently, the same need
            result = await search_service.search(session, query, user_id=buyer_id)
            assert result.results == () and result.search_log_id
            buyer = await session.get_one(User, buyer_id)
            await needs.record(session, buyer, result.search_log_id, quantity=10, needed_by=None, today=DAY)
    async with sessions() as session:
        [need] = (await session.scalars(select(Need))).all()
        assert (need.request_count, need.category) == (3, "makanan-minuman")
        told = await _need_notices(session)
        owners = {
            await session.scalar(select(Identity.external_id).where(Identity.id == row.identity_id)) for row in told
        }
        assert len(told) == 2 and owners == {"sari", "wati"}
        admin = User(is_admin=True)
        [row] = await needs.top(session, admin)
        assert (row.requests, row.total_quantity) == (3, 30)
    async with sessions() as session, session.begin():  # the next day, the same need: told again, once
        result = await search_service.search(session, MISSING, user_id=buyers[3].id)
        buyer = await session.get_one(User, buyers[3].id)
        await needs.record(session, buyer, result.search_log_id, quantity=None, needed_by=None, today=DAY)
        assert len(await _need_notices(session)) == 2
        result = await search_service.search(session, MISSING, user_id=buyers[3].id)
        await needs.record(
            session, buyer, result.search_log_id, quantity=None, needed_by=None, today=DAY + timedelta(days=1)
        )
        assert len(await _need_notices(session)) == 4
        assert (await session.scalar(select(Need.request_count))) == 5


async def test_recording_the_same_search_twice_counts_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        buyer = await _user(session, "opd1", "opd")
        result = await search_service.search(session, "kursi rotan antik", user_id=buyer.id)
        await needs.record(session, buyer, result.search_log_id, quantity=5, needed_by=None, today=DAY)
        await needs.record(session, buyer, result.search_log_id, quantity=7, needed_by=DAY, today=DAY)
        assert await session.scalar(select(Need.request_count)) == 1
        assert await session.scalar(select(func.count()).select_from(NeedRequest)) == 1
        assert await session.scalar(select(NeedRequest.quantity)) == 7


async def test_only_the_searcher_records_and_only_admins_list(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        andi = await _user(session, "andi", "opd")
        joko = await _user(session, "joko", "opd")
        result = await search_service.search(session, "mobil bekas", user_id=andi.id)
    async with sessions() as session:
        joko = await session.get_one(User, joko.id)
        with pytest.raises(PermissionDenied):
            await needs.record(session, joko, result.search_log_id, quantity=1, needed_by=None, today=DAY)
        with pytest.raises(PermissionDenied):
            await needs.top(session, joko)
        assert await session.scalar(select(func.count()).select_from(Need)) == 0


async def test_opd_records_a_need_in_the_chat_and_the_admin_exports_it(app: App) -> None:
    async with app.sessions() as session, session.begin():
        await _market(session)
    for name in ("opd1", "opd2", "opd3"):
        opd = await onboard(app.dispatcher, name, t("start.role_opd"))
        await opd.say(MISSING)
        assert opd.said("find.none", query=MISSING)
        await opd.press(t("find.btn_record_need"))
        assert opd.said("need_new.ask_quantity")
        await opd.say("50")
        await opd.say("kemarin lusa")
        assert opd.said("parse.date.invalid", example="20-12-2026")
        await opd.say((date.today() + timedelta(days=10)).strftime("%d-%m-%Y"))
        await opd.press(t("form.btn_save"))
        assert opd.said("find.need_recorded")
    async with app.sessions() as session:
        assert await session.scalar(select(Need.request_count)) == 3
        assert len(await _need_notices(session)) == 2

    budi = await onboard(app.dispatcher, "budi", t("start.role_opd"))
    await budi.say("kebutuhan")
    assert budi.said("needs.not_allowed")
    async with app.sessions() as session:
        entry = await session.scalar(select(SearchLog.id).order_by(SearchLog.id))
    await budi.press_payload(actions.encode("need", "rec", entry))
    assert budi.said("needs.not_yours")

    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await admin.say("kebutuhan")
    assert admin.said("needs.title") and "makanan dodol durian — 3×" in admin.text
    await admin.press(t("needs.btn_export"))
    assert admin.said("needs.exported", n=1)
    [reply] = admin.last
    assert reply.attachment is not None and reply.attachment.filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(reply.attachment.data)).active
    assert [c.value for c in sheet[1]][:2] == [t("needs.column_need"), t("needs.column_requests")]
    assert [c.value for c in sheet[2]][:3] == [MISSING, 3, 150]


async def test_deleting_my_data_cuts_the_link_to_my_needs(app: App) -> None:
    opd = await onboard(app.dispatcher, "opd1", t("start.role_opd"))
    await opd.say("kursi rotan antik")
    await opd.press(t("find.btn_record_need"))
    for answer in ("3", "lewati"):
        await opd.say(answer)
    await opd.press(t("form.btn_save"))
    async with app.sessions() as session:
        assert await session.scalar(select(NeedRequest.user_id)) is not None
    await opd.say("hapus data saya")
    await opd.press(t("data.btn_delete_yes"))
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(NeedRequest)) == 1  # the demand stays
        assert await session.scalar(select(NeedRequest.user_id)) is None
