"""The core's messages as JSON, for the rows that keep them across a restart (inbox and outbox).

An `Inbound` is stored with the update before the platform is acknowledged; a batch of `Reply`s is stored
with the change it reports. Messages that are not replies (announcements, reminders, notices) are stored as
a *notice* (bot/services/outbox.py `notice`): a locale key or a written text, translated by `render` when it
is sent, in the recipient's language. `meta` carries what only the channel understands (for Telegram: the message a
pressed button was on, so a paging reply can edit it) and is passed back to the channel untouched.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.dates import local_datetime
from bot.core.i18n import Translator
from bot.core.messages import Attachment, Channel, Choice, Inbound, Reply

Meta = dict[str, Any]


_INBOUND_FIELDS = tuple(f.name for f in dataclasses.fields(Inbound))


def dump_inbound(inbound: Inbound, meta: Meta | None = None) -> str:
    """An accepted update as one JSON document."""
    fields = {name: getattr(inbound, name) for name in _INBOUND_FIELDS}  # flat values: no deep copy (asdict)
    fields["channel"] = inbound.channel.value
    return json.dumps({"inbound": fields, "meta": meta or {}}, ensure_ascii=False, separators=(",", ":"))


def load_inbound(payload: str) -> tuple[Inbound, Meta]:
    """The update and the channel's meta back from `dump_inbound`."""
    document = json.loads(payload)
    fields = dict(document["inbound"])
    fields["channel"] = Channel(fields["channel"])
    return Inbound(**{k: v for k, v in fields.items() if k in _INBOUND_FIELDS}), dict(document.get("meta") or {})


def _reply_fields(reply: Reply) -> dict[str, Any]:
    fields = {f.name: getattr(reply, f.name) for f in dataclasses.fields(Reply)}
    fields["choices"] = [[c.label, c.action, c.url] for c in reply.choices]
    if reply.attachment is not None:
        file = reply.attachment
        fields["attachment"] = [file.filename, base64.b64encode(file.data).decode("ascii"), file.photo]
    return fields


def dump_replies(replies: Sequence[Reply], meta: Meta | None = None) -> str:
    """A batch of replies (the answer to one update) as one JSON document."""
    document = {"replies": [_reply_fields(r) for r in replies], "meta": meta or {}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def load_replies(payload: str) -> tuple[list[Reply], Meta]:
    """The replies and the channel's meta back from `dump_replies`."""
    document = json.loads(payload)
    known = {f.name for f in dataclasses.fields(Reply)}
    replies = []
    for fields in document["replies"]:
        values = {k: v for k, v in fields.items() if k in known}
        values["choices"] = tuple(Choice(label, action, url) for label, action, url in fields.get("choices", []))
        if fields.get("attachment"):
            filename, data, photo = fields["attachment"]
            values["attachment"] = Attachment(filename, base64.b64decode(data), bool(photo))
        replies.append(Reply(**values))
    return replies, dict(document.get("meta") or {})


@dataclass(frozen=True, slots=True)
class Locale:
    """How to show a notice: the default language and the region's time zone."""

    default_language: str = "id"
    zone: str = "Asia/Jakarta"
    zone_label: str = "WIB"


def render(payload: str, language: str | None, locale: Locale) -> tuple[list[Reply], Meta]:
    """An outbox payload as replies: stored replies as they are, a notice translated for the recipient."""
    document = json.loads(payload)
    notice = document.get("notice")
    if notice is None:
        return load_replies(payload)
    t = Translator(language or locale.default_language)
    params = {
        name: local_datetime(datetime.fromisoformat(value["datetime"]), t, locale.zone, locale.zone_label)
        if isinstance(value, dict) and "datetime" in value
        else value
        for name, value in (notice.get("params") or {}).items()
    }
    text = t(notice["key"], **params) if notice.get("key") else str(notice.get("text") or "")
    if notice.get("footer"):
        text = t("notice.with_footer", text=text, footer=t(notice["footer"]))
    choices = tuple(Choice(t(label), action) for label, action in notice.get("choices") or [])
    return [Reply(text, choices, photo_ref=notice.get("photo"), locale=t.locale)], {}
