"""Help: `bantuan`, `help`, `/help` or `?` explains, for the user's role, what they can do and what to type."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.menus import MenuEntry
from bot.core.messages import Reply
from bot.core.registry import Flow
from handlers.menu import menu_reply

ROLE_HELP = {"vendor": "help.vendor", "opd": "help.opd", "buyer": "help.buyer"}


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Explains what this role can do, then the controls every question understands."""
    parts = [ctx.t("help.intro"), ctx.t(ROLE_HELP.get(ctx.user.role or "buyer", "help.buyer"))]
    if ctx.user.role == "opd" and not ctx.user.opd_verified:
        parts.append(ctx.t("help.opd_unverified"))
    if ctx.user.is_admin:
        parts.append(ctx.t("help.admin"))
    parts.append(ctx.t("help.common"))
    return [Reply("\n\n".join(parts)), menu_reply(ctx, "menu.title_short")]


FLOW = Flow(
    name="help",
    start=start,
    keywords=("bantuan", "help", "?", "tolong", "panduan", "cara pakai"),
    commands=("help", "bantuan"),
    menu=MenuEntry("menu.help", frozenset({"all"}), order=90),
)
