"""The WhatsApp channel on the Cloud API (Graph API), in the order a message travels:

* `webhook`  - `GET/POST /whatsapp/webhook` on the shared aiohttp app: handshake, HMAC signature, size limit,
  stored in the inbox before 200.
* `inbound`  - webhook JSON -> the core's `Inbound` and delivery receipts (parsing only).
* `render`   - `Reply` -> message bodies (pure; owns WhatsApp's limits: 3 buttons, 10 list rows, 4096 chars).
* `sender`   - the one place that calls the Graph API: pacing, throttling pauses, retries, error codes.
* `channel`  - `WhatsAppChannel`: replies, outbox rows (24-hour window, templates, daily cap), receipts.

`bot/channels/runner.py` mounts it when WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are set;
`docs/whatsapp.md` has the set-up.
"""

from bot.channels.whatsapp.channel import Template, WhatsAppChannel
from bot.channels.whatsapp.sender import GraphLimits
from bot.channels.whatsapp.webhook import WEBHOOK_PATH, Webhook, signature

__all__ = ["WEBHOOK_PATH", "GraphLimits", "Template", "Webhook", "WhatsAppChannel", "signature"]
