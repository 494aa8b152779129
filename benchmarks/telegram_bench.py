"""Telegram under load: N simulated users at once through the local fake Bot API server.

The bot runs as `banggabeli run` runs it (ChannelServer: aiogram's real long-polling loop, the core
dispatcher, a real SQLite file with the demo catalog); the users live in the fake Bot API server, in the
same process, and talk over real HTTP on 127.0.0.1. A third of the users go through /start and the menu,
a third search (with a next page that edits the message in place), a third register a business and
add a product with a photo. Each user waits for the bot's answer before the next step, like a person
who answers instantly.

Prints updates handled per second, and the p50 / p95 / max time from a user's message (or button press)
to the first message or edit the bot sends back.

    .venv/bin/python benchmarks/telegram_bench.py [--users 200] [--database-url URL] [--paced] [--mix ...]

By default outgoing pacing is off, so the numbers are the bot's own capacity; `--paced` applies
Telegram's limits (30 messages/s overall, about 1/s per chat), which then dominate.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.app import App, build_app  # noqa: E402
from bot.channels.runner import ChannelServer  # noqa: E402
from bot.channels.telegram.guards import FloodGuard  # noqa: E402
from bot.channels.telegram.sender import SendLimits  # noqa: E402
from bot.config import Settings  # noqa: E402
from models import Product  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

REPLIES = frozenset({"sendMessage", "sendPhoto", "editMessageText", "editMessageCaption"})
STEP_TIMEOUT = 30.0

Step = tuple[str, str]  # ("text" | "tap" | "photo", value)

ONBOARD = [("text", "/start"), ("tap", "Bahasa Indonesia")]
BROWSE = [*ONBOARD, ("tap", "Lihat-lihat produk"), ("tap", "Setuju"), ("text", "menu"), ("text", "bantuan")]
SEARCH = [
    *ONBOARD,
    ("tap", "Staf OPD (pembeli pemerintah)"),
    ("tap", "Setuju"),
    ("text", "cari keripik"),
    ("tap?", "Lainnya »"),
    ("text", "siapa yang jual nasi kotak?"),
    ("text", "cari kopi bubuk"),
    ("text", "batik di metro"),
]
VENDOR = [
    *ONBOARD,
    ("tap", "Pelaku usaha (UMKM/IKM)"),
    ("tap", "Setuju"),
    ("text", "daftar usaha"),
    *[
        ("text", answer)
        for answer in (
            "Keripik Bench",
            "Sari Bench",
            "0812-3456-7890",
            "metro utara",
            "Jl. Ahmad Yani No. 12, Purwosari",
            "lewati",
            "ya",
            "lewati",
            "tidak",
            "lewati",
            "lewati",
            "Keripik pisang renyah khas Metro.",
        )
    ],
    ("tap", "Semua yang mencari"),
    ("tap", "Simpan"),
    ("text", "tambah produk"),
    ("text", "Keripik Pisang Cokelat"),
    ("tap", "Makanan & Minuman"),
    *[("text", answer) for answer in ("Kemasan 250 gram.", "Rp15.000", "bungkus", "20", "500", "lewati")],
    ("photo", ""),
    ("tap", "Simpan"),
]
SCRIPTS = {"start": BROWSE, "search": SEARCH, "product-form": VENDOR}


@dataclass
class ChatLog:
    """What the bot sent to one chat, with times."""

    events: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class ObservedFake(FakeTelegramAPI):
    """The fake Bot API, also keeping a timed log of the bot's replies per chat (no polling of its state)."""

    def __init__(self) -> None:
        super().__init__()
        self.chats: dict[int, ChatLog] = defaultdict(ChatLog)

    def _record(self, method: str, params: dict[str, Any], error: dict[str, Any] | None) -> None:
        super()._record(method, params, error)
        chat = params.get("chat_id")
        if error is None and method in REPLIES and isinstance(chat, int):
            log = self.chats[chat]
            log.events.append((time.perf_counter(), method, params))
            log.changed.set()


def _labels(params: dict[str, Any]) -> list[str]:
    markup = params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [b["text"] if isinstance(b, dict) else b for row in rows for b in row]


def _has_question(params: dict[str, Any]) -> bool:
    markup = params.get("reply_markup") or {}
    return bool(markup.get("inline_keyboard")) or any(
        isinstance(b, dict) and b.get("request_contact") for row in markup.get("keyboard") or [] for b in row
    )


async def _until(log: ChatLog, done: Callable[[], bool]) -> None:
    async with asyncio.timeout(STEP_TIMEOUT):
        while not done():
            log.changed.clear()
            await log.changed.wait()


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    updates: int = 0
    failures: list[str] = field(default_factory=list)


async def user_session(tg: ObservedFake, user: int, script: list[Step], stats: Stats) -> None:
    """One user going through a script, waiting for the bot's answer to each step."""
    log = tg.chats[user]
    for index, (kind, value) in enumerate(script):
        if kind == "tap?":
            if not log.events or value not in _labels(log.events[-1][2]):
                continue
            kind = "tap"
        before = len(log.events)
        started = time.perf_counter()
        if kind == "text":
            tg.send_text(user, value, first_name=f"User{user}")
        elif kind == "tap":
            tg.tap(user, value)
        else:
            tg.send_photo(user)
        stats.updates += 1
        # Done when the bot shows the button the next step presses, or else asks its next question.
        upcoming = script[index + 1][1] if index + 1 < len(script) and script[index + 1][0] == "tap" else None

        def answered(before: int = before, upcoming: str | None = upcoming) -> bool:
            new = [params for _time, _method, params in log.events[before:]]
            if upcoming is not None:
                return any(upcoming in _labels(p) for p in new)
            return any(_has_question(p) for p in new)

        try:
            await _until(log, lambda before=before: len(log.events) > before)
            stats.latencies.append((log.events[before][0] - started) * 1000)
            await _until(log, answered)
        except TimeoutError:
            stats.failures.append(f"user {user} step {index} {kind} {value!r}: no answer")
            return


async def run(users: int, url: str | None, paced: bool, mix: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(env_file=None)
        settings.database.url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'telegram-bench.db'}"
        app = await build_app(settings)
        try:
            await _load_catalog(app)
            async with ObservedFake() as tg:
                settings.telegram.bot_token = SecretStr("42:TEST")
                settings.telegram.api_server = tg.base_url
                settings.web.port = 0
                limits = SendLimits() if paced else SendLimits.unpaced()
                async with ChannelServer(app, limits=limits, polling_timeout=5) as server:
                    assert server.telegram is not None
                    server.telegram.flood = FloodGuard(burst=10_000)  # scripted users type faster than people
                    stats = Stats()
                    names = mix
                    started = time.perf_counter()
                    await asyncio.gather(
                        *(user_session(tg, 10_000 + n, SCRIPTS[names[n % len(names)]], stats) for n in range(users))
                    )
                    elapsed = time.perf_counter() - started
                    problems = list(tg.failures)
            async with app.sessions() as session:
                products = await session.scalar(select(func.count()).select_from(Product))
        finally:
            await app.close()
    ordered = sorted(stats.latencies)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    print(f"database: {settings.database.url.split('///')[0]}  users: {users}  pacing: {'on' if paced else 'off'}")
    print(f"mix: {', '.join(names)} (users split evenly)  updates: {stats.updates}  products in catalog: {products}")
    print(f"throughput: {stats.updates / elapsed:.0f} updates handled/s over {elapsed:.2f} s")
    print(
        f"message -> reply ms: p50 {statistics.median(ordered):.1f}  p95 {p95:.1f}  max {ordered[-1]:.1f}"
        f"  (n={len(ordered)})"
    )
    if stats.failures or problems:
        print(f"PROBLEMS: {len(stats.failures)} stuck users, {len(problems)} failed API calls")
        for line in stats.failures[:10]:
            print("  ", line)
        raise SystemExit(1)


async def _load_catalog(app: App) -> None:
    try:
        from bot.services.catalog_io import load_demo_catalog
    except ImportError:
        return
    await load_demo_catalog(app.sessions)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--paced", action="store_true", help="apply Telegram's sending limits")
    parser.add_argument("--mix", default=",".join(SCRIPTS), help=f"comma-separated scripts out of {list(SCRIPTS)}")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.mix.split(",") if name.strip()]
    if not chosen or any(name not in SCRIPTS for name in chosen):
        parser.error(f"--mix takes names out of {list(SCRIPTS)}")
    asyncio.run(run(args.users, args.database_url, args.paced, chosen))
