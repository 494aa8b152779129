"""Telegram updates -> the core's `Inbound`. Parsing only: nothing here decides or answers.

* Text (and a photo's caption) is `text`; a pressed inline button is `action` (its callback_data, which
  the core decodes and re-checks: a payload is a request, not a permission).
* A photo is `photo_ref="telegram:<file_id>"` of the largest size.
* A shared contact is `contact_phone` only when it is the sender's own number (`contact.user_id` is the
  sender, which is what the "share my number" button sends); then it is also `phone`, the number Telegram
  vouches for (it may link the user's WhatsApp account). Someone else's contact card is not an answer to
  "what is your number" and counts as unsupported media.
* Stickers, voice, video, documents, locations, polls...: `has_unsupported_media=True`, so the core can
  say what it does understand. (A photo sent "as a file" is a document: Telegram cannot re-send it as a
  photo, so it is not taken as one.)
* Only private chats are served; updates from groups and channels give None.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, PhotoSize, User

from bot.channels.telegram.render import PHOTO_PREFIX
from bot.core.messages import Channel, Inbound

_UNSUPPORTED = (
    "animation",
    "audio",
    "document",
    "sticker",
    "video",
    "video_note",
    "voice",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
    "story",
    "invoice",
    "paid_media",
)


def display_name(user: User) -> str | None:
    """First and last name as the user set them (usernames are not names)."""
    name = " ".join(part for part in (user.first_name, user.last_name) if part).strip()
    return name or None


def largest_photo(sizes: list[PhotoSize]) -> PhotoSize:
    """The biggest rendition Telegram offers for a photo."""
    return max(sizes, key=lambda s: (s.width * s.height, s.file_size or 0))


def _base(user: User, update_id: int) -> dict[str, object]:
    return {
        "channel": Channel.TELEGRAM,
        "external_id": str(user.id),
        "update_id": str(update_id),
        "display_name": display_name(user),
        "language_hint": user.language_code,
    }


def message_to_inbound(message: Message, update_id: int) -> Inbound | None:
    """A private message as an Inbound; None for groups, channels, bots and service messages."""
    user = message.from_user
    if user is None or user.is_bot or message.chat.type != "private":
        return None
    fields = _base(user, update_id)
    text = message.text or message.caption or ""
    if message.photo:
        fields["photo_ref"] = PHOTO_PREFIX + largest_photo(message.photo).file_id
    elif message.contact is not None:
        if message.contact.user_id == user.id:
            fields["contact_phone"] = message.contact.phone_number
            # Telegram vouches for it (the sender's own number), in international form, often without "+".
            fields["phone"] = "+" + message.contact.phone_number.lstrip("+")
        else:
            fields["has_unsupported_media"] = True
    elif any(getattr(message, kind, None) is not None for kind in _UNSUPPORTED):
        fields["has_unsupported_media"] = True
    elif not text:
        return None  # a service message (timer changed, pinned...): nothing the user said
    return Inbound(text=text, **fields)  # type: ignore[arg-type]


def callback_to_inbound(query: CallbackQuery, update_id: int) -> Inbound | None:
    """A pressed inline button as an Inbound with its payload; None for buttons without data."""
    if not query.data or query.from_user.is_bot:
        return None
    message = query.message
    if message is not None and message.chat.type != "private":
        return None
    return Inbound(action=query.data, **_base(query.from_user, update_id))  # type: ignore[arg-type]
