"""Durable intake and reply delivery for the channels that receive updates from a platform.

1. `accept`: a channel hands over an update; it is stored in the inbox (bot/services/inbox.py) and only
   then may the channel acknowledge it to the platform (webhook 200, polling offset). A duplicate is dropped.
   `accept_many` stores a whole polled batch in one transaction (one multi-row INSERT), the same way.
2. A worker per chat handles that chat's stored updates one after the other, in arrival order, through
   `Dispatcher.handle_stored`: effects, "handled" mark and the replies' outbox row commit together. Across
   processes the order holds too: each handling takes the chat's oldest waiting update under a chat lock
   (bot/services/inbox.py `claim_next`), so an update another process stored earlier goes first.
3. After commit the replies go out through the channel's `Outlet`, and the outbox row records the outcome:
   outcomes are written in batches (one transaction for all the sends that finished meanwhile), so a crash
   may send a reply twice whose mark was still waiting, never lose one.
4. `resume` (at start-up) sends reply rows a crash left unsent and queues the updates still pending.
5. `drain` (at shutdown) stops accepting and waits, for a bounded time, for the queued work to finish;
   whatever is left stays in the database for the next start.

Nothing here knows a platform: each channel attaches an `Outlet` that renders and sends replies.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.dispatcher import Dispatcher
from bot.core.messages import Inbound, Reply
from bot.core.wire import Meta, dump_inbound, load_inbound, load_replies
from bot.services import inbox, outbox

logger = logging.getLogger(__name__)

# How long a send's outcome may wait to be written with others (a crash then may send those replies twice).
OUTCOME_DELAY = 0.05


class Outlet(Protocol):
    """A channel's way out: render and send replies to one address; says how it went (an outbox status)."""

    async def deliver(self, external_id: str, replies: Sequence[Reply], meta: Meta) -> str:
        """Send the replies in order; `outbox.SENT`, `outbox.BLOCKED` or `outbox.FAILED`."""
        ...


Prepare = Callable[[Inbound], Awaitable[Inbound]]


@dataclass(slots=True)
class _Update:
    inbox_id: int
    inbound: Inbound
    meta: Meta


@dataclass(slots=True)
class _Resend:
    outbox_id: int
    replies: list[Reply]
    meta: Meta


@dataclass
class _Chat:
    work: deque[_Update | _Resend] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None


class Intake:
    """Accepts updates durably, handles them per chat in order, delivers the replies after commit."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], dispatcher: Dispatcher) -> None:
        self.sessions = sessions
        self._engine: AsyncEngine = sessions.kw["bind"]
        self.dispatcher = dispatcher
        self._outlets: dict[str, Outlet] = {}
        self._prepare: dict[str, Prepare] = {}
        self._chats: dict[tuple[str, str], _Chat] = {}
        self._accepting = True
        self.duplicates = 0
        self._outcomes: list[tuple[int, str]] = []
        self._marking: asyncio.Task[None] | None = None

    def attach(self, channel: str, outlet: Outlet, prepare: Prepare | None = None) -> None:
        """Register the channel that sends replies for `channel` addresses, and what it does to a stored
        update before it is handled (e.g. WhatsApp fetches a picture, which its webhook must not wait for)."""
        self._outlets[channel] = outlet
        if prepare is not None:
            self._prepare[channel] = prepare

    @property
    def idle(self) -> bool:
        """True when no chat has work queued or in progress and every send's outcome is recorded."""
        return not self._chats and self._marking is None

    async def accept(self, inbound: Inbound, meta: Meta | None = None) -> bool:
        """Store an update; True when it is new and will be handled. Acknowledge the platform only after this.

        Raises when the database cannot store it (the platform then retries: nothing is acknowledged).
        """
        return (await self.accept_many([(inbound, meta)]))[0]

    async def accept_many(self, updates: Sequence[tuple[Inbound, Meta | None]]) -> list[bool]:
        """Store a batch of updates (one long poll) in one transaction, with one INSERT; for each, True when it
        is new and will be handled. Acknowledge the platform only after this; it stores all or none.

        Raises when the database cannot store them (the platform then retries: nothing is acknowledged).
        """
        if any(not inbound.update_id for inbound, _meta in updates):
            raise ValueError("a stored update needs an update id")
        if not self._accepting:
            raise RuntimeError("the intake is shutting down")
        by_channel: dict[str, list[tuple[str, str, str]]] = {}
        for inbound, meta in updates:
            row = (inbound.update_id or "", inbound.external_id, dump_inbound(inbound, meta))
            by_channel.setdefault(inbound.channel.value, []).append(row)
        stored: dict[str, dict[str, int]] = {}
        # The INSERTs on a connection of the session factory's engine, without an ORM session around them; on
        # PostgreSQL a single one commits by itself (one round trip instead of BEGIN, INSERT, COMMIT).
        async with self._engine.connect() as connection:
            if connection.dialect.name == "postgresql" and len(by_channel) == 1:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            for channel, rows in by_channel.items():
                stored[channel] = await inbox.accept_many(connection, channel, rows)
            await connection.commit()
        new: list[bool] = []
        queued: list[tuple[int, str, _Update]] = []
        for inbound, meta in updates:
            channel = inbound.channel.value
            # Each key once: a second copy in the same batch is a duplicate too.
            inbox_id = stored[channel].pop((inbound.update_id or "")[:128], None)
            new.append(inbox_id is not None)
            if inbox_id is None:
                self.duplicates += 1
                logger.info("dropping repeated %s update %s", channel, inbound.update_id)
                continue
            queued.append((inbox_id, channel, _Update(inbox_id, inbound, meta or {})))
        # In inbox id order, the order each chat's updates are claimed in (bot/services/inbox.py `claim_next`).
        for _inbox_id, channel, item in sorted(queued, key=lambda entry: entry[0]):
            self._queue(channel, item.inbound.external_id, item)
        return new

    async def resume(self) -> tuple[int, int]:
        """After a start: queue unsent replies, then the updates still pending; returns both counts.

        Accepting is open again from here (after a `drain`, as when a server is started again in-process).
        """
        self._accepting = True
        async with self.sessions() as session:
            unsent = await outbox.undelivered(session, kind=outbox.REPLY)
            waiting = await inbox.pending(session)
        for envelope in unsent:
            replies, meta = load_replies(envelope.payload)
            self._queue(envelope.channel, envelope.external_id, _Resend(envelope.id, replies, meta))
        for stored in waiting:
            inbound, meta = load_inbound(stored.payload)
            self._queue(stored.channel, stored.chat, _Update(stored.id, inbound, meta))
        if unsent or waiting:
            logger.info("resuming %s unsent reply batches and %s pending updates", len(unsent), len(waiting))
        return len(unsent), len(waiting)

    async def drain(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109 - a shutdown grace period
        """Stop accepting, wait up to `timeout` for queued work; returns how many chats were left unfinished."""
        self._accepting = False
        tasks = [chat.task for chat in self._chats.values() if chat.task is not None]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
                logger.warning("stopped with %s chats unfinished; their updates wait in the inbox", len(pending))
            await self._marks_written()
            return len(pending)
        await self._marks_written()
        return 0

    async def wait_idle(self) -> None:
        """Wait until every queued update is handled and answered (tests, benchmarks)."""
        while self._chats or self._marking is not None:
            tasks = [chat.task for chat in self._chats.values() if chat.task is not None]
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._marks_written()

    async def _marks_written(self) -> None:
        if self._marking is not None:
            await asyncio.gather(self._marking, return_exceptions=True)

    # ---- per chat -----------------------------------------------------------------------------------------

    def _queue(self, channel: str, chat_id: str, item: _Update | _Resend) -> None:
        key = (channel, chat_id)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        chat.work.append(item)
        if chat.task is None:
            chat.task = asyncio.create_task(self._run(key, chat), name=f"chat-{channel}-{chat_id}")

    async def _run(self, key: tuple[str, str], chat: _Chat) -> None:
        try:
            while chat.work:
                item = chat.work[0]
                try:
                    await self._do(key, item)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # The update or reply stays in the database; the next start takes it up again.
                    logger.exception("chat %s:%s: work item failed", *key)
                chat.work.popleft()
        finally:
            if self._chats.get(key) is chat:
                del self._chats[key]

    async def _do(self, key: tuple[str, str], item: _Update | _Resend) -> None:
        channel, chat_id = key
        if isinstance(item, _Resend):
            await self._deliver(channel, chat_id, item.outbox_id, item.replies, item.meta)
            return
        inbound = item.inbound
        if (prepare := self._prepare.get(channel)) is not None:
            inbound = await prepare(inbound)
        while True:
            # Usually this update; first any earlier one of the chat that another process stored (its order).
            # Such an earlier one was not prepared here (its own process would have): its media stays a
            # platform reference (known edge, see docs/whatsapp.md).
            handled = await self.dispatcher.handle_stored(item.inbox_id, inbound, item.meta)
            if handled.replies:
                await self._deliver(channel, chat_id, handled.outbox_id, handled.replies, handled.meta)
            if handled.inbox_id is None or handled.inbox_id >= item.inbox_id:
                return

    async def _deliver(
        self, channel: str, chat_id: str, outbox_id: int | None, replies: Sequence[Reply], meta: Meta
    ) -> None:
        outlet = self._outlets.get(channel)
        if outlet is None:
            logger.error("no outlet for channel %s; %s replies stay in the outbox", channel, len(replies))
            return
        if outbox_id is not None:  # the channel may note what the row became (e.g. WhatsApp's message ids)
            meta = {**meta, "outbox_id": outbox_id}
        status = await outlet.deliver(chat_id, replies, meta)
        if outbox_id is not None:
            self._outcomes.append((outbox_id, status))
            if self._marking is None:
                self._marking = asyncio.create_task(self._mark_outcomes(), name="intake-outcomes")

    async def _mark_outcomes(self) -> None:
        """Write the outcomes of the sends that finished, in one transaction, until none is left."""
        try:
            while self._outcomes:
                await asyncio.sleep(OUTCOME_DELAY)  # let the outcomes of the sends finishing now join this batch
                batch: list[tuple[int, str]] = []
                try:
                    async with self.sessions() as session, session.begin():
                        await session.connection()  # waiting for it (SQLite has one) lets outcomes gather
                        batch, self._outcomes = self._outcomes, []
                        await outbox.mark_many(session, batch)
                except Exception:
                    # Those rows stay pending: the delivery worker sends them again after its grace period.
                    if not batch:
                        batch, self._outcomes = self._outcomes, []
                    logger.exception("could not record the outcome of %s sends", len(batch))
        finally:
            self._marking = None
