"""WhatsApp Cloud API webhook JSON -> the core's `Inbound`s and delivery receipts. Parsing only.

* Identity: the business-scoped user id (`contacts[].user_id`, or the message's `from_user_id`) when present,
  else `wa_id` / `from`. The phone number (`wa_id`) is kept only when present and valid, in E.164
  (`accounts.normalise_phone`), and travels in `meta["wa_id"]` so replies can use `to`.
* `update_id` is the message id (`wamid...`): the inbox drops a repeated delivery of it.
* Text is `text`; a pressed reply button or list row is `action` (its id is the core's payload, re-checked by
  the core); an image is `photo_ref="whatsapp:<media id>"` with its caption as text; a shared contact card is
  `contact_phone` (its first number); a location is its name and address as text (an address answer), or
  unsupported when it has neither; voice, sticker, video, document, reaction...: `has_unsupported_media`.
* Payloads for another `phone_number_id` are ignored (another number on the same app).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.messages import Channel, Inbound
from bot.core.wire import Meta
from bot.services.accounts import normalise_phone

PHOTO_PREFIX = "whatsapp:"


@dataclass(frozen=True, slots=True)
class Receipt:
    """A status callback: our message `message_id` was sent / delivered / read / failed (with a code)."""

    message_id: str
    status: str
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one webhook delivery carried."""

    messages: list[tuple[Inbound, Meta]]
    receipts: list[Receipt]


def _values(payload: Mapping[str, Any], phone_number_id: str | None) -> Iterator[Mapping[str, Any]]:
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if not isinstance(value, dict) or change.get("field", "messages") != "messages":
                continue
            number = (value.get("metadata") or {}).get("phone_number_id")
            if phone_number_id is not None and str(number) != phone_number_id:
                continue
            yield value


def _sender(message: Mapping[str, Any], contacts: list[Mapping[str, Any]]) -> tuple[str | None, str | None, str | None]:
    """(business-scoped user id, wa_id, profile name) of a message's sender."""
    wa_id = message.get("from") or None
    contact: Mapping[str, Any] = {}
    for candidate in contacts:
        if (wa_id and candidate.get("wa_id") == wa_id) or (
            message.get("from_user_id") and candidate.get("user_id") == message.get("from_user_id")
        ):
            contact = candidate
            break
    else:
        if len(contacts) == 1:
            contact = contacts[0]
    wa_id = wa_id or contact.get("wa_id") or None
    user_id = message.get("from_user_id") or contact.get("user_id") or None
    name = ((contact.get("profile") or {}).get("name") or "").strip() or None
    return user_id, wa_id, name


def _content(message: Mapping[str, Any]) -> dict[str, Any]:
    """The Inbound fields for what the message says."""
    kind = message.get("type")
    if kind == "text":
        return {"text": str((message.get("text") or {}).get("body") or "")}
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get(interactive.get("type") or "") or {}
        if interactive.get("type") in ("button_reply", "list_reply") and reply.get("id"):
            return {"action": str(reply["id"])}
        return {"has_unsupported_media": True}
    if kind == "button":  # a quick-reply button of a template: its text, as if typed
        return {"text": str((message.get("button") or {}).get("text") or "")}
    if kind == "image":
        image = message.get("image") or {}
        if image.get("id"):
            return {"photo_ref": PHOTO_PREFIX + str(image["id"]), "text": str(image.get("caption") or "")}
    if kind == "contacts":
        for card in message.get("contacts") or []:
            for phone in card.get("phones") or []:
                number = phone.get("phone") or (("+" + phone["wa_id"]) if phone.get("wa_id") else None)
                if number:
                    return {"contact_phone": str(number)}
    if kind == "location":
        location = message.get("location") or {}
        text = ", ".join(str(location[k]).strip() for k in ("name", "address") if location.get(k))
        if text:
            return {"text": text}
    return {"has_unsupported_media": True}


def parse(payload: Mapping[str, Any], phone_number_id: str | None) -> Parsed:
    """Every message (as Inbound + meta) and receipt of one webhook delivery for our number."""
    messages: list[tuple[Inbound, Meta]] = []
    receipts: list[Receipt] = []
    for value in _values(payload, phone_number_id):
        contacts = [c for c in value.get("contacts") or [] if isinstance(c, dict)]
        for message in value.get("messages") or []:
            if not isinstance(message, dict) or not message.get("id"):
                continue
            user_id, wa_id, name = _sender(message, contacts)
            external_id = user_id or wa_id
            if not external_id:
                continue
            phone = normalise_phone("+" + wa_id.lstrip("+")) if wa_id else None
            inbound = Inbound(
                channel=Channel.WHATSAPP,
                external_id=str(external_id)[:128],
                update_id=str(message["id"])[:128],
                display_name=name,
                phone=phone,
                **_content(message),
            )
            messages.append((inbound, {"wa_id": phone.lstrip("+")} if phone else {}))
        for status in value.get("statuses") or []:
            if not isinstance(status, dict) or not status.get("id"):
                continue
            errors = status.get("errors") or []
            code = str(errors[0].get("code")) if errors and isinstance(errors[0], dict) else None
            receipts.append(Receipt(str(status["id"]), str(status.get("status") or ""), code))
    return Parsed(messages, receipts)
