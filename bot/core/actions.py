"""The one codec for button payloads: `prefix:verb:arg...`, at most 64 bytes (Telegram's callback limit).

A payload is a request, not a permission: services re-check everything it names.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
_SEP = ":"


@dataclass(frozen=True, slots=True)
class Action:
    """A decoded button payload."""

    prefix: str
    verb: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        """The argument at `index`, or `default` when the payload is shorter."""
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int) -> int | None:
        """The argument at `index` as an id (1 to 2^31-1), or None when missing, not a number or out of range."""
        value = self.arg(index)
        if not (value.isascii() and value.isdecimal() and len(value) <= len(str(MAX_ID))):
            return None
        number = int(value)
        return number if 1 <= number <= MAX_ID else None


def encode(prefix: str, verb: str, *args: object) -> str:
    """Build a payload; raises ValueError if it would not fit in a Telegram callback."""
    parts = [prefix, verb, *(str(a) for a in args)]
    if any(_SEP in p for p in parts):
        raise ValueError(f"payload parts must not contain {_SEP!r}: {parts}")
    payload = _SEP.join(parts)
    if len(payload.encode()) > MAX_BYTES:
        raise ValueError(f"payload too long ({len(payload.encode())} bytes): {payload}")
    return payload


def decode(payload: str | None) -> Action | None:
    """Parse a payload; anything malformed (forged, truncated, undecodable, from an old version) gives None."""
    if not payload:
        return None
    try:
        size = len(payload.encode())
    except UnicodeEncodeError:  # lone surrogates: not something our buttons ever sent
        return None
    if size > MAX_BYTES:
        return None
    parts = payload.split(_SEP)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return Action(parts[0], parts[1], tuple(parts[2:]))
