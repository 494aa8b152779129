"""Admin: `undang opd <instansi>` makes an invite code for OPD staff of that agency (and, when
TELEGRAM_BOT_USERNAME is set, the deep link that redeems it); `undangan` lists the codes still valid, each
with a Cabut button. The services refuse anyone but an admin.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.dates import local_datetime
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import invites, opd
from models import OpdInvite

NAME = "invites"


def _line(ctx: Context, invite: OpdInvite) -> str:
    return ctx.t(
        "invite.line",
        code=invite.code,
        agency=invite.agency,
        used=invite.uses,
        uses=invite.max_uses,
        until=local_datetime(invite.expires_at, ctx.t, ctx.settings.bot.timezone, ctx.settings.bot.timezone_label),
    )


async def create(ctx: Context, argument: str) -> list[Reply]:
    """`undang opd Dinas Pendidikan`: a new code for that agency."""
    if not argument.strip():
        invites.require_admin(ctx.user)
        return [ctx.say("invite.ask_agency")]
    agency = opd.match_agency(argument, opd.agencies(ctx.settings.bot.opd_agencies))
    invite = await invites.create(ctx.session, ctx.user, agency, days=ctx.settings.bot.invite_days)
    link = invites.deep_link(ctx.settings.telegram.bot_username, invite.code)
    replies = [ctx.say("invite.created", line=_line(ctx, invite), code=invite.code)]
    if link:
        replies.append(ctx.say("invite.link", link=link))
    return replies


async def listing(ctx: Context, _argument: str = "") -> list[Reply]:
    """`undangan`: valid codes with Cabut."""
    found = await invites.active(ctx.session, ctx.user)
    if not found:
        return [ctx.say("invite.none")]
    lines = [ctx.t("invite.list_title")]
    choices = []
    for number, invite in enumerate(found, start=1):
        lines.append(ctx.t("verify.numbered", n=number, text=_line(ctx, invite)))
        choices.append(Choice(ctx.t("invite.btn_revoke", n=number), actions.encode(NAME, "rv", invite.id)))
    return [Reply("\n".join(lines), tuple(choices))]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Revokes a code."""
    if action.verb != "rv":
        return [ctx.say("form.old_button")]
    invite = await invites.revoke(ctx.session, ctx.user, action.int_arg(0))
    return [ctx.say("invite.revoked", code=invite.code), *await listing(ctx)]


CREATE_FLOW = Flow(
    name="invite_new",
    start=create,
    keywords=("undang opd", "undang", "invite opd"),
    commands=("undang",),
    takes_argument=True,
)
FLOW = Flow(
    name=NAME,
    start=listing,
    on_action=on_action,
    keywords=("undangan", "kode opd", "invites"),
    commands=("undangan",),
    menu=MenuEntry("menu.invites", frozenset({"admin"}), order=82),
)
