"""The catch-all: input no flow claimed gets a friendly answer that says what to type next."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.messages import Reply
from handlers.menu import menu_reply


async def fallback(ctx: Context) -> list[Reply]:
    """Explains that the bot did not understand, and offers the menu."""
    inbound = ctx.inbound
    if inbound.media_error:
        key = inbound.media_error
    elif inbound.has_unsupported_media:
        key = "fallback.media"
    elif inbound.photo_ref:
        key = "fallback.photo"
    elif inbound.contact_phone:
        key = "fallback.own_contact" if _own_number(inbound.contact_phone, inbound.phone) else "fallback.contact"
    elif not ctx.text:
        key = "fallback.empty"
    else:
        key = "fallback.unknown"
    return [ctx.say(key), menu_reply(ctx, "menu.title_short")]


def _own_number(shared: str, vouched: str | None) -> bool:
    """True when the shared contact is the number the platform vouches for (kept for joining accounts)."""
    digits = "".join(c for c in shared if c.isdigit())
    return bool(vouched) and digits == "".join(c for c in vouched or "" if c.isdigit())
