"""Search benchmark: build catalogs of several sizes through the real code path and time the questions.

    .venv/bin/python benchmarks/search_bench.py [--sizes 1000,10000,100000] [--queries 300]
        [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--profile DIR] [--tracemalloc]
        [--keep NAME] [--slowest N]

Each (backend, size) migrates a fresh database (a temp SQLite file; on PostgreSQL a database it creates and
drops) and runs two processes on it, so each one's peak memory (VmHWM) is its own:
- *build*: bulk-inserts vendors and products with empty `search_text`, then `rebuild_index` (the index
  build); "build MB" is its peak. On PostgreSQL it then runs `VACUUM (ANALYZE)`, what autovacuum would do
  on a live server soon after such a bulk write (`--no-vacuum`: only ANALYZE, the table as just rebuilt,
  half of it dead row versions).
- *serve*: what the bot does with a question: `warm_up` as at start-up ("warm ms": word lists, stemmer,
  vocabulary), then `search()` (log=False); "first ms" is the first question after that, "refresh ms" one
  after dropping the cached vocabulary (what its re-read every 10 minutes costs), then the rest are timed
  after a short warm-up; "serve MB" is this process's peak (the bot's search side at that size).
`--keep NAME` (PostgreSQL only, one size) builds into a database called NAME once and keeps it; later runs
with the same NAME and size skip the build and only serve (drop it yourself when done). `--slowest N` prints
the N slowest questions with their median time over the timed rounds (`--rounds`, default 1).
"CPU ms/q" is the serve process's CPU time per timed question, "server CPU" that of its PostgreSQL server
process (read from /proc, so only for a server on this machine); "CPU median/p95" are over the questions'
sums of both: what a question costs without the waits for a busy machine's cores (less disturbed by other
load than wall time, though a loaded machine's caches still slow it somewhat).
`--profile DIR` writes a cProfile of the timed questions (serve) to DIR/<backend>-<size>.prof and prints its
top entries; `--tracemalloc` prints the serve process's largest allocations after the questions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.bench_catalog import make_catalog, make_queries
from bot.db import create_engine, session_factory
from bot.migrate import upgrade
from bot.services.region import bind_region, load_region
from bot.services.search import invalidate_vocabulary, rebuild_index, search, warm_up
from models import Product, Vendor

_WARMUP = 20


async def _admin(url: str, statement: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin.render_as_string(hide_password=False))
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


async def _build(url: str, size: int, vacuum: bool) -> dict[str, float]:
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
    indexed = time.perf_counter()
    if engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk write on a live server (this test server runs without
        # it): statistics for the planner (vendors too, or joins guess wrong), and with --vacuum the dead row
        # versions of the rebuild's UPDATE removed (otherwise half the table, walked past by every search).
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM (ANALYZE)" if vacuum else "ANALYZE"))
    await engine.dispose()
    return {"insert_s": inserted - started, "index_s": indexed - inserted}


async def _query(
    url: str, queries: list[str], profile: str | None, rounds: int = 1, slowest: int = 0
) -> dict[str, float]:
    engine = create_engine(url)
    sessions = bind_region(session_factory(engine), load_region())
    timings: list[float] = []
    hits = 0
    client_cpu = server_cpu = 0.0
    async with sessions() as session:
        warm_ms = await warm_up(session)
        first = time.perf_counter()
        await search(session, queries[0], log=False)
        first_ms = (time.perf_counter() - first) * 1000
        for q in queries[:_WARMUP]:
            await search(session, q, log=False)
        invalidate_vocabulary()  # what the re-read every TTL_SECONDS costs the question that meets it
        refresh = time.perf_counter()
        await search(session, queries[1], log=False)
        refresh_ms = (time.perf_counter() - refresh) * 1000
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        per_question: dict[str, list[float]] = {}
        cpu: list[float] = []  # per question: this process's CPU + its PostgreSQL server process's CPU, ms
        backend = await _backend_pid(session)
        for _ in range(rounds):
            for q in queries:
                cpu_before, server_before = time.process_time(), _cpu_seconds(backend)
                started = time.perf_counter()
                result = await search(session, q, log=False)
                took = (time.perf_counter() - started) * 1000
                client, server = time.process_time() - cpu_before, _cpu_seconds(backend) - server_before
                timings.append(took)
                cpu.append((client + server) * 1000)
                client_cpu += client
                server_cpu += server
                per_question.setdefault(q, []).append(took)
                hits += bool(result.results)
        if backend is not None and await _backend_pid(session) != backend:
            server_cpu = float("nan")  # the pool handed another connection: not this run's backend
        if profiler and profile:
            profiler.disable()
            profiler.dump_stats(profile)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(15)
    await engine.dispose()
    if slowest:
        worst = sorted(((statistics.median(t), q) for q, t in per_question.items()), reverse=True)[:slowest]
        print(f"slowest questions (median of {rounds} rounds):", file=sys.stderr)
        for ms, q in worst:
            print(f"  {ms:7.2f} ms  {q}", file=sys.stderr)
    timings.sort()
    cpu.sort()
    return {
        "warm_ms": warm_ms,
        "first_ms": first_ms,
        "refresh_ms": refresh_ms,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "max_ms": timings[-1],
        "answered": hits / len(queries) / rounds,
        "client_cpu_ms": client_cpu * 1000 / len(timings),
        "server_cpu_ms": server_cpu * 1000 / len(timings),
        "cpu_median_ms": statistics.median(cpu),
        "cpu_p95_ms": cpu[int(len(cpu) * 0.95) - 1],
    }


async def _backend_pid(session: AsyncSession) -> int | None:
    """The PostgreSQL server process serving this session's connection (None on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    pid = await session.scalar(text("SELECT pg_backend_pid()"))
    await session.commit()
    return int(pid) if pid is not None else None


def _cpu_seconds(pid: int | None) -> float:
    """CPU seconds a local process has run, from /proc (nanoseconds in schedstat; 0 when unknown: SQLite, or
    a server on another machine)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _peak_mb() -> float:
    """This process's peak RSS: VmHWM where /proc has it, which, unlike ru_maxrss, does not count the RSS a
    parent had when it forked this process (Linux carries that over an exec into ru_maxrss)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(args: argparse.Namespace) -> dict[str, object]:
    """One phase in this process (`--phase build|serve URL SIZE`), with its peak memory."""
    kind, url, size = args.phase[0], args.phase[1], int(args.phase[2])
    if kind == "build":
        return {**asyncio.run(_build(url, size, args.vacuum)), "build_mb": _peak_mb()}
    if args.tracemalloc:
        tracemalloc.start()
    profile = str(Path(args.profile) / f"{make_url(url).get_backend_name()}-{size}.prof") if args.profile else None
    served = _query(url, make_queries(args.queries), profile, args.rounds, args.slowest)
    result = {**asyncio.run(served), "serve_mb": _peak_mb()}
    if args.tracemalloc:
        print("tracemalloc, largest allocations (serve):", file=sys.stderr)
        for stat in tracemalloc.take_snapshot().statistics("filename")[:12]:
            print(f"  {stat}", file=sys.stderr)
    return result


def _run_phase(args: argparse.Namespace, kind: str, url: str, size: int) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--phase", kind, url, str(size), "--queries", str(args.queries)]
    cmd += ["--profile", args.profile] if args.profile else []
    cmd += ["--tracemalloc"] if args.tracemalloc else []
    cmd += ["--rounds", str(args.rounds), "--slowest", str(args.slowest), "--vacuum" if args.vacuum else "--no-vacuum"]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


async def _create(backend: str, pg: str | None, keep: str | None = None, size: int = 0) -> tuple[str, str, bool]:
    """The database's URL, its place (folder or name) and whether it already holds the catalog (`keep`)."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="bb_bench_")
        return f"sqlite+aiosqlite:///{folder}/bench.db", folder, False
    assert pg is not None
    name = keep or f"bb_bench_{uuid.uuid4().hex[:10]}"
    url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    if keep and await _kept_catalog(url) == size:
        return url, name, True
    if keep:
        await _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(pg, f'CREATE DATABASE "{name}"')
    return url, name, False


async def _kept_catalog(url: str) -> int:
    """How many products a kept database holds (0 if none, or it does not exist)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM products")) or 0)
    except (OSError, SQLAlchemyError):
        return 0
    finally:
        await engine.dispose()


def run_one(args: argparse.Namespace, backend: str, size: int) -> dict[str, object]:
    """One measurement: a fresh database, the build process, the serve process."""
    keep = args.keep if backend == "postgresql" else None
    url, place, built = asyncio.run(_create(backend, args.pg, keep, size))
    try:
        if built:
            build: dict[str, object] = {"insert_s": 0.0, "index_s": 0.0, "build_mb": 0.0}
        else:
            build = _run_phase(args, "build", url, size)
        serve = _run_phase(args, "serve", url, size)
    finally:
        if backend == "sqlite":
            shutil.rmtree(place, ignore_errors=True)
        elif not keep:  # a kept database stays for the next run
            asyncio.run(_admin(args.pg or "", f'DROP DATABASE IF EXISTS "{place}" WITH (FORCE)'))
    return {"backend": backend, "size": size, **build, **serve}


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
    parser.add_argument("--profile", metavar="DIR", help="cProfile the timed questions into DIR")
    parser.add_argument("--tracemalloc", action="store_true", help="print the serve process's top allocations")
    parser.add_argument("--keep", metavar="NAME", help="PostgreSQL: build once into database NAME, reuse it")
    parser.add_argument("--rounds", type=int, default=1, help="timed passes over the questions")
    parser.add_argument("--slowest", type=int, default=0, metavar="N", help="print the N slowest questions")
    parser.add_argument(
        "--vacuum",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="PostgreSQL: VACUUM (ANALYZE) after the build, as autovacuum would (--no-vacuum: ANALYZE only)",
    )
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True, help="benchmark SQLite")
    parser.add_argument("--phase", nargs=3, metavar=("KIND", "URL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_phase(args)))
        return
    backends = (["sqlite"] if args.sqlite else []) + (["postgresql"] if args.pg and _pg_reachable(args.pg) else [])
    header = f"{'backend':<11}{'size':>8}{'insert s':>10}{'index s':>9}{'build MB':>10}{'warm ms':>9}{'first ms':>10}"
    header += f"{'refresh ms':>12}"
    header += f"{'median ms':>11}{'p95 ms':>8}{'max ms':>8}{'answered':>10}{'serve MB':>10}"
    print(header + f"{'CPU ms/q':>10}{'server CPU':>12}{'CPU median':>12}{'CPU p95':>9}")
    for backend in backends:
        for size in (int(s) for s in args.sizes.split(",")):
            r = run_one(args, backend, size)
            print(
                f"{r['backend']:<11}{r['size']:>8}{r['insert_s']:>10.2f}{r['index_s']:>9.2f}{r['build_mb']:>10.0f}"
                f"{r['warm_ms']:>9.0f}{r['first_ms']:>10.1f}{r['refresh_ms']:>12.1f}{r['median_ms']:>11.2f}{r['p95_ms']:>8.2f}"
                f"{r['max_ms']:>8.1f}{r['answered']:>10.0%}{r['serve_mb']:>10.0f}"
                f"{r['client_cpu_ms']:>10.2f}{r['server_cpu_ms']:>12.2f}{r['cpu_median_ms']:>12.2f}{r['cpu_p95_ms']:>9.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
