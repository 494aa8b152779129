"""The WhatsApp webhook on the shared aiohttp app: `GET/POST /whatsapp/webhook`.

* GET is Meta's verification handshake: `hub.mode=subscribe` with our verify token (compared in constant
  time) is answered with `hub.challenge`; anything else gets 403.
* POST, in this order, before anything is parsed: no `X-Hub-Signature-256` -> 401; a body over the size
  limit -> 413; a signature that is not HMAC-SHA256 of the raw body with the app secret (constant-time
  compare) -> 403; then JSON (400 when it is not). Messages for another phone number id are ignored.
  Each message is stored in the inbox (`Intake.accept`, keyed by its `wamid`, so a repeated delivery is
  dropped) and receipts update their outbox rows; only then 200. Handling happens after, in the intake's
  worker for that chat. When the database cannot store an update the answer is 500 and Meta retries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from aiohttp import web

from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.inbound import parse
from bot.channels.whatsapp.media import read_at_most
from bot.core.intake import Intake

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature(secret: bytes, body: bytes) -> str:
    """The header value Meta sends for `body`: `sha256=<hex HMAC-SHA256 with the app secret>`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class Webhook:
    """Authenticate, store, acknowledge; the intake handles the messages afterwards."""

    def __init__(
        self, channel: WhatsAppChannel, intake: Intake, *, app_secret: str, verify_token: str, max_body: int
    ) -> None:
        if not app_secret or not verify_token:
            raise ValueError("the WhatsApp webhook needs WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN")
        self.channel = channel
        self.intake = intake
        self._secret = app_secret.encode()
        self._verify = verify_token.encode()
        self.max_body = max_body
        self.phone_number_id = channel.settings.phone_number_id

    def mount(self, app: web.Application, path: str = WEBHOOK_PATH) -> None:
        """Serve the endpoint on `app`."""
        app.router.add_get(path, self.verify)
        app.router.add_post(path, self.handle)

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription handshake."""
        query = request.query
        token = query.get("hub.verify_token", "").encode()
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(token, self._verify):
            return web.Response(text=query.get("hub.challenge", ""))
        logger.warning("refused a whatsapp webhook verification from %s", request.remote)
        return web.Response(status=403, text="Forbidden")

    async def handle(self, request: web.Request) -> web.Response:
        """One delivery from Meta."""
        given = request.headers.get(SIGNATURE_HEADER)
        if not given:
            logger.warning("refused an unsigned whatsapp webhook call from %s", request.remote)
            return web.Response(status=401, text="Unauthorized")
        if request.content_length is not None and request.content_length > self.max_body:
            return web.Response(status=413, text="Payload Too Large")
        body = await read_at_most(request.content, self.max_body + 1)
        if len(body) > self.max_body:
            return web.Response(status=413, text="Payload Too Large")
        if not hmac.compare_digest(given.encode(), signature(self._secret, body).encode()):
            logger.warning("refused a whatsapp webhook call with a wrong signature from %s", request.remote)
            return web.Response(status=403, text="Forbidden")
        try:
            payload = json.loads(body)
        except ValueError:
            return web.Response(status=400, text="Bad Request")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="Bad Request")
        parsed = parse(payload, self.phone_number_id)
        try:
            for inbound, meta in parsed.messages:
                await self.intake.accept(inbound, meta)
            await self.channel.apply_receipts(parsed.receipts)
        except Exception as err:  # not stored: Meta delivers it again, the inbox drops what was stored
            logger.error("a whatsapp delivery could not be stored: %s", err)
            return web.Response(status=500, text="Not stored; please retry")
        return web.Response(text="ok")
