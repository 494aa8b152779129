"""Small display helpers shared by the vendor and product conversations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from bot.core.i18n import Translator
from bot.services.parsing import format_phone_local, format_rupiah


def show_yes_no(t: Translator, value: Any) -> str:
    """Ya / Tidak."""
    return t("common.yes") if value else t("common.no")


def show_phone(_t: Translator, value: Any) -> str:
    """A stored E.164 number the way Indonesians write it."""
    return format_phone_local(str(value))


def show_price(t: Translator, value: Any) -> str:
    """A stored price: Rp15.000, Rp15.000 (bisa nego), or Nego."""
    if not isinstance(value, dict):
        return t("form.empty_value")
    amount = value.get("amount")
    if amount is None:
        return t("common.price_nego")
    text = format_rupiah(int(amount))
    return t("common.price_with_nego", price=text) if value.get("negotiable") else text


def price_per_unit(t: Translator, amount: Any, negotiable: bool, unit: str | None) -> str:
    """Rp15.000/bungkus, Rp15.000/bungkus (bisa nego), or Nego."""
    if amount is None:
        return t("common.price_nego")
    price = format_rupiah(int(amount))
    if unit:
        price = t("common.price_per_unit", price=price, unit=unit)
    return t("common.price_with_nego", price=price) if negotiable else price


def format_percent(value: Any) -> str:
    """45 -> "45", 41.20 -> "41,2": no trailing zeros, Indonesian decimal comma."""
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    text = format(number, "f")
    return text.replace(".", ",")
