"""Reply -> WhatsApp Cloud API message bodies. Pure functions: no I/O, no state; wording from whatsapp.po.

Decided here, never in a flow (handlers give full labels):

* Choices: at most 3 whose labels fit 20 characters -> reply buttons; up to 10 -> a list message (row titles
  cut to 24 on a word boundary, the full label as the row's description, within 72); more -> numbered
  text ("1. label" lines and "type the number"), which the core reads back as a choice. A reply that expects
  free text (`free_text`) lists its many shortcuts with bullets instead, so a typed number stays an answer.
* URL choices (a vendor's `wa.me` link, an e-Katalog page) become "label: link" lines in the text.
* An interactive message's body holds at most 1024 characters: a longer text goes first as text messages
  and the buttons follow under a short "please choose".
* Text is split at 4096 characters on line boundaries (then spaces), never mid-word unless a word is longer.
* A photo is sent only for refs `whatsapp:<media id>`; its caption is the text when it fits (1024) and the
  reply has no buttons. Other channels' refs are not WhatsApp media and are left out.
* A file attachment (an export) cannot be sent without a media upload: a short notice says so.
* `request_contact` needs nothing: WhatsApp tells us the sender's number; the user may still type one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels import fitting
from bot.channels.whatsapp.inbound import PHOTO_PREFIX
from bot.core.i18n import Translator
from bot.core.messages import Choice, Reply

Body = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
INTERACTIVE_BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20
ID_LIMIT = 200


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Plain text in parts of at most `limit` characters, on line breaks, then spaces; never empty."""
    return fitting.split_text(text, limit)


def fit(label: str, limit: int) -> str:
    """One line of at most `limit` characters, cut on a word boundary with "…" when too long."""
    return fitting.fit(label, limit)


def _text(body: str) -> Body:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _buttons(body: str, choices: Sequence[Choice]) -> Body:
    buttons = [{"type": "reply", "reply": {"id": c.action[:256], "title": c.label.strip()}} for c in choices]
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}},
    }


def _list(body: str, choices: Sequence[Choice], t: Translator) -> Body:
    rows = []
    for choice in choices:
        title = fit(choice.label, ROW_TITLE)
        row: dict[str, str] = {"id": choice.action[:ID_LIMIT], "title": title}
        if title != " ".join(choice.label.split()):
            row["description"] = fit(choice.label, ROW_DESCRIPTION)
        rows.append(row)
    action = {"button": fit(t("whatsapp.list_button"), LIST_BUTTON), "sections": [{"rows": rows}]}
    return {"type": "interactive", "interactive": {"type": "list", "body": {"text": body}, "action": action}}


def choice_style(choices: Sequence[Choice]) -> str:
    """How choices are shown: "buttons", "list" or "numbered"."""
    if len(choices) <= MAX_BUTTONS and all(len(c.label.strip()) <= BUTTON_TITLE for c in choices):
        return "buttons"
    return "list" if len(choices) <= MAX_ROWS else "numbered"


def _photo_id(ref: str | None) -> str | None:
    if ref and ref.startswith(PHOTO_PREFIX) and len(ref) > len(PHOTO_PREFIX):
        return ref[len(PHOTO_PREFIX) :]
    return None


def render_reply(reply: Reply, default_locale: str = "id") -> list[Body]:
    """One core Reply as the WhatsApp messages that show it, in order."""
    t = Translator(reply.locale or default_locale)
    out: list[Body] = []
    if reply.attachment is not None:
        out.append(_text(t("whatsapp.file_unavailable", name=reply.attachment.filename)))
    links = [c for c in reply.choices if c.url]
    choices = [c for c in reply.choices if not c.url and c.label.strip() and c.action]
    text = reply.text.strip()
    if links:
        text = "\n".join([text, *(t("whatsapp.link", label=c.label, url=c.url) for c in links)]).strip()
    style = choice_style(choices) if choices else None
    if style == "numbered":
        if reply.free_text:
            lines = [f"• {c.label}" for c in choices]
        else:
            lines = [f"{n}. {c.label}" for n, c in enumerate(choices, 1)] + ["", t("whatsapp.type_number")]
        text = "\n".join([text, "", *lines]).strip()
        choices, style = [], None
    photo = _photo_id(reply.photo_ref)
    if photo is not None:
        if not choices and len(text) <= CAPTION_LIMIT:
            image: dict[str, str] = {"id": photo}
            if text:
                image["caption"] = text
            return [*out, {"type": "image", "image": image}]
        out.append({"type": "image", "image": {"id": photo}})
    parts = split_text(text) if text else []
    if not choices:
        return out + [_text(p) for p in parts]
    body = parts.pop() if parts and len(parts[-1]) <= INTERACTIVE_BODY_LIMIT else None
    out += [_text(p) for p in parts]
    body = body or t("whatsapp.choose")
    out.append(_buttons(body, choices) if style == "buttons" else _list(body, choices, t))
    return out
