"""Events: RSVP with capacity, reminders as outbox rows with due times (frozen clock), moved and cancelled events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.wire import Locale, render
from bot.errors import PermissionDenied, ValidationError
from bot.services import events
from bot.services.delivery import DeliveryWorker
from bot.services.events import EventDraft
from bot.services.outbox import Envelope
from models import Identity, OutboxMessage, User

ZONE = "Asia/Jakarta"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 WIB
STARTS = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # Friday 4 December, 10:00 WIB


async def _person(session: AsyncSession, name: str, role: str = "vendor", admin: bool = False) -> User:
    user = User(display_name=name, role=role, is_admin=admin, onboarded=True, language="id")
    session.add(Identity(channel="telegram", external_id=name, user=user))
    await session.flush()
    return user


@pytest.fixture
async def setup(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session, session.begin():
        admin = await _person(session, "admin", "buyer", admin=True)
        sari = await _person(session, "sari")
        budi = await _person(session, "budi")
        draft = EventDraft(title="Temu Bisnis P3DN", starts_at=STARTS, location="Aula Pemkot", capacity=1)
        event = await events.create(session, admin, draft, now=NOW)
        return {"admin": admin.id, "sari": sari.id, "budi": budi.id, "event": event.id}


async def _reminders(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, datetime]]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.due_at)
            .where(OutboxMessage.kind == "reminder")
            .order_by(OutboxMessage.due_at)
        )
        return [(kind, due) for kind, due in rows]


def test_reminder_times_are_local() -> None:
    times = events.reminder_times(STARTS, ZONE)
    assert times["day"] == datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 09:00 WIB the day before
    assert times["morning"] == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 07:00 WIB on the day
    early = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 08:00 WIB: the morning reminder two hours before
    assert events.reminder_times(early, ZONE)["morning"] == datetime(2026, 12, 3, 23, 0, tzinfo=UTC)


async def test_rsvp_queues_two_reminders_once(
    sessions: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    for _ in range(2):  # answering twice queues once
        async with sessions() as session, session.begin():
            sari = await session.get_one(User, setup["sari"])
            await events.answer(session, sari, setup["event"], "maybe", ZONE, now=NOW)
    assert [due for _k, due in await _reminders(sessions)] == list(events.reminder_times(STARTS, ZONE).values())
    async with sessions() as session, session.begin():
        sari = await session.get_one(User, setup["sari"])
        await events.answer(session, sari, setup["event"], "no", ZONE, now=NOW)
    assert await _reminders(sessions) == []


async def test_capacity_is_respected(sessions: async_sessionmaker[AsyncSession], setup: dict[str, int]) -> None:
    async with sessions() as session, session.begin():
        await events.answer(session, await session.get_one(User, setup["sari"]), setup["event"], "yes", ZONE, now=NOW)
    async with sessions() as session, session.begin():
        budi = await session.get_one(User, setup["budi"])
        with pytest.raises(ValidationError) as refused:
            await events.answer(session, budi, setup["event"], "yes", ZONE, now=NOW)
        assert refused.value.key == "event.full"
        await events.answer(session, budi, setup["event"], "maybe", ZONE, now=NOW)  # still allowed
        seats = await events.attendance(session, setup["event"])
    assert (seats.yes, seats.maybe, seats.full) == (1, 1, True)


async def test_reminders_are_sent_when_due_in_local_time(
    sessions: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        await events.answer(session, await session.get_one(User, setup["sari"]), setup["event"], "yes", ZONE, now=NOW)
    texts: list[str] = []

    async def send(envelope: Envelope) -> str:
        replies, _meta = render(envelope.payload, envelope.language, Locale("id", ZONE, "WIB"))
        texts.extend(r.text for r in replies)
        return "sent"

    clock = {"now": NOW}
    worker = DeliveryWorker(sessions, {"telegram": send}, clock=lambda: clock["now"])
    assert await worker.run_once() == 0  # nothing due yet
    clock["now"] = datetime(2026, 12, 3, 2, 1, tzinfo=UTC)
    assert await worker.run_once() == 1
    clock["now"] = datetime(2026, 12, 4, 0, 1, tzinfo=UTC)
    assert await worker.run_once() == 1
    assert len(texts) == 2
    assert all("Temu Bisnis P3DN" in t and "10.00 WIB" in t and "Jumat, 4 Desember 2026" in t for t in texts)


async def test_a_moved_event_moves_its_reminders_and_tells_attendees(
    sessions: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        await events.answer(session, await session.get_one(User, setup["sari"]), setup["event"], "yes", ZONE, now=NOW)
    later = STARTS + timedelta(days=7)
    async with sessions() as session, session.begin():
        await events.move(session, await session.get_one(User, setup["admin"]), setup["event"], later, ZONE, now=NOW)
    assert [due for _k, due in await _reminders(sessions)] == list(events.reminder_times(later, ZONE).values())
    async with sessions() as session:
        told = list(await session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == "event")))
    assert len(told) == 1 and "event.moved" in told[0]


async def test_a_cancelled_event_withdraws_reminders(
    sessions: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    async with sessions() as session, session.begin():
        await events.answer(session, await session.get_one(User, setup["sari"]), setup["event"], "yes", ZONE, now=NOW)
        await events.cancel(session, await session.get_one(User, setup["admin"]), setup["event"], now=NOW)
    assert await _reminders(sessions) == []
    async with sessions() as session, session.begin():
        told = list(await session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == "event")))
        assert len(told) == 1 and "event.cancelled" in told[0]
        assert await events.upcoming(session, await session.get_one(User, setup["sari"]), now=NOW) == []


async def test_only_admins_manage_events(sessions: async_sessionmaker[AsyncSession], setup: dict[str, int]) -> None:
    async with sessions() as session, session.begin():
        sari = await session.get_one(User, setup["sari"])
        with pytest.raises(PermissionDenied):
            await events.create(session, sari, EventDraft(title="x", starts_at=STARTS), now=NOW)
        with pytest.raises(PermissionDenied):
            await events.cancel(session, sari, setup["event"], now=NOW)
        with pytest.raises(PermissionDenied):
            await events.guests(session, sari, setup["event"])
        event = await events.get(session, setup["event"])
        assert event.cancelled_at is None
