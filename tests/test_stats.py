"""`statistik` for the Dinas: numbers from the catalog, searches, leads and needs; PNG charts and an XLSX file;
admins only."""

from __future__ import annotations

import struct
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.errors import PermissionDenied
from bot.services import stats, stats_charts
from bot.services.catalog_io import load_demo_catalog
from bot.services.search import service as search_service
from models import User
from tests.support import onboard, t

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZONE = "Asia/Jakarta"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_the_numbers_follow_the_catalog_and_the_searches(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await load_demo_catalog(sessions) > 0
    async with sessions() as session, session.begin():
        for query in ("keripik", "mobil bekas", "batik"):
            await search_service.search(session, query)
    async with sessions() as session:
        data = await stats.collect(session, User(is_admin=True), date.today(), ZONE)
        assert data.vendors > 0 and data.products == sum(g.products for g in data.by_category)
        assert sum(g.products for g in data.by_kecamatan) == data.products
        assert data.searches == 3 and 0 < data.hit_rate < 1
        assert [c.claim for c in data.claims] == list(stats.CLAIMS)
        assert len(data.weeks) == stats.WEEKS and data.weeks[-1].searches == 3
        with pytest.raises(PermissionDenied):
            await stats.collect(session, User(is_admin=False), date.today(), ZONE)


def test_a_chart_is_a_png_of_sane_size() -> None:
    png = stats_charts.bars("Judul", ["a", "b"], [("x", [1, 2]), ("y", [3, 0])])
    width, height = _png_size(png)
    assert 400 <= width <= 2000 and 300 <= height <= 2000 and len(png) > 5_000


async def test_statistik_on_the_demo_catalog_sends_charts_text_and_a_workbook(app: App) -> None:
    await load_demo_catalog(app.sessions)
    opd = await onboard(app.dispatcher, "opd1", t("start.role_opd"))
    await opd.say("keripik pisang")
    await opd.say("mobil bekas")
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await admin.say("statistik")
    assert admin.said("stats.title")
    assert admin.said("stats.searches", weeks=stats.WEEKS, searches=2, rate="50%")
    photos = [r.attachment for r in admin.last if r.attachment is not None and r.attachment.photo]
    assert len(photos) >= 2
    for photo in photos:
        width, height = _png_size(photo.data)
        assert 400 <= width <= 2000 and 300 <= height <= 2000 and len(photo.data) > 5_000
    await admin.press(t("stats.btn_export"))
    assert admin.said("stats.exported")
    [reply] = admin.last
    assert reply.attachment is not None and reply.attachment.filename.endswith(".xlsx")
    book = load_workbook(BytesIO(reply.attachment.data))
    assert t("stats.sheet_category") in book.sheetnames and t("needs.sheet") in book.sheetnames
    searches = book[t("stats.sheet_searches")]
    assert [c.value for c in searches[searches.max_row]][1:3] == [2, 1]


async def test_statistik_is_for_admins_only(app: App) -> None:
    opd = await onboard(app.dispatcher, "opd1", t("start.role_opd"))
    await opd.say("statistik")
    assert opd.said("stats.not_allowed")
    assert all(r.attachment is None for r in opd.last)
    await opd.press_payload("stat:export")
    assert opd.said("stats.not_allowed")
    assert all(r.attachment is None for r in opd.last)
