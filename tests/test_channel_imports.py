"""A process imports only the channels it runs: WhatsApp alone never loads aiogram (which holds ~150 MB once
imported, see benchmarks/memory_bench.py), and the Telegram channel still does when a bot token is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN

ROOT = Path(__file__).resolve().parents[1]

# Builds the app and the web app the way `banggabeli run` does, then lists the aiogram modules that are loaded.
_PROBE = """
import asyncio, json, sys
from bot.app import build_app
from bot.channels.runner import ChannelServer
from bot.config import Settings

async def main():
    app = await build_app(Settings(), migrate=False)
    try:
        server = ChannelServer(app)
        server.build_web_app()
        channels = [name for name in ("telegram", "whatsapp") if getattr(server, name) is not None]
    finally:
        await app.close()
    print(json.dumps({"channels": channels, "aiogram": sorted(m for m in sys.modules if m.startswith("aiogram"))}))

asyncio.run(main())
"""


def _probe(database_url: str, tmp_path: Path, **settings: str) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "WEBHOOK_"))}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(ROOT), **settings)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.usefixtures("engine")
def test_a_whatsapp_only_process_never_imports_aiogram(database_url: str, tmp_path: Path) -> None:
    whatsapp = {
        "WHATSAPP_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
    }
    result = _probe(database_url, tmp_path, **whatsapp)
    assert result == {"channels": ["whatsapp"], "aiogram": []}


@pytest.mark.usefixtures("engine")
def test_a_telegram_process_loads_aiogram_for_its_channel(database_url: str, tmp_path: Path) -> None:
    result = _probe(database_url, tmp_path, TELEGRAM_BOT_TOKEN="42:TEST")
    assert result["channels"] == ["telegram"]
    assert "aiogram.client.bot" in result["aiogram"]
