"""Broadcast audiences, opt-out, admin-only, and the report: the service, with real rows."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import PermissionDenied
from bot.services import broadcasts
from bot.services.broadcasts import Audience
from bot.services.delivery import DeliveryWorker
from bot.services.outbox import Envelope
from models import Event, Identity, OutboxMessage, Product, Rsvp, User, Vendor, utcnow


async def _person(
    session: AsyncSession, name: str, role: str = "buyer", *, admin: bool = False, channel: str = "telegram"
) -> User:
    user = User(display_name=name, role=role, is_admin=admin, onboarded=True)
    session.add(Identity(channel=channel, external_id=name, user=user))
    await session.flush()
    return user


async def _vendor(session: AsyncSession, name: str, kecamatan: str, category: str, visible: bool = True) -> User:
    user = await _person(session, name, "vendor")
    vendor = Vendor(vendor_ref=f"v-{name}", user_id=user.id, business_name=f"Usaha {name}", kecamatan=kecamatan)
    session.add(vendor)
    await session.flush()
    session.add(Product(product_ref=f"p-{name}", vendor_id=vendor.id, name="x", category=category, visible=visible))
    await session.flush()
    return user


@pytest.fixture
async def city(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """An admin, three vendors in two kecamatan and categories, two OPD staff, a resident, an event."""
    async with sessions() as session, session.begin():
        admin = await _person(session, "admin", admin=True)
        await _vendor(session, "sari", "Metro Pusat", "makanan-minuman")
        await _vendor(session, "budi", "Metro Utara", "kerajinan")
        await _vendor(session, "tono", "Metro Utara", "makanan-minuman", visible=False)
        opd1 = await _person(session, "opd1", "opd")
        await _person(session, "opd2", "opd")
        await _person(session, "warga")
        half = User(display_name="half", onboarded=False)  # never finished /start: not an audience
        session.add(Identity(channel="telegram", external_id="half", user=half))
        event = Event(title="FGD", starts_at=utcnow() + timedelta(days=3))
        session.add(event)
        await session.flush()
        session.add_all([Rsvp(event_id=event.id, user_id=opd1.id, status="yes")])
        return {"admin": admin.id, "event": event.id}


async def _admin(session: AsyncSession, city: dict[str, int]) -> User:
    return await session.get_one(User, city["admin"])


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience("all"), 7),
        (Audience("vendors"), 3),
        (Audience("opd"), 2),
        (Audience("category", "makanan-minuman"), 1),  # tono's product is hidden
        (Audience("kecamatan", "metro utara"), 2),
        (Audience("event", "EVENT"), 1),
    ],
)
async def test_each_segment_counts_exactly(
    sessions: async_sessionmaker[AsyncSession], city: dict[str, int], audience: Audience, expected: int
) -> None:
    if audience.arg == "EVENT":
        audience = Audience("event", str(city["event"]))
    async with sessions() as session, session.begin():
        admin = await _admin(session, city)
        assert await broadcasts.count(session, admin, audience) == (expected, 0)
        broadcast = await broadcasts.create(session, admin, "Info FGD besok", audience)
    assert broadcast.total == expected
    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id)))
    assert len(rows) == expected and {r.kind for r in rows} == {"broadcast"}


async def test_opted_out_people_are_left_out_and_counted(
    sessions: async_sessionmaker[AsyncSession], city: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        sari = await session.scalar(select(User).where(User.display_name == "sari"))
        assert sari is not None
        assert await broadcasts.set_announcements(session, sari, False)
    async with sessions() as session, session.begin():
        broadcast = await broadcasts.create(session, await _admin(session, city), "Halo", Audience("vendors"))
        assert (broadcast.total, broadcast.opted_out) == (2, 1)


async def test_a_non_admin_is_refused_and_nothing_is_queued(
    sessions: async_sessionmaker[AsyncSession], city: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        opd = await session.scalar(select(User).where(User.display_name == "opd1"))
        assert opd is not None
        with pytest.raises(PermissionDenied):
            await broadcasts.create(session, opd, "Spam", Audience("all"))
        with pytest.raises(PermissionDenied):
            await broadcasts.count(session, opd, Audience("all"))
    async with sessions() as session:
        assert list(await session.scalars(select(OutboxMessage))) == []


async def test_one_copy_per_person_on_the_identity_used_last(
    sessions: async_sessionmaker[AsyncSession], city: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        warga = await session.scalar(select(User).where(User.display_name == "warga"))
        assert warga is not None
        newer = Identity(channel="whatsapp", external_id="ID.warga", user_id=warga.id, last_seen_at=utcnow())
        session.add(newer)
        await session.flush()
        newer_id = newer.id
    async with sessions() as session, session.begin():
        broadcast = await broadcasts.create(session, await _admin(session, city), "Halo", Audience("all"))
    async with sessions() as session:
        rows = list(
            await session.scalars(select(OutboxMessage.identity_id).where(OutboxMessage.broadcast_id == broadcast.id))
        )
    assert broadcast.total == 7 and len(set(rows)) == 7 and newer_id in rows


async def test_report_and_finish_after_delivery(
    sessions: async_sessionmaker[AsyncSession], city: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        broadcast = await broadcasts.create(session, await _admin(session, city), "Halo", Audience("opd"))
        blocked = await session.scalar(select(Identity).where(Identity.external_id == "opd2"))
        assert blocked is not None
        blocked.reachable = False

    async def send(envelope: Envelope) -> str:
        return "sent"

    assert await DeliveryWorker(sessions, {"telegram": send}).run_once() == 2
    async with sessions() as session, session.begin():
        assert await broadcasts.finish(session) == [broadcast.id]
        report = await broadcasts.report(session, await _admin(session, city), broadcast.id)
    assert (report.total, report.sent, report.blocked, report.pending, report.status) == (2, 1, 1, 0, "done")
    assert report.seconds is not None and report.seconds >= 0
    async with sessions() as session, session.begin():
        assert await broadcasts.finish(session) == []  # closed once
        [summary] = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice")))
        admin_identity = await session.scalar(select(Identity.id).where(Identity.external_id == "admin"))
    assert summary.identity_id == admin_identity and "broadcast.finished" in summary.payload


async def test_turning_announcements_off_withdraws_pending_ones(
    sessions: async_sessionmaker[AsyncSession], city: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        await broadcasts.create(session, await _admin(session, city), "Halo", Audience("opd"))
    async with sessions() as session, session.begin():
        opd = await session.scalar(select(User).where(User.display_name == "opd1"))
        assert opd is not None
        await broadcasts.set_announcements(session, opd, False)
    async with sessions() as session:
        assert Counter(await session.scalars(select(OutboxMessage.status))) == {"pending": 1, "opted_out": 1}
