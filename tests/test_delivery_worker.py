"""The delivery worker: every due row is sent once, outcomes are recorded, blocked recipients are skipped,
transient failures are retried with backoff up to a cap, and several workers share the outbox safely."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import delivery
from bot.services.delivery import DeliveryWorker, WorkerSettings
from bot.services.outbox import Envelope
from models import Identity, OutboxMessage, User, utcnow


async def _recipients(sessions: async_sessionmaker[AsyncSession], n: int, channel: str = "telegram") -> list[int]:
    async with sessions() as session, session.begin():
        identities = [Identity(channel=channel, external_id=str(1000 + i), user=User()) for i in range(n)]
        session.add_all(identities)
        await session.flush()
        for identity in identities:
            session.add(OutboxMessage(identity_id=identity.id, kind="notice", payload=f"hello {identity.external_id}"))
        return [i.id for i in identities]


async def _statuses(sessions: async_sessionmaker[AsyncSession]) -> Counter[str]:
    async with sessions() as session:
        return Counter(await session.scalars(select(OutboxMessage.status)))


class Recorder:
    """A channel's send function that records each call and answers a scripted outcome."""

    def __init__(self, outcome: str = "sent") -> None:
        self.outcome = outcome
        self.calls: list[str] = []

    async def __call__(self, envelope: Envelope) -> str:
        self.calls.append(envelope.external_id)
        await asyncio.sleep(0)
        return self.outcome


async def test_due_rows_are_sent_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _recipients(sessions, 25)
    send = Recorder()
    worker = DeliveryWorker(sessions, {"telegram": send}, WorkerSettings(batch=10))
    total = 0
    while claimed := await worker.run_once():
        total += claimed
    assert total == 25 and len(send.calls) == 25 == len(set(send.calls))
    assert await _statuses(sessions) == {"sent": 25}
    assert await worker.run_once() == 0  # a sent row is never claimed again


async def test_retry_backs_off_then_fails_at_the_cap(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _recipients(sessions, 1)
    send = Recorder(delivery.RETRY)
    settings = WorkerSettings(max_attempts=3, backoff_base=timedelta(seconds=30))
    worker = DeliveryWorker(sessions, {"telegram": send}, settings)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # not due again until the backoff has passed
    async with sessions() as session:
        row = await session.scalar(select(OutboxMessage))
        assert row is not None and row.status == "pending" and row.attempts == 1
        assert row.due_at > utcnow() + timedelta(seconds=20)
    for _ in range(2):
        async with sessions() as session, session.begin():
            await session.execute(update(OutboxMessage).values(due_at=utcnow() - timedelta(seconds=1)))
        await worker.run_once()
    assert len(send.calls) == 3
    assert await _statuses(sessions) == {"failed": 1}


async def test_blocked_recipient_is_not_sent_again(sessions: async_sessionmaker[AsyncSession]) -> None:
    (identity_id,) = await _recipients(sessions, 1)
    worker = DeliveryWorker(sessions, {"telegram": Recorder("blocked")})
    await worker.run_once()
    async with sessions() as session, session.begin():
        identity = await session.get_one(Identity, identity_id)
        assert identity.reachable is False
        session.add(OutboxMessage(identity_id=identity_id, kind="notice", payload="second"))
    send = Recorder()
    await DeliveryWorker(sessions, {"telegram": send}).run_once()
    assert send.calls == []  # the second message is not even tried
    assert await _statuses(sessions) == {"blocked": 2}


async def test_expired_lease_is_claimed_again(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _recipients(sessions, 3)
    async with sessions() as session, session.begin():
        claimed = await delivery.claim(session, limit=10, lease=timedelta(minutes=5), reply_grace=timedelta(0))
    assert len(claimed) == 3  # a worker claimed them, then died without sending
    send = Recorder()
    worker = DeliveryWorker(sessions, {"telegram": send}, WorkerSettings(lease=timedelta(minutes=5)))
    assert await worker.run_once() == 0  # the lease still holds
    async with sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).values(claimed_at=utcnow() - timedelta(minutes=6)))
    assert await worker.run_once() == 3
    assert await _statuses(sessions) == {"sent": 3}


async def test_recent_reply_rows_are_left_to_the_intake(sessions: async_sessionmaker[AsyncSession]) -> None:
    (identity_id,) = await _recipients(sessions, 1)
    async with sessions() as session, session.begin():
        session.add(OutboxMessage(identity_id=identity_id, kind="reply", payload="{}"))
    send = Recorder()
    await DeliveryWorker(sessions, {"telegram": send}).run_once()
    assert send.calls == ["1000"]  # only the notice; the fresh reply is the intake's to send


async def test_two_workers_never_send_a_row_twice(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _recipients(sessions, 120)
    send = Recorder()
    settings = WorkerSettings(batch=7, poll_interval=0.05)
    workers = [DeliveryWorker(sessions, {"telegram": send}, settings) for _ in range(2)]

    async def until_empty(worker: DeliveryWorker) -> None:
        while await worker.run_once():
            pass

    await asyncio.gather(*(until_empty(w) for w in workers))
    assert len(send.calls) == 120 == len(set(send.calls))
    assert await _statuses(sessions) == {"sent": 120}
    assert all(w.counts.get("sent", 0) > 0 for w in workers)  # both took a share


async def test_rows_of_other_channels_are_left_for_their_senders(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _recipients(sessions, 2, channel="console")
    await _recipients(sessions, 1)
    send = Recorder()
    worker = DeliveryWorker(sessions, {"telegram": send})
    assert await worker.run_once() == 1  # only the Telegram row
    assert await worker.run_once() == 0
    assert await _statuses(sessions) == {"sent": 1, "pending": 2}


async def test_a_renewed_lease_keeps_other_workers_off(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _recipients(sessions, 2)
    start = utcnow()
    lease = timedelta(seconds=60)
    async with sessions() as session, session.begin():
        claimed = await delivery.claim(session, limit=10, lease=lease, reply_grace=timedelta(0), now=start)
    async with sessions() as session, session.begin():
        await delivery.renew(session, [e.id for e, _ in claimed], now=start + timedelta(seconds=50))
    async with sessions() as session, session.begin():
        later = start + timedelta(seconds=70)  # past the first lease, within the renewed one
        assert await delivery.claim(session, limit=10, lease=lease, reply_grace=timedelta(0), now=later) == []
    async with sessions() as session, session.begin():
        expired = start + timedelta(seconds=111)
        again = await delivery.claim(session, limit=10, lease=lease, reply_grace=timedelta(0), now=expired)
    assert len(again) == 2


async def test_a_worker_renews_its_lease_while_sending(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _recipients(sessions, 1)

    async def claimed_at() -> object:
        async with sessions() as session:
            return await session.scalar(select(OutboxMessage.claimed_at))

    async def slow_send(envelope: Envelope) -> str:
        first = await claimed_at()
        async with asyncio.timeout(30):
            while await claimed_at() == first:  # noqa: ASYNC110 - until the worker has renewed the lease
                await asyncio.sleep(0.05)
        return "sent"

    worker = DeliveryWorker(sessions, {"telegram": slow_send}, WorkerSettings(lease=timedelta(seconds=0.6)))
    assert await worker.run_once() == 1
    assert await _statuses(sessions) == {"sent": 1}
