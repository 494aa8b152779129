"""Durable intake: an accepted update is handled exactly once, in order, and its replies reach the user,
even when the process stops between accepting and handling, or between committing and sending."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from bot.core.intake import Intake
from bot.core.messages import Channel, Choice, Inbound, Reply
from bot.core.wire import Meta, dump_inbound, dump_replies, load_inbound, load_replies
from bot.services import outbox
from models import InboxUpdate, OutboxMessage


@dataclass
class RecordingOutlet:
    """Stands in for a channel: records what it was asked to send; can be made to fail or hang."""

    sent: list[tuple[str, list[str], Meta]] = field(default_factory=list)
    status: str = outbox.SENT
    hang: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(self, external_id: str, replies: Sequence[Reply], meta: Meta) -> str:
        self.entered.set()
        if self.hang is not None:
            await self.hang.wait()
        self.sent.append((external_id, [r.text for r in replies], meta))
        return self.status


def _msg(user: str, update: int, text: str) -> Inbound:
    return Inbound(Channel.TELEGRAM, user, text=text, update_id=str(update), language_hint="id")


def _intake(app: object, outlet: RecordingOutlet) -> Intake:
    intake = Intake(app.sessions, app.dispatcher)  # type: ignore[attr-defined]
    intake.attach(Channel.TELEGRAM.value, outlet)
    return intake


async def _count(app: object, model: type, *where: object) -> int:
    async with app.sessions() as session:  # type: ignore[attr-defined]
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_wire_round_trip() -> None:
    inbound = Inbound(Channel.TELEGRAM, "42", text="halo 👋", action="prod:open:7", update_id="9", phone="+62812")
    again, meta = load_inbound(dump_inbound(inbound, {"origin": {"message_id": 5}}))
    assert again == inbound and meta == {"origin": {"message_id": 5}}
    replies = [Reply("a", (Choice("Ya", "x:y:1"), Choice("Web", "", url="https://e.id")), edit=True, locale="en")]
    back, meta = load_replies(dump_replies(replies, {"k": 1}))
    assert back == replies and meta == {"k": 1}


async def test_accepted_updates_are_handled_once_in_order(app: object) -> None:
    outlet = RecordingOutlet()
    intake = _intake(app, outlet)
    assert await intake.accept(_msg("u1", 1, "halo"))
    assert not await intake.accept(_msg("u1", 1, "halo"))  # the same update delivered twice
    assert await intake.accept(_msg("u1", 2, "bantuan"))
    await intake.wait_idle()
    assert [u for u, _t, _m in outlet.sent] == ["u1", "u1"]
    assert intake.duplicates == 1
    assert await _count(app, InboxUpdate, InboxUpdate.status == "pending") == 0
    async with app.sessions() as session:  # type: ignore[attr-defined]
        assert await outbox.count_by_status(session) == {"sent": 2}


async def test_updates_accepted_before_a_crash_are_handled_after_restart(app: object) -> None:
    stuck = RecordingOutlet(hang=asyncio.Event())  # never gets to send: the process "dies"
    first = _intake(app, stuck)
    for n, text in enumerate(["halo", "keripik pisang", "kopi"], start=1):
        await first.accept(_msg("u2", n, text))
    await asyncio.wait_for(stuck.entered.wait(), 30)  # the first reply is committed and being sent
    assert await first.drain(timeout=0.05) == 1  # the chat's work was cut off
    outlet = RecordingOutlet()
    restarted = _intake(app, outlet)
    unsent, waiting = await restarted.resume()
    await restarted.wait_idle()
    # The first update was handled (its reply row committed) but never sent; the other two were pending.
    assert (unsent, waiting) == (1, 2)
    assert len(outlet.sent) == 3
    assert await _count(app, InboxUpdate, InboxUpdate.status == "pending") == 0
    assert await _count(app, OutboxMessage, OutboxMessage.status == "pending") == 0
    # Each update was handled exactly once (one reply batch each), though the process stopped in the middle.
    assert await _count(app, OutboxMessage) == 3


async def test_a_reply_committed_but_not_sent_is_sent_after_restart(app: object) -> None:
    stuck = RecordingOutlet(hang=asyncio.Event())
    first = _intake(app, stuck)
    await first.accept(_msg("u3", 1, "halo"))
    await asyncio.wait_for(stuck.entered.wait(), 30)
    await first.drain(timeout=0.05)
    assert await _count(app, OutboxMessage, OutboxMessage.status == "pending") == 1
    outlet = RecordingOutlet()
    restarted = _intake(app, outlet)
    assert await restarted.resume() == (1, 0)
    await restarted.wait_idle()
    assert len(outlet.sent) == 1 and outlet.sent[0][0] == "u3"
    assert await _count(app, OutboxMessage, OutboxMessage.status == "sent") == 1


async def test_a_blocked_recipient_is_recorded(app: object) -> None:
    intake = _intake(app, RecordingOutlet(status=outbox.BLOCKED))
    await intake.accept(_msg("u4", 1, "halo"))
    await intake.wait_idle()
    assert await _count(app, OutboxMessage, OutboxMessage.status == "blocked") == 1


async def test_two_chats_are_handled_independently(app: object) -> None:
    outlet = RecordingOutlet()
    intake = _intake(app, outlet)
    for n in range(1, 7):
        await intake.accept(_msg(f"c{n % 2}", n, "halo" if n < 3 else "bantuan"))
    await intake.wait_idle()
    assert sorted(u for u, _t, _m in outlet.sent) == ["c0"] * 3 + ["c1"] * 3


async def test_no_accepting_after_drain(app: object) -> None:
    intake = _intake(app, RecordingOutlet())
    await intake.drain(timeout=0.1)
    try:
        await intake.accept(_msg("u5", 1, "halo"))
    except RuntimeError:
        pass
    else:
        raise AssertionError("accept after drain must refuse, so the platform keeps the update")
    assert await _count(app, InboxUpdate) == 0


async def test_a_batch_is_stored_once_per_update_and_handled_in_order_per_chat(app: object) -> None:
    outlet = RecordingOutlet()
    intake = _intake(app, outlet)
    assert await intake.accept(_msg("b1", 10, "halo"))  # stored before: its second delivery is a duplicate
    await intake.wait_idle()
    batch = [
        _msg("b1", 10, "halo"),
        _msg("b1", 11, "bantuan"),
        _msg("b2", 12, "halo"),
        _msg("b3", 13, "halo"),
        _msg("b2", 12, "halo"),  # the same update twice in one batch
        _msg("b2", 14, "bantuan"),
        _msg("b1", 15, "menu"),
    ]
    assert await intake.accept_many([(inbound, None) for inbound in batch]) == [
        False,
        True,
        True,
        True,
        False,
        True,
        True,
    ]
    await intake.wait_idle()
    assert intake.duplicates == 2
    async with app.sessions() as session:  # type: ignore[attr-defined]
        rows = (
            await session.execute(
                select(InboxUpdate.chat, InboxUpdate.update_key, InboxUpdate.status, InboxUpdate.handled_at).order_by(
                    InboxUpdate.id
                )
            )
        ).all()
    # Each update once; within a chat the inbox id order is the order the batch brought them in.
    assert [(chat, key) for chat, key, _status, _at in rows] == [
        ("b1", "10"),
        ("b1", "11"),
        ("b2", "12"),
        ("b3", "13"),
        ("b2", "14"),
        ("b1", "15"),
    ]
    assert {status for _c, _k, status, _at in rows} == {"handled"}
    for chat in ("b1", "b2"):  # each chat's updates were handled in that order
        handled = [at for c, _k, _s, at in rows if c == chat]
        assert handled == sorted(handled)
    # One reply batch per stored update.
    assert sorted(chat for chat, _texts, _meta in outlet.sent) == ["b1"] * 3 + ["b2"] * 2 + ["b3"]
    async with app.sessions() as session:  # type: ignore[attr-defined]
        assert await outbox.count_by_status(session) == {"sent": 6}


async def test_a_draining_intake_refuses_a_whole_batch(app: object) -> None:
    intake = _intake(app, RecordingOutlet())
    await intake.drain(timeout=0.1)
    try:
        await intake.accept_many([(_msg("b4", 20, "halo"), None), (_msg("b5", 21, "halo"), None)])
    except RuntimeError:
        pass
    else:
        raise AssertionError("a draining intake accepted a batch")
    assert await _count(app, InboxUpdate) == 0
