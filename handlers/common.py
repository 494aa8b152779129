"""Small display helpers shared by the vendor, product and search conversations."""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.messages import Reply
from bot.services import conversations, words
from bot.services.formatting import format_percent, format_phone_local, format_rupiah
from bot.services.parsers import Price


def show_phone(_t: Translator, value: Any) -> str:
    """A stored E.164 number the way Indonesians write it."""
    return format_phone_local(str(value))


def show_price(t: Translator, value: Any) -> str:
    """A price: Rp15.000, Rp15.000 (bisa nego), or Nego."""
    if not isinstance(value, Price):
        return t("form.empty_value")
    return price_per_unit(t, value.amount, value.negotiable, None)


def show_percent(t: Translator, value: Any) -> str:
    """A percentage: 41,2%."""
    return t("common.percent", percent=format_percent(value))


def price_per_unit(t: Translator, amount: Any, negotiable: bool, unit: str | None) -> str:
    """Rp15.000/bungkus, Rp15.000/bungkus (bisa nego), or Nego."""
    if amount is None:
        return t("common.price_nego")
    price = format_rupiah(int(amount))
    if unit:
        price = t("common.price_per_unit", price=price, unit=unit)
    return t("common.price_with_nego", price=price) if negotiable else price


def joined(t: Translator, parts: Any) -> str:
    """Items in a line ("Jl. Merdeka 1, Metro Pusat"), with the catalog's separator; empty parts dropped."""
    return t("common.list_separator").join(str(p) for p in parts if p)


async def read_reason(ctx: Context) -> str | list[Reply] | None:
    """The typed reason an admin was asked for (a rejection, a revocation), ending that question.

    The reason itself; or the replies when the admin cancelled (`batal`, nothing typed); or None for a
    button press, which the dispatcher then routes as if no question were open."""
    await conversations.clear(ctx.session, ctx.user.id)
    if ctx.inbound.action is not None:
        return None
    if ctx.text.casefold() in words.CANCEL or not ctx.text:
        return [ctx.say("verify.reason_cancelled")]
    return ctx.text
