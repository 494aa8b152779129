"""The delivery worker: claims due outbox rows and sends each through its recipient's channel.

The worker knows no platform. Each channel gives it a `Send`: a function that renders and sends one row and
says how it went (`sent`, `blocked`, `retry`, `failed`, or a channel's own final status such as
`needs_template`). Pacing, retry-after pauses and network retries live in the channel's sender; the worker
only records outcomes, re-schedules `retry` with backoff up to a cap, and stops at unreachable recipients.

Exactly once, as far as a platform allows: a row is claimed (a lease: `claimed_at`) before it is sent and
marked right after; a row marked sent is never claimed again; while a worker is alive it renews the lease of
the rows it is still sending; a crash leaves them to be taken again when their lease runs out, so only rows
in flight at the crash can be sent twice.
On PostgreSQL the claim is `SELECT … FOR UPDATE SKIP LOCKED`, so any number of workers (processes or
machines) share the outbox; on SQLite one worker claims at a time (its write transactions are serial).
Reply rows are sent by the process that handled the update (bot/core/intake.py); the worker takes one only
when it has been waiting longer than `reply_grace` (that process died or its send failed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import broadcasts
from bot.services.outbox import (
    BLOCKED,
    FAILED,
    PENDING,
    REPLY,
    RETRY,
    SENT,
    WAITING_FOR_CAP,
    Envelope,
    envelopes,
)
from models import Identity, OutboxMessage, utcnow

logger = logging.getLogger(__name__)

UNREACHABLE = "unreachable"
# An outcome, not a status: the channel cannot send it yet (WhatsApp's daily cap of recipients); the row waits
# `backoff_cap` without using up one of its attempts, marked `WAITING_FOR_CAP` (the broadcast report counts it).
DEFERRED = "deferred"

Send = Callable[[Envelope], Awaitable[str]]


@dataclass(frozen=True)
class WorkerSettings:
    """How much a worker takes at once and how patiently it retries."""

    batch: int = 200
    concurrency: int = 40
    lease: timedelta = timedelta(minutes=5)
    reply_grace: timedelta = timedelta(seconds=60)
    poll_interval: float = 1.0
    max_attempts: int = 6
    backoff_base: timedelta = timedelta(seconds=10)
    backoff_cap: timedelta = timedelta(minutes=30)


def worker_settings(batch: int, concurrency: int, lease_seconds: int, max_attempts: int, poll: float) -> WorkerSettings:
    """Worker settings from the configured values (DELIVERY_* in the environment)."""
    return WorkerSettings(
        batch=batch,
        concurrency=concurrency,
        lease=timedelta(seconds=lease_seconds),
        max_attempts=max_attempts,
        poll_interval=poll,
    )


def backoff(settings: WorkerSettings, attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed try."""
    return min(settings.backoff_base * (2 ** max(attempts - 1, 0)), settings.backoff_cap)


async def claim(
    session: AsyncSession,
    *,
    limit: int,
    lease: timedelta,
    reply_grace: timedelta,
    channels: Collection[str] | None = None,
    now: datetime | None = None,
) -> list[tuple[Envelope, bool]]:
    """Claim up to `limit` due rows (due first) for `channels` (all when None); each with whether its
    recipient is still reachable. Rows of other channels are left to the processes that can send them."""
    now = now or utcnow()
    due = (
        select(OutboxMessage.id)
        .join(Identity, Identity.id == OutboxMessage.identity_id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.due_at <= now,
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - lease),
            or_(OutboxMessage.kind != REPLY, OutboxMessage.created_at < now - reply_grace),
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if channels is not None:
        due = due.where(Identity.channel.in_(list(channels)))
    if session.bind.dialect.name == "postgresql":
        due = due.with_for_update(of=OutboxMessage, skip_locked=True)
    ids = list(await session.scalars(due))
    if not ids:
        return []
    await session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(claimed_at=now))
    rows = await session.execute(
        envelopes(Identity.reachable).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return [(Envelope(*row[:-1]), bool(row[-1])) for row in rows]


async def renew(session: AsyncSession, row_ids: list[int], now: datetime | None = None) -> None:
    """Extend the lease of claimed rows that are still pending (the worker holding them is alive)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(row_ids), OutboxMessage.status == PENDING)
        .values(claimed_at=now or utcnow())
    )


async def record(
    session: AsyncSession, envelope: Envelope, outcome: str, settings: WorkerSettings, error: str | None = None
) -> str:
    """Store the outcome of one send; returns the row's new status."""
    now = utcnow()
    attempts = envelope.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "claimed_at": None}
    if outcome == DEFERRED:
        values.update(
            status=PENDING, due_at=now + settings.backoff_cap, attempts=envelope.attempts, last_error=WAITING_FOR_CAP
        )
    elif outcome == RETRY and attempts < settings.max_attempts:
        values.update(status=PENDING, due_at=now + backoff(settings, attempts))
    elif outcome == RETRY:
        values["status"] = FAILED
    elif outcome == UNREACHABLE:
        values["status"] = BLOCKED
    else:
        values["status"] = outcome
    if values["status"] == SENT:
        values["sent_at"] = now
    if error is not None:
        values["last_error"] = error[:2000]
    elif outcome != DEFERRED:  # no longer waiting for the daily cap
        values["last_error"] = func.nullif(OutboxMessage.last_error, WAITING_FOR_CAP)
    # Only a row still pending: a platform's receipt (a "failed" status callback) may have settled it meanwhile.
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == envelope.id, OutboxMessage.status == PENDING).values(**values)
    )
    if values["status"] == BLOCKED:
        await session.execute(
            update(Identity)
            .where(Identity.channel == envelope.channel, Identity.external_id == envelope.external_id)
            .values(reachable=False)
        )
    return str(values["status"])


class DeliveryWorker:
    """Claims and sends due outbox rows until stopped; several may run at once on PostgreSQL."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        senders: Mapping[str, Send],
        settings: WorkerSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.senders = dict(senders)
        self.settings = settings or WorkerSettings()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self.counts: dict[str, int] = {}

    def wake(self) -> None:
        """Something was queued in this process: look now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; the rows being sent when it is set are finished first."""
        logger.info("delivery worker started for channels %s", ", ".join(sorted(self.senders)) or "(none)")
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:
                logger.exception("delivery round failed; trying again shortly")
                sent = 0
            if sent:
                await self._close_broadcasts()
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=self.settings.poll_interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def _close_broadcasts(self) -> None:
        try:
            async with self.sessions() as session, session.begin():
                await broadcasts.finish(session)
        except Exception:  # a summary can wait for the next round; delivery must go on
            logger.exception("could not close finished broadcasts")

    async def run_once(self) -> int:
        """Claim one batch and send it; how many rows were claimed."""
        async with self.sessions() as session, session.begin():
            claimed = await claim(
                session,
                limit=self.settings.batch,
                lease=self.settings.lease,
                reply_grace=self.settings.reply_grace,
                channels=self.senders.keys(),
                now=self.clock(),
            )
        if claimed:
            in_flight = {envelope.id for envelope, _reachable in claimed}
            keeper = asyncio.create_task(self._keep_lease(in_flight))
            try:
                await asyncio.gather(*(self._deliver(e, reachable, in_flight) for e, reachable in claimed))
            finally:
                keeper.cancel()
        return len(claimed)

    async def _keep_lease(self, in_flight: set[int]) -> None:
        """While a batch is being sent (a long flood-control pause, a slow platform), renew the claim of the
        rows not sent yet, so another worker never takes them over while this one is alive."""
        interval = self.settings.lease.total_seconds() / 3
        while in_flight:
            await asyncio.sleep(interval)
            try:
                async with self.sessions() as session, session.begin():
                    await renew(session, sorted(in_flight), now=self.clock())
            except Exception:  # the next renewal, or the lease itself, covers a missed one
                logger.exception("could not renew the lease of %s outbox rows", len(in_flight))

    async def _deliver(self, envelope: Envelope, reachable: bool, in_flight: set[int]) -> None:
        send = self.senders.get(envelope.channel)
        error: str | None = None
        if not reachable or send is None:
            outcome = UNREACHABLE
        else:
            async with self._slots:
                try:
                    outcome = await send(envelope)
                except Exception as err:  # a bug in one row must not stop the others; it is retried
                    logger.exception("sending outbox row %s failed", envelope.id)
                    outcome, error = RETRY, repr(err)
        async with self.sessions() as session, session.begin():
            status = await record(session, envelope, outcome, self.settings, error)
        in_flight.discard(envelope.id)
        self.counts[status] = self.counts.get(status, 0) + 1
