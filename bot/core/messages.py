"""The core's own message types. Channels translate to and from these; nothing here knows a platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Channel(StrEnum):
    """Where a message came from. The value is stored in `identities.channel`."""

    CONSOLE = "console"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a user did: typed text, pressed a button, shared a contact or sent a photo."""

    channel: Channel
    external_id: str
    text: str = ""
    action: str | None = None
    contact_phone: str | None = None
    photo_ref: str | None = None
    update_id: str | None = None
    display_name: str | None = None
    language_hint: str | None = None
    phone: str | None = None
    has_unsupported_media: bool = False

    @property
    def clean_text(self) -> str:
        """The text, stripped, with a hard cap so a pasted novel never reaches a parser whole."""
        return self.text.strip()[:4000]


@dataclass(frozen=True, slots=True)
class Choice:
    """An option the user can pick: rendered as a button, a list row or a numbered line."""

    label: str
    action: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """Something the bot says back. `text` is already translated."""

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    photo_ref: str | None = None
    edit: bool = False
    request_contact: bool = False
    menu_hint: bool = False

    @staticmethod
    def of(text: str, choices: list[Choice] | tuple[Choice, ...] = (), **kw: object) -> Reply:
        """Build a reply from a list of choices."""
        return Reply(text, tuple(choices), **kw)  # type: ignore[arg-type]
