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
import contextlib
import itertools
import json
import logging
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession, TCPConnector  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bot.app import App, build_app  # noqa: E402
from bot.channels.runner import ChannelServer  # noqa: E402
from bot.channels.telegram import WEBHOOK_PATH  # noqa: E402
from bot.channels.telegram.guards import FloodGuard  # noqa: E402
from bot.channels.telegram.sender import SendLimits  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import is_sqlite  # noqa: E402
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
        self._targets: list[str] = []
        self._secret = ""
        self._turn = itertools.count()
        self._client: ClientSession | None = None
        self._pushes: set[asyncio.Task[None]] = set()
        self.push_failures: list[str] = []

    def push_to(self, targets: list[str], secret: str) -> None:
        """Deliver updates by webhook from now on, round-robin over `targets`, as a load balancer would."""
        self._targets = targets
        self._secret = secret
        self._client = ClientSession(connector=TCPConnector(limit=200))

    async def close_pushes(self) -> None:
        if self._pushes:
            await asyncio.gather(*self._pushes, return_exceptions=True)
        if self._client is not None:
            await self._client.close()

    def queue_raw(self, update: Mapping[str, Any], *, queue: bool = True) -> int:
        if not self._targets or not queue:
            return super().queue_raw(update, queue=queue)
        update_id = super().queue_raw(update, queue=False)
        target = self._targets[next(self._turn) % len(self._targets)]
        task = asyncio.create_task(self._push(target, self.update(update_id)))
        self._pushes.add(task)
        task.add_done_callback(self._pushes.discard)
        return update_id

    async def _push(self, url: str, body: dict[str, Any]) -> None:
        """POST one update; like Telegram, try again while the bot answers anything but 200."""
        assert self._client is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": self._secret}
        for _attempt in range(5):
            async with self._client.post(url, json=body, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    return
            await asyncio.sleep(0.5)
        self.push_failures.append(f"update {body['update_id']}: webhook refused it 5 times")

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


async def _users(tg: ObservedFake, users: int, mix: list[str], stats: Stats) -> float:
    """Every user through their script at once; the seconds it took."""
    started = time.perf_counter()
    await asyncio.gather(*(user_session(tg, 10_000 + n, SCRIPTS[mix[n % len(mix)]], stats) for n in range(users)))
    return time.perf_counter() - started


async def run_in_process(args: argparse.Namespace, url: str, stats: Stats) -> Result:
    """The old way: the bot, the fake Bot API and the users share one process (and one core)."""
    settings = _settings(url)
    app = await build_app(settings, migrate=False)
    try:
        async with ObservedFake() as tg:
            settings.telegram.bot_token = SecretStr("42:TEST")
            settings.telegram.api_server = tg.base_url
            settings.web.port = 0
            limits = SendLimits() if args.paced else SendLimits.unpaced()
            async with ChannelServer(app, limits=limits, polling_timeout=5) as server:
                assert server.telegram is not None
                server.telegram.flood = FloodGuard(burst=10_000)  # scripted users type faster than people
                counter = StatementCounter(app.engine)
                cpu = time.process_time()
                elapsed = await _users(tg, args.users, args.mix, stats)
                cpu = time.process_time() - cpu
                return Result(elapsed, cpu, counter.statements, list(tg.failures), 0.0)
    finally:
        await app.close()


async def stop_bots(bots: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM every bot process still running (it finishes what it holds), then wait; kill after 30 s."""
    for bot in bots:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
    for bot in bots:
        try:
            await asyncio.wait_for(bot.wait(), 30)
        except TimeoutError:
            bot.kill()


async def run_processes(args: argparse.Namespace, url: str, stats: Stats, tmp: Path) -> Result:
    """The bot in its own process(es), as `banggabeli run` runs it; the fake Bot API and users in this one."""
    webhook = args.transport == "webhook"
    secret = "bench-secret"
    stats_file = tmp / "bot-stats.jsonl"
    async with ObservedFake() as tg:
        ports = [_free_port() for _ in range(args.processes)]
        bots = [
            await _spawn(tmp, _bot_env(args, url, tg.base_url, port, webhook, secret, stats_file, index))
            for index, port in enumerate(ports)
        ]
        try:
            await _until_ready(tg, bots, args.processes, webhook)
            if webhook:
                tg.push_to([f"http://127.0.0.1:{port}{WEBHOOK_PATH}" for port in ports], secret)
            database = await _DatabaseCPU.open(url)
            try:
                before = await _snapshot(bots, stats_file)
                db_before = await database.sample() if database else None
                load_cpu = time.process_time()
                elapsed = await _users(tg, args.users, args.mix, stats)
                load_cpu = time.process_time() - load_cpu
                after = await _snapshot(bots, stats_file)
                db_after = await database.sample() if database else None
            finally:
                if database is not None:
                    await database.close()
            await tg.close_pushes()
            return Result(
                elapsed,
                sum(after[pid]["cpu"] - before[pid]["cpu"] for pid in after),
                sum(after[pid]["statements"] - before[pid]["statements"] for pid in after),
                list(tg.failures) + tg.push_failures,
                load_cpu,
                [after[pid]["cpu"] - before[pid]["cpu"] for pid in sorted(after)],
                _DatabaseCPU.spent(db_before, db_after),
            )
        finally:
            await stop_bots(bots)


@dataclass
class Result:
    elapsed: float
    cpu: float  # seconds of CPU of the bot process(es) over the timed window
    statements: int
    problems: list[Any]
    load_cpu: float  # seconds of CPU of the load generator and fake Bot API (separate processes only)
    per_process: list[float] = field(default_factory=list)  # the bot's CPU seconds, per bot process
    database_cpu: dict[str, float] | None = None  # PostgreSQL: CPU seconds of its processes (see _DatabaseCPU)


class _DatabaseCPU:
    """CPU seconds of the PostgreSQL server's processes on this machine (Linux /proc), so the report can show
    what share of the cores the database took: the backends serving the benchmark's database, and the
    server's own helpers (WAL writer, checkpointer...; shared with anything else using that server).
    Nothing for SQLite or a server on another machine (its processes are not in /proc here)."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, conn: Any, database: str) -> None:
        self.conn = conn
        self.database = database

    @classmethod
    async def open(cls, url: str) -> _DatabaseCPU | None:
        if is_sqlite(url) or not Path("/proc/self/stat").exists():  # noqa: ASYNC240 - a /proc probe
            return None
        import asyncpg

        server = make_url(url)
        conn = await asyncpg.connect(
            host=server.host,
            port=server.port or 5432,
            user=server.username,
            password=server.password,
            database=server.database,
        )
        return cls(conn, server.database or "")

    async def sample(self) -> dict[str, dict[int, float]]:
        rows = await self.conn.fetch(
            "SELECT pid, datname, backend_type FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
        )
        found: dict[str, dict[int, float]] = {"backends": {}, "server": {}, "ended": {}}
        # Backends that ended meanwhile (a pool closing a connection it had opened beyond its size) are gone
        # from /proc; their CPU is added to the postmaster's "children" time, which is sampled instead.
        postmaster = self._parent(await self.conn.fetchval("SELECT pg_backend_pid()"))
        if postmaster is not None and (children := self._cpu(postmaster, children=True)) is not None:
            found["ended"][postmaster] = children
        for row in rows:
            if row["datname"] == self.database and row["backend_type"] == "client backend":
                part = "backends"
            elif row["datname"] is None and row["backend_type"] != "client backend":
                part = "server"
            else:
                continue
            cpu = self._cpu(row["pid"])
            if cpu is not None:
                found[part][row["pid"]] = cpu
        return found

    def _fields(self, pid: int) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # a server on another machine, or the process has ended

    def _cpu(self, pid: int, *, children: bool = False) -> float | None:
        fields = self._fields(pid)
        if fields is None:
            return None
        first = 13 if children else 11  # cutime + cstime, or utime + stime
        return (int(fields[first]) + int(fields[first + 1])) / self.TICK

    def _parent(self, pid: int) -> int | None:
        fields = self._fields(pid)
        return None if fields is None else int(fields[1])

    @staticmethod
    def spent(
        before: dict[str, dict[int, float]] | None, after: dict[str, dict[int, float]] | None
    ) -> dict[str, float] | None:
        """Per part, the CPU seconds used between the samples (a backend that started meanwhile counts whole)."""
        if before is None or after is None or not after["backends"]:
            return None
        return {part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items()) for part in after}

    async def close(self) -> None:
        await self.conn.close()


class StatementCounter:
    """SQL statements sent by an engine (a SQLAlchemy event listener)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1


def _settings(url: str) -> Settings:
    settings = Settings(env_file=None)
    settings.database.url = url
    return settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bot_env(
    args: argparse.Namespace,
    url: str,
    api: str,
    port: int,
    webhook: bool,
    secret: str,
    stats_file: Path,
    index: int,
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "WHATSAPP_"))}
    env.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN="42:TEST",
        TELEGRAM_API_SERVER=api,
        TELEGRAM_FLOOD_BURST="10000",  # scripted users type faster than people
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="WARNING",
        BENCH_STATS=str(stats_file),
    )
    if not args.paced:
        env.update(TELEGRAM_RATE_OVERALL="0", TELEGRAM_RATE_PER_CHAT="0")
    if webhook:
        env.update(WEBHOOK_BASE_URL="https://bench.invalid", WEBHOOK_SECRET=secret)
    else:
        env.pop("WEBHOOK_BASE_URL", None)
    if args.profile:
        env["BENCH_PROFILE"] = f"{args.profile}.{index}" if args.processes > 1 else args.profile
    return env


async def _spawn(tmp: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    # The working directory is the temporary one, so no .env of the checkout leaks into the bot.
    script = str(ROOT / "benchmarks" / "bench_bot.py")
    return await asyncio.create_subprocess_exec(sys.executable, script, cwd=tmp, env=env)


async def _until_ready(tg: ObservedFake, bots: list[asyncio.subprocess.Process], count: int, webhook: bool) -> None:
    """Until every bot process has set its webhook (or started polling) and its command menus."""
    async with asyncio.timeout(120):
        while len(tg.calls_of("setMyCommands")) < 2 * count or (webhook and len(tg.calls_of("setWebhook")) < count):
            if any(bot.returncode is not None for bot in bots):
                raise SystemExit("a bot process stopped during its start")
            await asyncio.sleep(0.1)
        if not webhook:
            await tg.wait_for_parked_poll(60)


async def _snapshot(bots: list[asyncio.subprocess.Process], stats_file: Path) -> dict[int, dict[str, float]]:
    """Ask every bot process for its counters (SIGUSR1); the latest line of each, by pid."""
    lines = _lines(stats_file)
    for bot in bots:
        bot.send_signal(signal.SIGUSR1)
    async with asyncio.timeout(30):
        while True:
            new = _lines(stats_file)[len(lines) :]
            if len(new) >= len(bots):
                return {row["pid"]: row for row in map(json.loads, new)}
            await asyncio.sleep(0.05)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def _database(url: str | None, tmp: Path) -> AsyncIterator[str]:
    """A fresh database: a SQLite file in `tmp`, or a new PostgreSQL database next to the one named."""
    if url is None or is_sqlite(url):
        yield url or f"sqlite+aiosqlite:///{tmp / 'telegram-bench.db'}"
        return
    import asyncpg

    server = make_url(url)
    name = f"telegram_bench_{os.getpid()}"
    admin = {"host": server.host, "port": server.port or 5432, "user": server.username, "password": server.password}
    conn = await asyncpg.connect(**admin, database=server.database)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(**admin, database=server.database)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def run(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    stats = Stats()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with contextlib.asynccontextmanager(_database)(args.database_url, tmp) as url:
            app = await build_app(_settings(url))
            try:
                await _load_catalog(app)
            finally:
                await app.close()
            if args.in_process:
                result = await run_in_process(args, url, stats)
            else:
                result = await run_processes(args, url, stats, tmp)
            app = await build_app(_settings(url), migrate=False)
            try:
                async with app.sessions() as session:
                    products = await session.scalar(select(func.count()).select_from(Product))
            finally:
                await app.close()
    _report(args, url, stats, result, products or 0)


def _report(args: argparse.Namespace, url: str, stats: Stats, result: Result, products: int) -> None:
    ordered = sorted(stats.latencies) or [0.0]
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    where = (
        "one process with the users (--in-process)"
        if args.in_process
        else (f"{args.processes} bot process(es), {args.transport}; users and fake Bot API in another process")
    )
    updates = max(stats.updates, 1)
    print(f"database: {url.split('://')[0]}  users: {args.users}  pacing: {'on' if args.paced else 'off'}")
    print(f"bot: {where}")
    print(f"mix: {', '.join(args.mix)} (users split evenly)  updates: {stats.updates}  products in catalog: {products}")
    print(f"throughput: {stats.updates / result.elapsed:.0f} updates handled/s over {result.elapsed:.2f} s")
    print(
        f"message -> reply ms: p50 {statistics.median(ordered):.1f}  p95 {p95:.1f}  max {ordered[-1]:.1f}"
        f"  (n={len(stats.latencies)})"
    )
    load = "" if args.in_process else f"  (load generator + fake Bot API: {result.load_cpu * 1000 / updates:.2f})"
    statements = result.statements / updates
    print(f"per update: bot CPU ms {result.cpu * 1000 / updates:.2f}{load}  SQL statements {statements:.1f}")
    if len(result.per_process) > 1:
        shares = "  ".join(f"{cpu * 1000 / updates:.2f}" for cpu in result.per_process)
        print(f"per update, bot CPU ms by process: {shares}")
    if result.database_cpu is not None:
        spent = {part: cpu * 1000 / updates for part, cpu in result.database_cpu.items()}
        print(
            f"per update: PostgreSQL CPU ms {spent['backends']:.2f} (backends of this database)"
            f" + {spent['ended']:.2f} (backends that ended during the run, any database)"
            f" + {spent['server']:.2f} (server processes: WAL writer, checkpointer...)"
        )
    if not args.in_process:
        database = sum((result.database_cpu or {}).values())
        busy = result.cpu + result.load_cpu + database
        print(
            f"cores busy over the run: {busy / result.elapsed:.2f} of {os.cpu_count()}"
            f" (bot {result.cpu / result.elapsed:.2f},"
            f" load generator + fake API {result.load_cpu / result.elapsed:.2f},"
            f" PostgreSQL {database / result.elapsed:.2f})"
        )
    if stats.failures or result.problems:
        print(f"PROBLEMS: {len(stats.failures)} stuck users, {len(result.problems)} failed API calls")
        for line in [*stats.failures[:10], *map(str, result.problems[:5])]:
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
    parser.add_argument("--processes", type=int, default=1, help="bot processes (more than one needs a webhook)")
    parser.add_argument("--transport", choices=["polling", "webhook"], default=None, help="default: polling for one")
    parser.add_argument("--in-process", action="store_true", help="run the bot inside this process (the old way)")
    parser.add_argument("--profile", default=None, help="cProfile the bot process over the timed window to PATH")
    args = parser.parse_args()
    args.mix = [name.strip() for name in args.mix.split(",") if name.strip()]
    if not args.mix or any(name not in SCRIPTS for name in args.mix):
        parser.error(f"--mix takes names out of {list(SCRIPTS)}")
    args.transport = args.transport or ("polling" if args.processes == 1 else "webhook")
    if args.processes > 1 and args.transport == "polling":
        parser.error("several processes share one bot through a webhook (Telegram allows one long poll)")
    if args.in_process and (args.processes != 1 or args.transport != "polling" or args.profile):
        parser.error("--in-process runs one polling bot inside this process")
    asyncio.run(run(args))
