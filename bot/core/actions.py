"""The one codec for button payloads: `prefix:verb:arg...`, at most 64 bytes (Telegram's callback limit).

A payload is a request, not a permission: services re-check everything it names.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
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
        """The argument at `index` as an int, or None when missing or not a number."""
        value = self.arg(index)
        return int(value) if value.isascii() and value.isdecimal() and len(value) < 18 else None


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
    """Parse a payload; anything malformed (forged, truncated, from an old version) gives None."""
    if not payload or len(payload.encode()) > MAX_BYTES:
        return None
    parts = payload.split(_SEP)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return Action(parts[0], parts[1], tuple(parts[2:]))
