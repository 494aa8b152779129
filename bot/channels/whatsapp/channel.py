"""`WhatsAppChannel`: the outlet for replies, the delivery worker's sender, and the receipts' bookkeeper.

* Replies to an update (the intake's outlet, `deliver`): rendered (render.py) and sent at once; the user
  just wrote, so the 24-hour window is open.
* Outbox rows (broadcasts, event news, reminders, lead notices: `send_envelope`): inside the window they go
  as the same rendered messages; outside it (the person last wrote more than 24 h ago, or Meta refused with
  131047) only as the approved template configured for their kind (WHATSAPP_TEMPLATE_EVENT / _NOTICE /
  _LEAD, "name:language"), whose one body parameter is the message's text on one line. Never free text.
  Without a template the row is marked `needs_template` (counted in the broadcast report).
* Templates go outside the window, which the messaging tier caps per 24 h (WHATSAPP_DAILY_RECIPIENTS unique
  people). The count comes from the database and each template is reserved there before it is sent, under a
  lock all worker processes share (platform_delivery.reserve_template), so together they respect the cap; a
  new person beyond it waits (`deferred`: still queued, shown in the broadcast report) and is counted.
* Meta's codes -> outbox: 131026 undeliverable -> failed; 131047 -> template or needs_template;
  131056 (too many to one person) and 130429 (throughput, after pauses) -> retry later; network/5xx -> retry.
* A row may go out as several messages (a long text split, a photo then its text, buttons after a long
  text): every `wamid` is recorded (outbox_parts), so a receipt for any of them reaches the row: `failed` on
  any part fails it; it counts as delivered / read once all its parts are.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.whatsapp.inbound import Receipt
from bot.channels.whatsapp.media import GraphMedia, Pictures
from bot.channels.whatsapp.render import render_reply
from bot.channels.whatsapp.sender import (
    OUTSIDE_WINDOW,
    PAIR_RATE_LIMIT,
    UNDELIVERABLE,
    GraphError,
    GraphLimits,
    GraphSender,
    GraphUnavailable,
)
from bot.config import WhatsAppSettings
from bot.core.messages import Channel, Inbound, Reply
from bot.core.wire import Locale, Meta, render
from bot.services import outbox, platform_delivery
from bot.services.delivery import DEFERRED
from bot.services.events import EVENT_NOTICE, REMINDER
from bot.services.media import media_id
from bot.services.outbox import Envelope
from bot.services.platform_delivery import NEEDS_TEMPLATE

logger = logging.getLogger(__name__)

CHANNEL = Channel.WHATSAPP.value
TEMPLATE_PARAM_LIMIT = 900
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Template:
    """An approved message template: its name and language code (e.g. `bangga_info` in `id`)."""

    name: str
    language: str

    @staticmethod
    def parse(value: str | None) -> Template | None:
        """`name:language` (language defaults to `id`); None when not configured."""
        if not value or not value.strip():
            return None
        name, _, language = value.strip().partition(":")
        return Template(name.strip(), language.strip() or "id")

    def body(self, text: str) -> dict[str, Any]:
        """The message body: the template with `text` (on one line, as Meta requires) as its parameter."""
        line = _SPACES.sub(" ", text).strip() or "-"
        if len(line) > TEMPLATE_PARAM_LIMIT:
            line = line[: TEMPLATE_PARAM_LIMIT - 1].rstrip() + "…"
        parameters = [{"type": "text", "text": line}]
        template = {
            "name": self.name,
            "language": {"code": self.language},
            "components": [{"type": "body", "parameters": parameters}],
        }
        return {"type": "template", "template": template}


def address(wa_id: str | None, external_id: str) -> dict[str, str]:
    """Where a message goes: `to` the phone number when known, else `recipient` the business-scoped id."""
    return {"to": wa_id.lstrip("+")} if wa_id else {"recipient": external_id}


class WhatsAppChannel:
    """The WhatsApp adapter for one business phone number."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: WhatsAppSettings,
        locale: Locale,
        limits: GraphLimits | None = None,
    ) -> None:
        if settings.token is None or not settings.phone_number_id:
            raise ValueError("WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are needed")
        self.sessions = sessions
        self.settings = settings
        self.locale = locale
        self.sender = GraphSender(
            settings.api_base,
            settings.api_version,
            settings.phone_number_id,
            settings.token.get_secret_value(),
            limits or GraphLimits(per_second=settings.rate or None),
        )
        self.pictures = Pictures(
            sessions,
            GraphMedia(
                settings.api_base, settings.api_version, settings.phone_number_id, settings.token.get_secret_value()
            ),
        )
        self.templates = {
            "event": Template.parse(settings.template_event),
            "notice": Template.parse(settings.template_notice),
            "lead": Template.parse(settings.template_lead),
        }
        self.counts: dict[str, int] = {}

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def template_for(self, envelope: Envelope) -> Template | None:
        """The template configured for a row's kind: event news and reminders, lead notices, anything else."""
        if envelope.kind in (EVENT_NOTICE, REMINDER):
            return self.templates["event"]
        if envelope.kind == "lead":
            return self.templates["lead"]
        return self.templates["notice"]

    # ---- replies (the intake's outlet) ---------------------------------------------------------------------

    async def deliver(self, external_id: str, replies: Sequence[Reply], meta: Meta) -> str:
        """Send the replies to one update in order; an outbox status. Every message's wamid is recorded on
        the reply row (`meta["outbox_id"]`), so receipts for any of them reach it."""
        to = address(meta.get("wa_id"), external_id)
        wamids: list[str] = []
        try:
            await self._send_all(to, replies, wamids)
        except GraphUnavailable as err:
            logger.warning("could not reach the Graph API for a reply: %s", err)
            return outbox.RETRY
        except GraphError as err:
            return self._status_of(err)
        finally:
            if meta.get("outbox_id") is not None:
                await self._remember(int(meta["outbox_id"]), wamids, None)
        return outbox.SENT

    async def _send_all(self, to: dict[str, str], replies: Sequence[Reply], wamids: list[str]) -> None:
        """Send every message the replies render to, collecting their wamids as they are accepted."""
        for reply in replies:
            if media_id(reply.photo_ref) is not None:  # a kept picture: upload (once), then show
                reply = dataclasses.replace(reply, photo_ref=await self.pictures.uploaded(reply.photo_ref))
            for body in render_reply(reply, self.locale.default_language):
                wamids.append(await self.sender.send(to, body))

    def _status_of(self, err: GraphError) -> str:
        self._count(f"error_{err.code}")
        if err.code == UNDELIVERABLE:
            logger.info("whatsapp recipient undeliverable (131026)")
            return outbox.FAILED
        if err.code == OUTSIDE_WINDOW:
            return NEEDS_TEMPLATE
        if err.code == PAIR_RATE_LIMIT:
            return outbox.RETRY
        logger.error("whatsapp refused a message: %s", err)
        return outbox.FAILED

    # ---- outbox rows (the delivery worker's sender) --------------------------------------------------------

    async def send_envelope(self, envelope: Envelope) -> str:
        """Send one outbox row: free text inside the 24-hour window, else its template, else needs_template."""
        replies, _meta = render(envelope.payload, envelope.language, self.locale)
        async with self.sessions() as session:
            person = await platform_delivery.recipient(session, envelope.id, CHANNEL, envelope.external_id)
        to = address(person.phone, envelope.external_id)
        if person.in_window():
            wamids: list[str] = []
            try:
                await self._send_all(to, replies, wamids)
            except GraphUnavailable as err:
                logger.warning("could not reach the Graph API for row %s: %s", envelope.id, err)
                await self._remember(envelope.id, wamids, None)
                return outbox.RETRY
            except GraphError as err:
                await self._remember(envelope.id, wamids, None)
                if err.code != OUTSIDE_WINDOW:
                    return self._status_of(err)
            else:
                await self._remember(envelope.id, wamids, None)
                return outbox.SENT
        return await self._send_template(envelope, to, replies)

    async def _send_template(self, envelope: Envelope, to: dict[str, str], replies: Sequence[Reply]) -> str:
        template = self.template_for(envelope)
        if template is None:
            self._count(NEEDS_TEMPLATE)
            logger.info(
                "row %s is outside the 24-hour window and no template is set for %s", envelope.id, envelope.kind
            )
            return NEEDS_TEMPLATE
        async with self.sessions() as session, session.begin():
            reserved = await platform_delivery.reserve_template(
                session, CHANNEL, envelope.id, envelope.external_id, template.name, self.settings.daily_recipients
            )
        if not reserved:
            self._count(DEFERRED)
            logger.warning(
                "whatsapp daily cap of %s recipients reached; row %s waits", self.settings.daily_recipients, envelope.id
            )
            return DEFERRED
        text = "\n".join(r.text for r in replies if r.text.strip())
        try:
            wamid = await self.sender.send(to, template.body(text))
        except GraphUnavailable as err:
            logger.warning("could not reach the Graph API for row %s: %s", envelope.id, err)
            status = outbox.RETRY
        except GraphError as err:
            status = outbox.FAILED if err.code == OUTSIDE_WINDOW else self._status_of(err)
        else:
            self._count("template")
            await self._remember(envelope.id, [wamid], template.name)
            return outbox.SENT
        if status == outbox.RETRY:  # not sent: the reservation no longer counts against the cap
            async with self.sessions() as session, session.begin():
                await platform_delivery.release_template(session, envelope.id)
        return status

    async def _remember(self, row_id: int, wamids: Sequence[str], template: str | None) -> None:
        if not any(wamids):
            return
        async with self.sessions() as session, session.begin():
            await platform_delivery.record_sent(session, row_id, wamids, template)

    # ---- pictures -----------------------------------------------------------------------------------------

    async def prepare(self, inbound: Inbound) -> Inbound:
        """Before a stored update is handled: fetch and keep the picture it carries (media.Pictures)."""
        return await self.pictures.prepare(inbound)

    # ---- receipts ------------------------------------------------------------------------------------------

    async def apply_receipts(self, receipts: Sequence[Receipt]) -> int:
        """Record status callbacks on the outbox rows they concern; how many rows they found."""
        if not receipts:
            return 0
        found = 0
        async with self.sessions() as session, session.begin():
            for receipt in receipts:
                row = await platform_delivery.apply_status(
                    session, receipt.message_id, receipt.status, receipt.error_code
                )
                found += row is not None
        return found

    async def close(self) -> None:
        """Close the Graph API sessions."""
        await self.sender.close()
        await self.pictures.graph.close()
