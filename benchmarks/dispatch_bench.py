"""How many messages per second the core handles on one SQLite file, and how long a user waits.

Simulates N console users talking at once (onboarding, menu, help, a product form), all through the real
dispatcher, forms and database. Prints throughput, p50/p95/max latency, and CPU ms and SQL statements
per message (a SQLAlchemy event listener counts them).

    .venv/bin/python benchmarks/dispatch_bench.py [--users 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bot.app import build_app
from bot.config import Settings
from bot.core.messages import Channel, Inbound

SCRIPT = [
    "halo",
    "1",  # Bahasa Indonesia
    "1",  # pelaku usaha
    "1",  # setuju
    "menu",
    "bantuan",
    "daftar usaha",
    "Usaha Benchmark",
    "Pemilik Benchmark",
    "0812-3456-7890",
    "Metro Pusat",
    "Jl. Contoh No. 1, Yosomulyo",
    "lewati",
    "tidak",
    "tidak",
    "lewati",
    "lewati",
    "Usaha contoh untuk uji beban.",
    "1",
    "Simpan",
]


async def user_session(app: object, name: str, latencies: list[float]) -> None:
    dispatcher = app.dispatcher  # type: ignore[attr-defined]
    for index, text in enumerate(SCRIPT):
        inbound = Inbound(Channel.CONSOLE, name, text=text, update_id=f"{name}-{index}")
        started = time.perf_counter()
        replies = await dispatcher.handle(inbound)
        latencies.append((time.perf_counter() - started) * 1000)
        assert replies, f"no reply to {text!r}"


async def main(users: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(env_file=None)
        settings.database.url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        app = await build_app(settings)
        statements = 0

        def count(*_args: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(app.engine.sync_engine, "before_cursor_execute", count)
        latencies: list[float] = []
        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(user_session(app, f"user{i}", latencies) for i in range(users)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        await app.close()
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"database: {settings.database.url.split('///')[0]}  users: {users}  messages: {len(latencies)}")
    print(f"throughput: {len(latencies) / elapsed:.0f} messages/s over {elapsed:.2f} s")
    print(f"latency ms: p50 {statistics.median(ordered):.1f}  p95 {p95:.1f}  max {ordered[-1]:.1f}")
    print(f"per message: CPU ms {cpu * 1000 / len(latencies):.2f}  SQL statements {statements / len(latencies):.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.database_url))
