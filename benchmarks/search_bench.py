"""Search benchmark: build catalogs of several sizes through the real code path and time the questions.

    .venv/bin/python benchmarks/search_bench.py [--sizes 1000,10000,100000] [--queries 300]
        [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Each (backend, size) runs in its own process so peak memory (ru_maxrss) is per run. A run migrates a
fresh database (a temp SQLite file; on PostgreSQL a database it creates and drops), bulk-inserts vendors
and products with empty `search_text`, calls `rebuild_index` (the index build), then times `search()`
(log=False) for every question after a short warm-up. "first_ms" is the first question, which loads the
vocabulary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from benchmarks.bench_catalog import make_catalog, make_queries
from bot.db import create_engine, session_factory
from bot.migrate import upgrade
from bot.services.region import bind_region, load_region
from bot.services.search import rebuild_index, search
from models import Product, Vendor

_WARMUP = 20


async def _admin(url: str, statement: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin.render_as_string(hide_password=False))
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


async def _build(url: str, size: int) -> dict[str, float]:
    engine = create_engine(url)
    await upgrade(engine)
    catalog = make_catalog(size)
    sessions = bind_region(session_factory(engine), load_region())
    started = time.perf_counter()
    async with sessions() as session:
        vendor_ids = (
            await session.scalars(insert(Vendor).returning(Vendor.id, sort_by_parameter_order=True), catalog.vendors)
        ).all()
        rows = [{**{k: v for k, v in p.items() if k != "vendor_index"}, "vendor_id": vendor_ids[int(p["vendor_index"])]}
                for p in catalog.products]  # fmt: skip
        await session.execute(insert(Product), rows)
        await session.commit()
    inserted = time.perf_counter()
    async with sessions() as session:
        await rebuild_index(session)
        await session.commit()
        if engine.dialect.name == "postgresql":
            await session.execute(text("ANALYZE products"))
            await session.commit()
    indexed = time.perf_counter()
    await engine.dispose()
    return {"insert_s": inserted - started, "index_s": indexed - inserted}


async def _query(url: str, queries: list[str]) -> dict[str, float]:
    engine = create_engine(url)
    sessions = bind_region(session_factory(engine), load_region())
    timings: list[float] = []
    hits = 0
    async with sessions() as session:
        first = time.perf_counter()
        await search(session, queries[0], log=False)
        first_ms = (time.perf_counter() - first) * 1000
        for q in queries[:_WARMUP]:
            await search(session, q, log=False)
        for q in queries:
            started = time.perf_counter()
            result = await search(session, q, log=False)
            timings.append((time.perf_counter() - started) * 1000)
            hits += bool(result.results)
    await engine.dispose()
    timings.sort()
    return {
        "first_ms": first_ms,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "max_ms": timings[-1],
        "answered": hits / len(queries),
    }


async def run_one(backend: str, size: int, n_queries: int, pg: str | None) -> dict[str, object]:
    """One measurement in this process: build, query, report."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="bb_bench_")
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
    else:
        assert pg is not None
        name = f"bb_bench_{uuid.uuid4().hex[:10]}"
        await _admin(pg, f'CREATE DATABASE "{name}"')
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    try:
        build = await _build(url, size)
        timings = await _query(url, make_queries(n_queries))
    finally:
        if backend == "postgresql":
            await _admin(pg or "", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            shutil.rmtree(folder, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"backend": backend, "size": size, **build, **timings, "peak_rss_mb": peak_mb}


def _pg_reachable(url: str) -> bool:
    try:
        asyncio.run(_admin(url, "SELECT 1"))
    except (OSError, SQLAlchemyError) as exc:
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipping it", file=sys.stderr)
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--pg", help="PostgreSQL URL (postgresql+asyncpg://...) to also benchmark PostgreSQL")
    parser.add_argument("--one", nargs=2, metavar=("BACKEND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = asyncio.run(run_one(args.one[0], int(args.one[1]), args.queries, args.pg))
        print(json.dumps(result))
        return
    backends = ["sqlite"] + (["postgresql"] if args.pg and _pg_reachable(args.pg) else [])
    header = f"{'backend':<11}{'size':>8}{'insert s':>10}{'index s':>9}{'first ms':>10}{'median ms':>11}"
    print(header + f"{'p95 ms':>8}{'max ms':>8}{'answered':>10}{'peak MB':>9}")
    for backend in backends:
        for size in (int(s) for s in args.sizes.split(",")):
            cmd = [sys.executable, __file__, "--one", backend, str(size), "--queries", str(args.queries)]
            cmd += ["--pg", args.pg] if args.pg else []
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['backend']:<11}{r['size']:>8}{r['insert_s']:>10.2f}{r['index_s']:>9.2f}{r['first_ms']:>10.1f}"
                f"{r['median_ms']:>11.2f}{r['p95_ms']:>8.2f}{r['max_ms']:>8.1f}{r['answered']:>10.0%}"
                f"{r['peak_rss_mb']:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
