"""Receipts for rows sent as several WhatsApp messages: every wamid maps to its row; `failed` on any part fails
the row; the row is delivered once all its parts are delivered, read once all are read."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.services import notify
from bot.services.outbox import REPLY, notice
from models import Identity, OutboxMessage, OutboxPart
from tests.fakes.graph_api import FakeGraphAPI, receipt
from tests.support import WhatsAppUser, running_whatsapp

LONG = "\n".join(f"Baris {n}: pelatihan UMKM, pameran produk dan temu bisnis dengan OPD Kota Metro." for n in range(90))


async def _queue_long_notice(sessions: async_sessionmaker[AsyncSession], external_id: str) -> int:
    async with sessions() as session, session.begin():
        user_id = await session.scalar(select(Identity.user_id).where(Identity.external_id == external_id))
        assert await notify.queue(session, user_id, notice(text=LONG))
        row_id = await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
    assert row_id is not None
    return int(row_id)


async def _row(sessions: async_sessionmaker[AsyncSession], row_id: int) -> tuple[OutboxMessage, list[OutboxPart]]:
    async with sessions() as session:
        row = await session.get_one(OutboxMessage, row_id)
        parts = list(
            await session.scalars(select(OutboxPart).where(OutboxPart.outbox_id == row_id).order_by(OutboxPart.id))
        )
    return row, parts


async def _sent(sessions: async_sessionmaker[AsyncSession], row_id: int) -> tuple[OutboxMessage, list[OutboxPart]]:
    async with asyncio.timeout(15):
        while True:
            row, parts = await _row(sessions, row_id)
            if row.status != "pending" and parts:
                return row, parts
            await asyncio.sleep(0.05)


async def test_every_part_of_a_split_notice_reports_to_its_row(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        await user.say("halo")
        row_id = await _queue_long_notice(sessions, user.user_id)
        row, parts = await _sent(sessions, row_id)
        texts = [s for s in graph.to(user.address) if s.wamid in {p.platform_message_id for p in parts}]
        assert row.status == "sent" and len(parts) == len(texts) == 2
        assert "".join(s.text for s in texts).count("Baris") == 90
        first, second = (p.platform_message_id for p in parts)
        assert row.platform_message_id == first

        await user.post(receipt(first, "delivered"))
        assert (await _row(sessions, row_id))[0].delivered_at is None  # one part of two
        await user.post(receipt(second, "delivered"))
        await user.post(receipt(second, "read"))
        row, _ = await _row(sessions, row_id)
        assert row.delivered_at is not None and row.read_at is None
        await user.post(receipt(first, "read"))
        await user.post(receipt(first, "sent"))  # late: never undoes a read
        row, parts = await _row(sessions, row_id)
        assert row.read_at is not None and [p.status for p in parts] == ["read", "read"]

        # Another split notice whose second part Meta cannot deliver: the row fails, with the code.
        row_id = await _queue_long_notice(sessions, user.user_id)
        row, parts = await _sent(sessions, row_id)
        await user.post(receipt(parts[0].platform_message_id, "delivered"))
        await user.post(receipt(parts[1].platform_message_id, "failed", 131026))
        row, parts = await _row(sessions, row_id)
        assert row.status == "failed" and row.last_error == "131026: failed receipt"
        assert [(p.status, p.error_code) for p in parts] == [("delivered", None), ("failed", "131026")]
        assert row.delivered_at is None


async def test_every_message_of_a_reply_batch_maps_to_its_reply_row(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        said = await user.say("halo")
        said += await user.press("Bahasa Indonesia")
        async with sessions() as session:
            rows = list(await session.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == REPLY)))
            parts = {p.platform_message_id: p.outbox_id for p in await session.scalars(select(OutboxPart))}
        assert len(rows) == 2 and len(said) >= 3
        assert set(parts) == {s.wamid for s in said} and set(parts.values()) == set(rows)
        batches = {row: [w for w, r in parts.items() if r == row] for row in rows}
        row_id, batch = max(batches.items(), key=lambda item: len(item[1]))
        assert len(batch) >= 2  # one update answered with several messages
        for wamid in batch:
            async with sessions() as session:
                assert (await session.get_one(OutboxMessage, row_id)).delivered_at is None
            await user.post(receipt(wamid, "delivered"))
        async with sessions() as session:
            assert (await session.get_one(OutboxMessage, row_id)).delivered_at is not None
