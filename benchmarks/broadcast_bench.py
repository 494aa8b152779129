"""Broadcast delivery against Telegram's limits, through the local fake Bot API made to enforce them.

The fake answers 429 (retry_after 1) beyond 30 messages in any second or more than 1 a second to a chat, as
Telegram's flood control does. The bot's `banggabeli worker` runs as a real process, sending one broadcast to
N recipients (3,000 by default) from a real database.

1. **Rate**: one worker delivers the broadcast; prints messages per second (from the first to the last send)
   and the 429s it caused.
2. **Crash**: a second broadcast; the worker is killed with SIGKILL halfway and started again; prints whether
   every recipient got it, how many got it twice, and how many rows were in flight at the kill.
3. **Two workers** (PostgreSQL, `--pg URL`): a third broadcast with two workers at once, each at half the rate;
   prints rows sent twice (must be 0).

    .venv/bin/python benchmarks/broadcast_bench.py [--recipients 3000] [--pg postgresql+asyncpg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.db import create_engine, session_factory  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from bot.services import broadcasts  # noqa: E402
from bot.services.broadcasts import Audience  # noqa: E402
from models import Identity, OutboxMessage, User  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

FIRST_CHAT = 500_000


async def _populate(url: str, recipients: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        admin = User(display_name="admin", is_admin=True, onboarded=True)
        session.add(Identity(channel="telegram", external_id=str(FIRST_CHAT - 1), user=admin))
        for n in range(recipients - 1):  # with the admin, `recipients` people
            user = User(display_name=f"user {n}", role="vendor" if n % 3 else "opd", onboarded=True, language="id")
            session.add(Identity(channel="telegram", external_id=str(FIRST_CHAT + n), user=user))
    await engine.dispose()


async def _broadcast(url: str, message: str) -> int:
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        admin = await session.scalar(select(User).where(User.is_admin.is_(True)))
        assert admin is not None
        broadcast = await broadcasts.create(session, admin, message, Audience("all"))
        broadcast_id = broadcast.id
    await engine.dispose()
    return broadcast_id


async def _outbox(url: str, broadcast_id: int) -> Counter[str]:
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(OutboxMessage.status, OutboxMessage.claimed_at.is_not(None), func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(OutboxMessage.status, OutboxMessage.claimed_at.is_not(None))
        )
        counts: Counter[str] = Counter()
        for status, claimed, n in rows:
            counts[status] += n
            if status == "pending" and claimed:
                counts["in_flight"] += n
    await engine.dispose()
    return counts


async def _worker(fake: FakeTelegramAPI, url: str, workdir: Path, rate: float) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DELIVERY_"))}
    env.update(
        TELEGRAM_BOT_TOKEN="42:BENCH",
        TELEGRAM_API_SERVER=fake.base_url,
        TELEGRAM_RATE_OVERALL=str(rate),
        DATABASE_URL=url,
        ADMIN_IDS=f"telegram:{FIRST_CHAT - 1}",  # the admin who sends the broadcasts stays an admin at start-up
        DELIVERY_LEASE_SECONDS="5",
        DELIVERY_POLL_SECONDS="0.2",
        LOG_LEVEL="WARNING",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "worker", cwd=workdir, env=env, stdout=asyncio.subprocess.DEVNULL
    )


def _deliveries(fake: FakeTelegramAPI, message: str) -> Counter[int]:
    return Counter(int(c["chat_id"]) for c in fake.calls_of("sendMessage") if c.get("text", "").startswith(message))


async def _until(predicate: Callable[[], Awaitable[bool]], timeout: float = 600.0) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not await predicate():  # noqa: ASYNC110 - watching other processes
            await asyncio.sleep(0.1)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await process.wait()


async def rate_run(fake: FakeTelegramAPI, url: str, workdir: Path, recipients: int) -> None:
    message = "Undangan FGD P3DN (rate)"
    broadcast_id = await _broadcast(url, message)
    before = fake.rate_limited
    worker = await _worker(fake, url, workdir, 28.0)
    try:
        await _until(lambda: _done(url, broadcast_id))
    finally:
        await _stop(worker)
    times = [r.at for r in fake.send_times() if r.text.startswith(message)]
    seconds = max(times) - min(times)
    delivered = _deliveries(fake, message)
    print(
        f"rate:   {len(delivered)}/{recipients} recipients in {seconds:.1f} s = "
        f"{(sum(delivered.values()) - 1) / seconds:.1f} messages/s; 429 answers: {fake.rate_limited - before}"
    )


async def _done(url: str, broadcast_id: int) -> bool:
    counts = await _outbox(url, broadcast_id)
    return counts["pending"] == 0 and sum(counts.values()) > 0


async def crash_run(fake: FakeTelegramAPI, url: str, workdir: Path, recipients: int) -> None:
    message = "Undangan FGD P3DN (crash)"
    broadcast_id = await _broadcast(url, message)
    worker = await _worker(fake, url, workdir, 28.0)

    async def halfway() -> bool:
        return sum(_deliveries(fake, message).values()) >= recipients // 2

    await _until(halfway)
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    at_kill = await _outbox(url, broadcast_id)
    sent_at_kill = sum(_deliveries(fake, message).values())
    worker = await _worker(fake, url, workdir, 28.0)
    try:
        await _until(lambda: _done(url, broadcast_id))
    finally:
        await _stop(worker)
    delivered = _deliveries(fake, message)
    missing = recipients - len(delivered)
    twice = sum(n - 1 for n in delivered.values() if n > 1)
    print(
        f"crash:  SIGKILL after {sent_at_kill} messages ({at_kill['sent']} marked sent, {at_kill['in_flight']} rows "
        f"claimed in flight); after restart: {len(delivered)}/{recipients} recipients, {missing} missing, "
        f"{twice} sent twice (at most the {at_kill['in_flight']} in flight)"
    )


async def two_workers_run(fake: FakeTelegramAPI, url: str, workdir: Path, recipients: int) -> None:
    message = "Undangan FGD P3DN (two workers)"
    broadcast_id = await _broadcast(url, message)
    before = fake.rate_limited
    workers = [await _worker(fake, url, workdir, 14.0) for _ in range(2)]
    try:
        await _until(lambda: _done(url, broadcast_id))
    finally:
        for worker in workers:
            await _stop(worker)
    delivered = _deliveries(fake, message)
    twice = sum(n - 1 for n in delivered.values() if n > 1)
    print(
        f"2 workers (PostgreSQL): {len(delivered)}/{recipients} recipients, {twice} sent twice, "
        f"429 answers: {fake.rate_limited - before}"
    )


async def _pg_database(base: str) -> tuple[str, str]:
    name = f"bb_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(base).set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


async def _drop_pg(base: str, name: str) -> None:
    admin = create_engine(make_url(base).set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--pg", help="a PostgreSQL URL for the two-worker run (a fresh database is made there)")
    parser.add_argument("--skip-crash", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        await _populate(url, args.recipients)
        async with FakeTelegramAPI() as fake:
            fake.enforce_rate_limits(30, 1)
            started = time.monotonic()
            await rate_run(fake, url, workdir, args.recipients)
            if not args.skip_crash:
                await crash_run(fake, url, workdir, args.recipients)
            if args.pg:
                pg_url, name = await _pg_database(args.pg)
                try:
                    await _populate(pg_url, args.recipients)
                    await two_workers_run(fake, pg_url, workdir, args.recipients)
                finally:
                    await _drop_pg(args.pg, name)
            print(f"total bench time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
