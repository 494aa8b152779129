"""Announcements on or off: `berhenti info` (or the button under every announcement) and `mulai info`.

Turning them off stops broadcasts and event news, and withdraws the ones still waiting; answers to the user's
own requests (leads, needs) and reminders of events they said they would attend still reach them.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import broadcasts

NAME = "info"


def _reply(ctx: Context, on: bool) -> Reply:
    if on:
        button = Choice(ctx.t("announce.btn_off"), actions.encode(NAME, "off"))
        return Reply(ctx.t("announce.on"), (button,))
    button = Choice(ctx.t("announce.btn_on"), actions.encode(NAME, "on"))
    return Reply(ctx.t("announce.off"), (button,))


async def _switch(ctx: Context, on: bool) -> list[Reply]:
    await broadcasts.set_announcements(ctx.session, ctx.user, on)
    return [_reply(ctx, on)]


async def stop(ctx: Context, _argument: str) -> list[Reply]:
    """Turns announcements off and says how to turn them on again."""
    return await _switch(ctx, False)


async def resume_announcements(ctx: Context, _argument: str) -> list[Reply]:
    """Turns announcements on again."""
    return await _switch(ctx, True)


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """The button under an announcement (off) or under the confirmation (on)."""
    if action.verb not in {"on", "off"}:
        return [ctx.say("form.old_button")]
    return await _switch(ctx, action.verb == "on")


FLOW = Flow(
    name=NAME,
    start=stop,
    on_action=on_action,
    keywords=("berhenti info", "stop info", "berhenti terima info", "jangan kirim info", "unsubscribe"),
    commands=("berhentiinfo", "stopinfo"),
)
ON_FLOW = Flow(
    name="info_on",
    start=resume_announcements,
    keywords=("mulai info", "terima info", "start info", "subscribe"),
    commands=("mulaiinfo",),
)
