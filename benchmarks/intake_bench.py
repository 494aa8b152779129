"""The database side of an update, without a platform: intake -> dispatcher -> outbox, counted.

N users each type a script (onboarding, menu, a business registration form, searches) through the real
`Intake` (inbox row, per-chat worker, one transaction per update, outbox row, outcome marks) on a SQLite
file; a stand-in outlet "sends" each reply at once and the user types the next message. No aiogram and no
HTTP, so the counts are the core's and the database layer's own. Prints per update: CPU ms, SQL statements
(as SQLAlchemy sends them), hops to aiosqlite's thread, and with --calls the Python function calls (a
profiler's count, steadier than CPU time on a busy machine); -v lists the statements.

    .venv/bin/python benchmarks/intake_bench.py [--users 10] [--calls] [-v]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiosqlite.core  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.intake import Intake  # noqa: E402
from bot.core.messages import Channel, Inbound, Reply  # noqa: E402
from bot.core.wire import Meta  # noqa: E402
from bot.services import outbox  # noqa: E402

SCRIPT = [
    *("halo", "1", "1", "1", "menu", "bantuan", "daftar usaha", "Usaha Benchmark", "Pemilik Benchmark"),
    *("0812-3456-7890", "Metro Pusat", "Jl. Contoh No. 1, Yosomulyo", "lewati", "tidak", "tidak", "lewati"),
    *("lewati", "Usaha contoh untuk uji beban.", "1", "Simpan", "cari keripik", "siapa yang jual nasi kotak?"),
    *("cari kopi bubuk", "batik di metro", "menu", "bantuan"),
]


class Hops:
    """Counts the calls made in aiosqlite's thread (each is a hop there and back through the event loop)."""

    def __init__(self) -> None:
        self.count = 0
        original = aiosqlite.core.Connection._execute

        async def counted(connection: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(connection, fn, *args, **kwargs)

        aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]


class Outlet:
    """Sends nothing: wakes the user who waits for this reply."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[None]] = {}

    async def deliver(self, external_id: str, replies: Sequence[Reply], meta: Meta) -> str:
        self.waiting.pop(external_id).set_result(None)
        return outbox.SENT


async def main(users: int, calls: bool, verbose: bool) -> None:
    hops = Hops()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(env_file=None)
        settings.database.url = f"sqlite+aiosqlite:///{Path(tmp) / 'intake-bench.db'}"
        app = await build_app(settings)
        intake = Intake(app.sessions, app.dispatcher)
        outlet = Outlet()
        intake.attach(Channel.TELEGRAM.value, outlet)
        statements: collections.Counter[str] = collections.Counter()

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements[" ".join(statement.split())[:110]] += 1

        event.listen(app.engine.sync_engine, "before_cursor_execute", count)
        update_ids = iter(range(1, 10**9))

        async def user(index: int) -> None:
            chat = str(1000 + index)
            for text in SCRIPT:
                answered = outlet.waiting[chat] = asyncio.get_running_loop().create_future()
                await intake.accept(Inbound(Channel.TELEGRAM, chat, text=text, update_id=str(next(update_ids))))
                await answered

        hops.count = 0
        profile = cProfile.Profile() if calls else None
        if profile is not None:
            profile.enable()
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(users)))
        await intake.wait_idle()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        n = users * len(SCRIPT)
        line = f"updates {n} in {elapsed:.2f} s ({n / elapsed:.0f}/s); per update: CPU ms {cpu * 1000 / n:.2f}"
        line += f"  SQL statements {sum(statements.values()) / n:.2f}  aiosqlite hops {hops.count / n:.1f}"
        if profile is not None:
            profile.disable()
            line += f"  Python calls {pstats.Stats(profile).total_calls / n:.0f} (CPU ms include the profiler)"
        print(line)
        if verbose:
            for statement, times in statements.most_common():
                print(f"{times / n:6.2f}  {statement}")
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--calls", action="store_true", help="count Python function calls (cProfile)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the statements per update")
    args = parser.parse_args()
    asyncio.run(main(args.users, args.calls, args.verbose))
