"""Display formatters: stored values the way Indonesians write them (Rp15.000, 0812-3456-7890, 41,2).

The counterpart of `bot/services/parsers.py`: parsers read what people type, these show what was stored.
Language-dependent wording around the values (units, "bisa nego", "%") comes from the locale catalogs.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

from bot.errors import ValidationError

PHONE_EXAMPLE = "0812-3456-7890"
_PHONE_CHARS_RE = re.compile(r"[0-9+\-\s().]+")


def format_rupiah(amount: int) -> str:
    """Format whole rupiah the Indonesian way: 15000 -> `Rp15.000`."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def format_percent(value: Any) -> str:
    """45 -> "45", 41.20 -> "41,2": no trailing zeros, Indonesian decimal comma (the "%" is the catalog's)."""
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    return format(number, "f").replace(".", ",")


def _parse_e164(e164: str) -> phonenumbers.PhoneNumber:
    s = " ".join(unicodedata.normalize("NFKC", str(e164 or "")).split())
    try:
        number = phonenumbers.parse(s, "ID") if s and len(s) <= 40 and _PHONE_CHARS_RE.fullmatch(s) else None
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError("parse.phone.invalid", example=PHONE_EXAMPLE)
    return number


def format_phone_local(e164: str) -> str:
    """Show a stored number the way Indonesians write it: `0812-3456-7890`, `(0725) 41234`."""
    number = _parse_e164(e164)
    if phonenumbers.region_code_for_number(number) == "ID":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def wa_me_number(e164: str) -> str:
    """The digits a `https://wa.me/<number>` link needs: `6281234567890`."""
    number = _parse_e164(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
