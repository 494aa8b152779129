"""Admin: `verifikasi` lists OPD staff waiting for approval; a button approves one.

Only admins (bootstrapped from ADMIN_IDS) see the entry, and the accounts service refuses anyone else
whatever payload they send. An approved OPD staff member sees the phone numbers vendors kept for OPD.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import accounts
from handlers.menu import menu_reply

NAME = "admin"


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Lists the OPD staff waiting for verification."""
    waiting = await accounts.pending_opd(ctx.session, ctx.user)
    if not waiting:
        return [ctx.say("admin.none_pending"), menu_reply(ctx, "menu.title_short")]
    t = ctx.t
    lines = [t("admin.pending_title")]
    choices = []
    for number, user in enumerate(waiting, start=1):
        name = user.display_name or t("admin.no_name", id=user.id)
        lines.append(t("admin.pending_line", n=number, name=name, phone=user.phone or t("form.empty_value")))
        choices.append(Choice(t("admin.btn_verify", n=number, name=name), actions.encode(NAME, "ok", user.id)))
    return [Reply("\n".join(lines), tuple(choices))]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Approves one OPD staff member."""
    if action.verb != "ok":
        return [ctx.say("form.old_button")]
    user = await accounts.verify_opd(ctx.session, ctx.user, action.int_arg(0))
    name = user.display_name or ctx.t("admin.no_name", id=user.id)
    return [ctx.say("admin.verified", name=name), *await start(ctx, "")]


FLOW = Flow(
    name=NAME,
    start=start,
    on_action=on_action,
    keywords=("verifikasi", "verifikasi opd", "verify", "verify opd"),
    commands=("verifikasi", "verify"),
    menu=MenuEntry("menu.admin_verify", frozenset({"admin"}), order=80),
)
