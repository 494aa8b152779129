"""Admin: `jadikan admin <id atau nomor HP>` promotes a user, `cabut admin <id>` demotes one, `daftar admin`
lists the admins with a Cabut button each. Admins from ADMIN_IDS are admins again at every start, so they
cannot be demoted here (remove them from ADMIN_IDS instead); a promoted admin stays admin across restarts.
The accounts service checks the actor and writes every change to the audit log.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import accounts
from models import User

NAME = "roles"


def _name(ctx: Context, user: User) -> str:
    return ctx.t(
        "roles.user", id=user.id, name=user.full_name or user.display_name or ctx.t("admin.no_name", id=user.id)
    )


async def listing(ctx: Context, _argument: str = "") -> list[Reply]:
    """Every admin, with Cabut."""
    found = await accounts.admins(ctx.session, ctx.user)
    lines = [ctx.t("roles.list_title")]
    choices = []
    for number, user in enumerate(found, start=1):
        lines.append(ctx.t("verify.numbered", n=number, text=_name(ctx, user)))
        if user.id != ctx.user.id:
            choices.append(Choice(ctx.t("roles.btn_demote", n=number), actions.encode(NAME, "demote", user.id)))
    lines.append(ctx.t("roles.list_hint"))
    return [Reply("\n".join(lines), tuple(choices))]


async def _change(ctx: Context, user_id: int | None, make_admin: bool) -> list[Reply]:
    admins = ctx.settings.bot.admin_identities()
    user = await accounts.set_admin(ctx.session, ctx.user, user_id, make_admin, admins)
    return [ctx.say("roles.promoted" if make_admin else "roles.demoted", user=_name(ctx, user))]


async def promote(ctx: Context, argument: str) -> list[Reply]:
    """`jadikan admin 12`."""
    if not argument.strip():
        await accounts.admins(ctx.session, ctx.user)  # refuses a non-admin before explaining anything
        return [ctx.say("roles.ask_who")]
    target = await accounts.find_user(ctx.session, ctx.user, argument)
    return await _change(ctx, target.id, True)


async def demote(ctx: Context, argument: str) -> list[Reply]:
    """`cabut admin 12`."""
    if not argument.strip():
        return await listing(ctx)
    target = await accounts.find_user(ctx.session, ctx.user, argument)
    return await _change(ctx, target.id, False)


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """The Cabut button of the admin list."""
    if action.verb != "demote":
        return [ctx.say("form.old_button")]
    return await _change(ctx, action.int_arg(0), False)


FLOW = Flow(
    name=NAME,
    start=listing,
    on_action=on_action,
    keywords=("daftar admin", "admin list"),
    menu=MenuEntry("menu.admins", frozenset({"admin"}), order=83),
)
PROMOTE_FLOW = Flow(name="admin_promote", start=promote, keywords=("jadikan admin", "make admin"), takes_argument=True)
DEMOTE_FLOW = Flow(name="admin_demote", start=demote, keywords=("cabut admin", "remove admin"), takes_argument=True)
