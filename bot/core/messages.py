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
    # A picture arrived but the channel could not fetch it: the locale key that says why (too large, gone).
    media_error: str | None = None

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
class Attachment:
    """A file the bot made (an export, a chart): sent before the reply's text, as a photo when `photo`."""

    filename: str
    data: bytes
    photo: bool = False


@dataclass(frozen=True, slots=True)
class Reply:
    """Something the bot says back. `text` is already translated.

    `edit` asks the channel to replace the message the pressed button was on (paging). `free_text` says the
    question expects typed text and the choices are only shortcuts, so a typed number is an answer, not a
    choice. `request_contact` offers the platform's "share my phone number" button where there is one.
    `locale` is the language the text is in (set by the dispatcher), for a channel's own labels.
    """

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    photo_ref: str | None = None
    edit: bool = False
    request_contact: bool = False
    free_text: bool = False
    locale: str | None = None
    attachment: Attachment | None = None
