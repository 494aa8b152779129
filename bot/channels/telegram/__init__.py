"""The Telegram channel: aiogram as transport only, in front of the core dispatcher.

One module per job, in the order an update travels:

* `intake`   - how updates arrive: long polling or a webhook on the shared aiohttp app.
* `guards`   - in-memory first line: recently seen update ids, per-user flood control.
* `inbound`  - Telegram update -> the core's `Inbound` (parsing only).
* `channel`  - `TelegramChannel`: the aiogram router, one lock per chat, errors -> apology.
* `render`   - `Reply` -> Telegram messages (pure; owns Telegram's limits: 4096/1024 chars, button labels).
* `delivery` - sends one chat's rendered replies: edit in place, the menu keyboard, photo fallbacks.
* `sender`   - the one place that calls the Bot API on the way out: pacing, retries, blocked users.

`bot/channels/runner.py` starts the channel next to the web server; `docs/telegram.md` has the details.
"""

from bot.channels.telegram.channel import TelegramChannel, create_bot
from bot.channels.telegram.guards import FloodGuard
from bot.channels.telegram.intake import WEBHOOK_PATH, Polling, Webhook
from bot.channels.telegram.sender import SendLimits

__all__ = ["WEBHOOK_PATH", "FloodGuard", "Polling", "SendLimits", "TelegramChannel", "Webhook", "create_bot"]
