"""Language: `bahasa`, `language` or `/language` lets the user switch between Indonesian and English."""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.i18n import LOCALES
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import words
from handlers.menu import menu_reply

NAME = "lang"


def language_choices(ctx: Context, prefix: str = NAME) -> tuple[Choice, ...]:
    """One button per supported language, each labelled in its own language."""
    return tuple(Choice(ctx.t(words.LANGUAGE_LABELS[code]), actions.encode(prefix, "set", code)) for code in LOCALES)


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Asks which language to use."""
    return [Reply(ctx.t("language.ask"), language_choices(ctx))]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Stores the chosen language and answers in it."""
    code = action.arg(0)
    if action.verb != "set" or code not in LOCALES:
        return await start(ctx, "")
    ctx.user.language = code
    ctx.set_language(code)
    return [ctx.say("language.changed"), menu_reply(ctx, "menu.title_short")]


FLOW = Flow(
    name=NAME,
    start=start,
    on_action=on_action,
    keywords=("bahasa", "language", "ganti bahasa", "bahasa inggris", "english"),
    commands=("language", "bahasa", "lang"),
    menu=MenuEntry("menu.language", frozenset({"all"}), order=95),
)
