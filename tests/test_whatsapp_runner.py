"""`banggabeli run` with WhatsApp configured: a real process serves the signed webhook and answers through the
fake Graph API; a WhatsApp set-up without its webhook secrets does not start."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot.app import App
from bot.channels.runner import ChannelServer
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN, FakeGraphAPI, message, sign

_LISTENING = re.compile(r"web server on http://127\.0\.0\.1:(\d+) ")


@pytest.mark.usefixtures("engine")  # emptied tables: "halo" comes from a new user, whatever test ran before
async def test_run_serves_whatsapp_and_stops_cleanly(graph: FakeGraphAPI, database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "TEST_DATABASE"))}
    env.update(
        WHATSAPP_TOKEN=TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
        WHATSAPP_API_BASE=graph.base_url,
        DATABASE_URL=database_url,
        HOST="127.0.0.1",
        PORT="0",
        LOG_LEVEL="INFO",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    seen: list[str] = []
    try:
        assert process.stderr is not None
        async with asyncio.timeout(60):
            port = 0
            while not port and (line := (await process.stderr.readline()).decode()):
                seen.append(line)
                if match := _LISTENING.search(line):
                    port = int(match.group(1))
        assert port, "".join(seen)
        body = json.dumps(message("text", text="halo")).encode()
        headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
        async with ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/whatsapp/webhook", data=body, headers=headers) as r:
                assert r.status == 200
            async with asyncio.timeout(20):
                # The greeting and the language question (sent by another process: nothing to await here).
                while len(graph.sent) < 2:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = "".join(seen) + stderr.decode()
    assert process.returncode == 0, log
    assert "channels stopped" in log and "Traceback" not in log
    assert [s.kind for s in graph.sent] == ["text", "button"]


async def test_whatsapp_without_its_webhook_secrets_does_not_start(app: App) -> None:
    settings = app.settings.whatsapp
    settings.token, settings.phone_number_id = SecretStr(TOKEN), PHONE_NUMBER_ID
    settings.app_secret = None
    app.settings.web.port = 0
    with pytest.raises(ValueError, match="WHATSAPP_APP_SECRET"):
        async with ChannelServer(app):
            pass
