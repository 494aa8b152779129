"""Joining accounts: one person on Telegram and on WhatsApp becomes one user, after a yes on both sides.

The question comes as a notice on each channel (bot/services/identity_links.py queues it when a platform
vouches for the same phone number on both). Its buttons work at any moment (`anytime`): before onboarding,
in the middle of a form, without disturbing it.

* `Ya, gabungkan` on one side: thanks, and the other side still has to say yes.
* `Ya, gabungkan` on the second side: the accounts are one; both sides are told.
* `Tidak`: nothing is joined; the other side is told.
* Both accounts hold a business or an OPD profile: not joined; both are told why and what to do.
* An old or answered question: says it no longer applies. A question of someone else: refused (and audited).
* `gabungkan akun` shows the questions still open (a template outside WhatsApp's 24 hours has no buttons).
"""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import identity_links
from bot.services.identity_links import DECLINED, MERGED, PREFIX, REFUSED, WAITING

OUTCOME_KEYS = {
    WAITING: "link.waiting",
    MERGED: "link.merged_here",
    DECLINED: "link.declined",
    REFUSED: "link.conflict",
}


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Shows each open question about joining this account with another one, with its buttons."""
    pending = await identity_links.pending_for(ctx.session, ctx.identity)
    if not pending:
        return [ctx.say("link.none")]
    replies = []
    for link, other in pending:
        params = identity_links.ask_params(link, ctx.identity, other)
        buttons = tuple(Choice(ctx.t(label), payload) for label, payload in identity_links.choices(link.id))
        replies.append(Reply(ctx.t("link.ask", **params), buttons))
    return replies


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Records a yes or a no; the service checks the question belongs to this account and is still open."""
    if action.verb not in ("yes", "no"):
        return [ctx.say("link.stale")]
    outcome = await identity_links.answer(ctx.session, ctx.identity, action.int_arg(0), action.verb == "yes")
    other = identity_links.CHANNEL_NAMES.get(outcome.other, outcome.other)
    return [ctx.say(OUTCOME_KEYS.get(outcome.result, "link.stale"), other=other)]


FLOW = Flow(
    name=PREFIX,
    start=start,
    on_action=on_action,
    keywords=("gabungkan akun", "gabung akun", "link account", "link accounts"),
    anytime=True,
)
