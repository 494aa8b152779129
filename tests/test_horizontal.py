"""Two bot processes behind one webhook path share the updates of one chat: each update is handled once, and
the chat's updates in the order they were accepted, whichever process took them (bot/services/inbox.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.channels.runner import ChannelServer
from bot.core.messages import Channel
from bot.services import outbox
from models import InboxUpdate
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support import PROFILE_ANSWERS, USER, Chat, make_settings, running, t

SECRET = "two-processes"


async def _settled(app: App, servers: list[ChannelServer], *, inbox_empty: bool = True) -> None:
    """Until the servers have no work left (and no update waits in the inbox), a few turns in a row."""
    async with asyncio.timeout(60):
        quiet = 0
        while quiet < 3:
            async with app.sessions() as session:
                waiting = await session.scalar(
                    select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status == "pending")
                )
            idle = not (waiting and inbox_empty) and all(s.telegram is not None and s.telegram.idle for s in servers)
            quiet = quiet + 1 if idle else 0
            await asyncio.sleep(0.02)


async def test_one_chat_spread_over_two_processes_is_handled_once_and_in_order(
    app: App, database_url: str, tg: FakeTelegramAPI
) -> None:
    chat = Chat(app.dispatcher, str(USER), channel=Channel.TELEGRAM)
    await chat.say("/start")
    for label in ("Bahasa Indonesia", "Pelaku usaha", "Setuju"):
        await chat.press(label)
    other = await build_app(make_settings(database_url), migrate=False)  # a second process on the same database
    webhook = {"webhook_base_url": "https://bot.example.org", "webhook_secret": SecretStr(SECRET)}
    try:
        async with running(app, tg, **webhook) as first, running(other, tg, **webhook) as second:
            urls = [f"http://127.0.0.1:{server.port}/telegram/webhook" for server in (first, second)]
            # The first process is slow: its sends hang until released, so its chat worker falls behind.
            assert first.telegram is not None and second.telegram is not None
            release = asyncio.Event()
            send = first.telegram.deliver

            async def slow_send(*args: Any) -> str:
                await release.wait()
                return await send(*args)

            first.telegram.deliver = slow_send  # type: ignore[method-assign]
            # The user answers the whole business form at once; a load balancer sends the messages to the
            # two processes in turn. Each is stored (200) before the next is sent, as Telegram does.
            answers = ["daftar usaha", *PROFILE_ANSWERS]
            for n, text in enumerate(answers):
                update_id = tg.send_text(USER, text, queue=False)
                assert await tg.post_webhook(urls[n % 2], update_id, secret=SECRET) == 200
            await _settled(app, [second], inbox_empty=False)
            release.set()
            await _settled(app, [first, second])
            tap = tg.tap(USER, "Semua yang mencari", queue=False)
            assert await tg.post_webhook(urls[0], tap, secret=SECRET) == 200
            await _settled(app, [first, second])
    finally:
        await other.close()

    summary = tg.texts_to(USER)[-1]
    for field, value in (
        ("business_name", "Keripik Pisang Bu Sari"),
        ("owner_name", "Sari Wulandari"),
        ("phone", "0812-3456-7890"),
        ("kecamatan", "Metro Utara"),
        ("address", "Jl. Ahmad Yani No. 12, Purwosari"),
        ("nib", "-"),
        ("ekatalog", "Ya"),
        ("tkdn_certified", "Tidak"),
        ("pirt_number", "1234567890123-45"),
        ("description", "Keripik pisang renyah khas Metro sejak 2015."),
    ):
        line = f"• {t(f'vendor.label_{field}')}: {value}"
        assert line in summary, summary  # every answer landed in its own field: handled in the order given
    async with app.sessions() as session:
        handled = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status == "handled")
        )
        assert handled == len(answers) + 1
        assert await outbox.count_by_status(session) == {"sent": len(answers) + 1}  # one answer each, once
