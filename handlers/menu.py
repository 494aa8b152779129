"""Main menu: what this user can do in their role, as buttons. `menu` or `/menu` shows it.

Each flow that belongs in the menu says so in its registration (label, roles, order); this module only
lists them. Pressing an entry starts that flow exactly as typing its keyword would.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow

NAME = "menu"


def menu_reply(ctx: Context, intro: str = "menu.title") -> Reply:
    """The main menu for the user's role."""
    choices = [Choice(ctx.t(item.entry.label), actions.encode(NAME, "go", item.flow)) for item in ctx.menu_items()]
    return Reply(ctx.t(intro), tuple(choices))


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Shows the main menu."""
    return [menu_reply(ctx)]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Starts the flow behind a menu button, if this user's role has it; `menu:show` shows the menu."""
    if action.verb == "show":
        return [menu_reply(ctx)]
    allowed = {item.flow for item in ctx.menu_items()}
    if action.verb != "go" or action.arg(0) not in allowed:
        return [ctx.say("form.old_button"), menu_reply(ctx)]
    return await ctx.start_flow(action.arg(0))


FLOW = Flow(
    name=NAME, start=start, on_action=on_action, keywords=("menu", "menu utama", "main menu"), commands=("menu",)
)
