"""One bot process for the benchmarks: exactly what `banggabeli run` runs (`run_channels`), plus counters.

Configured by the environment like `banggabeli run` (DATABASE_URL, TELEGRAM_*, PORT, WEBHOOK_*). On SIGUSR1
it appends one JSON line to $BENCH_STATS: SQL statements executed so far and the CPU seconds this process has
used (all its threads), so the benchmark can take the difference over its timed window. With $BENCH_PROFILE
set, the first SIGUSR1 starts cProfile and the second writes the profile to that path.

    DATABASE_URL=... TELEGRAM_BOT_TOKEN=... .venv/bin/python benchmarks/bench_bot.py
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bot.channels.runner import run_channels  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.logs import configure_logging  # noqa: E402


class Counters:
    """Statements executed by every engine of this process (a SQLAlchemy event listener)."""

    def __init__(self) -> None:
        self.statements = 0
        self.profile: cProfile.Profile | None = None
        self.snapshots = 0
        event.listen(Engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def snapshot(self) -> None:
        self.snapshots += 1
        target = os.environ.get("BENCH_STATS")
        if target:
            line = {"statements": self.statements, "cpu": time.process_time(), "pid": os.getpid()}
            with Path(target).open("a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")
        profile_path = os.environ.get("BENCH_PROFILE")
        if profile_path and self.snapshots == 1:
            self.profile = cProfile.Profile(time.process_time)  # CPU time: other processes do not count
            self.profile.enable()
        elif profile_path and self.profile is not None:
            self.profile.disable()
            self.profile.dump_stats(profile_path)
            self.profile = None


async def main() -> None:
    counters = Counters()
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, counters.snapshot)
    settings = Settings()
    configure_logging(settings.bot.log_level, personal_data=settings.bot.log_personal_data)
    await run_channels(settings)


if __name__ == "__main__":
    asyncio.run(main())
