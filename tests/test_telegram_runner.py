"""`banggabeli run`: a real process against the fake Bot API, admins from ADMIN_IDS, SIGTERM ends it cleanly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from models import Identity, User
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support import USER, running

_LISTENING = re.compile(r"web server on http://127\.0\.0\.1:(\d+) ")


async def _bound_port(stderr: asyncio.StreamReader, seen: list[str]) -> int:
    """The port the process bound itself (it was given PORT=0), read from its start-up log line."""
    async with asyncio.timeout(60):
        while line := (await stderr.readline()).decode():
            seen.append(line)
            if match := _LISTENING.search(line):
                return int(match.group(1))
    raise AssertionError("the process ended before listening:\n" + "".join(seen))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "TEST_DATABASE"))}
    return {**env, **extra}


async def test_run_serves_telegram_and_stops_cleanly_on_sigterm(
    tg: FakeTelegramAPI,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    env = _env(
        TELEGRAM_BOT_TOKEN="42:TEST",
        TELEGRAM_API_SERVER=tg.base_url,
        DATABASE_URL=database_url,
        HOST="127.0.0.1",
        PORT="0",  # no port picked beforehand that another process could take meanwhile
        ADMIN_IDS=f"telegram:{USER},console:admin",
        LOG_LEVEL="INFO",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    early: list[str] = []
    try:
        assert process.stderr is not None
        port = await _bound_port(process.stderr, early)
        await tg.wait_for("setMyCommands", timeout=60)
        tg.send_text(USER, "/start")
        await tg.wait_for("sendMessage", chat_id=USER, timeout=20)
        async with ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert health.status == 200
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = "".join(early) + stderr.decode()
    assert process.returncode == 0, log
    assert "received SIGTERM, shutting down" in log and "channels stopped" in log
    assert "Traceback" not in log
    assert len(tg.texts_to(USER)) == 2  # the /start reply was complete before the process ended
    async with sessions() as session:
        user = await session.scalar(
            select(User).join(Identity).where(Identity.channel == "telegram", Identity.external_id == str(USER))
        )
    assert user is not None and user.is_admin  # bootstrapped from ADMIN_IDS


def test_run_without_a_channel_says_what_to_set(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "banggabeli chat" in result.stderr


async def test_stopping_lets_updates_in_flight_finish(app: App, tg: FakeTelegramAPI) -> None:
    async with running(app, tg) as server:
        tg.fail_next("sendMessage", retry_after=1)  # the reply will be in flight for a second
        tg.send_text(USER, "/start")
        await tg.wait_for("sendMessage", include_failed=True)  # refused with 429: the bot now waits 1 s
        assert server.telegram is not None and not server.telegram.idle
    # Leaving the block stopped polling while the reply was waiting to be retried; it was still sent.
    texts = tg.texts_to(USER)
    assert texts[0].startswith("Selamat datang") and len(texts) == 2
