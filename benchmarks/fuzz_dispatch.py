"""10,000 hostile and careless messages through the dispatcher, on SQLite and (with --pg) PostgreSQL.

Prints, per database: messages sent, duplicates sent (and answered: must be 0), unanswered messages,
internal errors (the apology), errors logged, and the database's integrity checks. Exit status 1 when any is
not zero, so it can gate a release.

    .venv/bin/python benchmarks/fuzz_dispatch.py [--messages 10000] [--seed 1] [--pg postgresql+asyncpg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.db import create_engine  # noqa: E402
from bot.services.catalog_io import load_demo_catalog  # noqa: E402
from tests.fuzzing import FuzzReport, fuzz  # noqa: E402
from tests.support import make_settings  # noqa: E402


async def run(url: str, messages: int, seed: int) -> FuzzReport:
    app = await build_app(make_settings(url, admin_ids="console:admin"))
    try:
        await load_demo_catalog(app.sessions)
        return await fuzz(app.dispatcher, app.sessions, messages=messages, seed=seed)
    finally:
        await app.close()


async def _admin(base: str, statement: str) -> None:
    engine = create_engine(make_url(base).set(database="postgres").render_as_string(hide_password=False))
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


def _print(name: str, report: FuzzReport, seconds: float) -> None:
    print(
        f"{name}: {report.messages} messages in {seconds:.0f} s; duplicates sent {report.duplicates_sent} "
        f"(answered {report.duplicates_answered}); unanswered {report.unanswered}; internal errors "
        f"{report.internal_errors}; errors logged {report.logged_errors}; integrity problems "
        f"{len(report.integrity_problems)} {report.integrity_problems or ''}"
    )
    print(f"    kinds: {dict(report.kinds)}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", help="PostgreSQL server URL (a fresh database is created and dropped)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # the report counts errors; keep the terminal readable
    clean = True
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        report = await run(f"sqlite+aiosqlite:///{Path(tmp) / 'fuzz.db'}", args.messages, args.seed)
        _print("SQLite", report, time.monotonic() - started)
        clean &= report.clean
    if args.pg:
        name = f"bb_fuzz_{uuid.uuid4().hex[:10]}"
        await _admin(args.pg, f'CREATE DATABASE "{name}"')
        try:
            started = time.monotonic()
            url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            report = await run(url, args.messages, args.seed)
            _print("PostgreSQL", report, time.monotonic() - started)
            clean &= report.clean
        finally:
            await _admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
