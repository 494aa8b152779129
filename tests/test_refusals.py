"""A refused action: what it began to write is undone, yet the update counts as handled and is answered.

The dispatcher rolls back the refused update's transaction and answers in a second one (no savepoint per
update); these tests pin down what that must keep: the refusal reply, the audit row of a denied permission,
the inbox row marked handled, and nothing of the refused action's own writes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy import func, select

from bot.app import App
from bot.core.context import Context
from bot.core.intake import Intake
from bot.core.messages import Inbound, Reply
from bot.core.wire import Meta
from bot.errors import PermissionDenied
from bot.services import audit, conversations, outbox
from models import AuditLog, Conversation, InboxUpdate
from tests.support import onboard, t


class _Outlet:
    def __init__(self) -> None:
        self.sent: list[list[str]] = []

    async def deliver(self, external_id: str, replies: Sequence[Reply], meta: Meta) -> str:
        self.sent.append([r.text for r in replies])
        return outbox.SENT


async def _count(app: App, model: type, *where: object) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_refused_action_is_undone_answered_and_marked_handled(app: App) -> None:
    chat = await onboard(app.dispatcher, "777")
    registry = app.dispatcher.registry
    help_flow = registry.get("help")
    assert help_flow is not None

    async def half_done_then_refused(ctx: Context, _argument: str) -> list[Reply]:
        await conversations.begin(ctx.session, ctx.user.id, "help", "half", {"written": True})
        audit.record(ctx.session, ctx.user.id, "refusal.test", "before the refusal")
        raise PermissionDenied()

    index = registry.flows.index(help_flow)
    registry.flows[index] = dataclasses.replace(help_flow, start=half_done_then_refused)
    outlet = _Outlet()
    intake = Intake(app.sessions, app.dispatcher)
    intake.attach(chat.channel.value, outlet)
    try:
        await intake.accept(Inbound(chat.channel, chat.user, text="bantuan", update_id="refused-1"))
        await intake.wait_idle()
    finally:
        registry.flows[index] = help_flow

    assert outlet.sent == [[t("error.not_allowed")]]
    assert await _count(app, InboxUpdate, InboxUpdate.update_key == "refused-1", InboxUpdate.status == "handled") == 1
    assert await _count(app, AuditLog, AuditLog.action == "refusal.test") == 0
    assert await _count(app, AuditLog, AuditLog.action == "permission.denied") == 1
    assert await _count(app, Conversation, Conversation.step == "half") == 0

    # The chat goes on normally after the refusal.
    await intake.accept(Inbound(chat.channel, chat.user, text="bantuan", update_id="refused-2"))
    await intake.wait_idle()
    assert len(outlet.sent) == 2 and outlet.sent[1] != outlet.sent[0]
