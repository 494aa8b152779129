"""Admin: `verifikasi` is the verification queue; `opd terverifikasi` lists approved OPD staff to revoke.

The queue shows each OPD staff member waiting with what they gave (name, agency, job title, NIP, phone),
ten a page, with Setujui / Tolak per person; Tolak and Cabut ask for a reason, which the person is told
(bot/services/opd.py queues the notice). Only admins see the entries, and the services refuse anyone else
whatever payload they send.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import conversations, formatting, opd
from bot.services.conversations import State
from handlers.common import read_reason
from models import User

NAME = "admin"
PAGE = 10


def _who(ctx: Context, user: User) -> str:
    t = ctx.t
    empty = t("form.empty_value")
    return t(
        "verify.opd_line",
        name=user.full_name or user.display_name or t("admin.no_name", id=user.id),
        agency=user.opd_name or empty,
        title=user.job_title or empty,
        nip=user.nip or empty,
        phone=formatting.format_phone_local(user.phone) if user.phone else empty,
    )


def _pager(ctx: Context, verb: str, page: opd.Page) -> list[Choice]:
    choices = []
    if page.offset > 0:
        choices.append(Choice(ctx.t("verify.btn_prev"), actions.encode(NAME, verb, max(0, page.offset - PAGE))))
    if page.offset + PAGE < page.total:
        choices.append(Choice(ctx.t("verify.btn_next"), actions.encode(NAME, verb, page.offset + PAGE)))
    return choices


async def queue(ctx: Context, offset: int = 0) -> list[Reply]:
    """One page of OPD staff waiting for a check."""
    page = await opd.pending(ctx.session, ctx.user, offset, PAGE)
    claims_button = Choice(ctx.t("menu.claims"), actions.encode("menu", "go", "claims"))
    if not page.users:  # vendors' claims are the other half of the queue (handlers/claims.py)
        return [ctx.say("admin.none_pending"), Reply(ctx.t("verify.claims_hint"), (claims_button,))]
    t = ctx.t
    last = page.offset + len(page.users)
    lines = [t("verify.opd_title", first=page.offset + 1, last=last, total=page.total)]
    choices: list[Choice] = []
    for number, user in enumerate(page.users, start=page.offset + 1):
        lines.append(t("verify.numbered", n=number, text=_who(ctx, user)))
        choices.append(Choice(t("verify.btn_approve", n=number), actions.encode(NAME, "ok", user.id)))
        choices.append(Choice(t("verify.btn_reject", n=number), actions.encode(NAME, "no", user.id)))
    choices += _pager(ctx, "q", page)
    choices.append(claims_button)
    return [Reply("\n\n".join(lines), tuple(choices))]


async def approved_list(ctx: Context, offset: int = 0) -> list[Reply]:
    """One page of approved OPD staff, each with Cabut."""
    page = await opd.approved(ctx.session, ctx.user, offset, PAGE)
    if not page.users:
        return [ctx.say("verify.none_approved")]
    t = ctx.t
    lines = [t("verify.approved_title", total=page.total)]
    choices: list[Choice] = []
    for number, user in enumerate(page.users, start=page.offset + 1):
        lines.append(t("verify.numbered", n=number, text=_who(ctx, user)))
        choices.append(Choice(t("verify.btn_revoke", n=number), actions.encode(NAME, "rv", user.id)))
    choices += _pager(ctx, "a", page)
    return [Reply("\n\n".join(lines), tuple(choices))]


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """`verifikasi`: the queue."""
    return await queue(ctx)


async def approved_start(ctx: Context, _argument: str) -> list[Reply]:
    """`opd terverifikasi`: approved staff."""
    return await approved_list(ctx)


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Approve at once; reject or revoke after asking the reason; page through either list."""
    if action.verb == "q":
        return await queue(ctx, action.int_arg(0) or 0)
    if action.verb == "a":
        return await approved_list(ctx, action.int_arg(0) or 0)
    if action.verb == "ok":
        user = await opd.approve(ctx.session, ctx.user, action.int_arg(0))
        return [ctx.say("verify.approved", name=user.full_name or user.display_name or ""), *await queue(ctx)]
    if action.verb in {"no", "rv"}:
        target_id = action.int_arg(0)
        # Checked before asking, so a non-admin or a forged id gets no reason prompt.
        page = opd.pending if action.verb == "no" else opd.approved
        await page(ctx.session, ctx.user, 0, 1)
        await conversations.begin(ctx.session, ctx.user.id, NAME, "reason", {"verb": action.verb, "user": target_id})
        return [ctx.say("verify.ask_reason")]
    return [ctx.say("form.old_button")]


async def resume(ctx: Context, state: State) -> list[Reply] | None:
    """The typed reason for a rejection or a revocation; `batal` drops it."""
    reason = await read_reason(ctx)
    if not isinstance(reason, str):
        return reason
    target_id = state.data.get("user")
    target_id = target_id if isinstance(target_id, int) else None
    if state.data.get("verb") == "rv":
        user = await opd.revoke(ctx.session, ctx.user, target_id, reason)
        return [ctx.say("verify.revoked", name=user.full_name or user.display_name or "")]
    user = await opd.reject(ctx.session, ctx.user, target_id, reason)
    return [ctx.say("verify.rejected", name=user.full_name or user.display_name or ""), *await queue(ctx)]


FLOW = Flow(
    name=NAME,
    start=start,
    resume=resume,
    on_action=on_action,
    keywords=("verifikasi", "verifikasi opd", "verify", "verify opd"),
    commands=("verifikasi", "verify"),
    menu=MenuEntry("menu.admin_verify", frozenset({"admin"}), order=80),
)
APPROVED_FLOW = Flow(
    name="opd_approved",
    start=approved_start,
    keywords=("opd terverifikasi", "daftar opd", "verified opd"),
    menu=MenuEntry("menu.opd_approved", frozenset({"admin"}), order=81),
)
