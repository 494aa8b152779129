"""Import benchmark: time `import_catalog` on generated CSV files and print its peak memory.

    .venv/bin/python benchmarks/import_bench.py [--products 100000] [--reimport]
        [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]

The parent writes `vendors.csv` (products / 20 + 1 vendors) and `products.csv` in a temp folder from the
same word lists as `bench_catalog.py`; each backend then runs in its own process (so ru_maxrss is the
import's own peak): it migrates a fresh database (a temp SQLite file; on PostgreSQL a database it creates
and drops), imports the files once (every row created) and, with `--reimport`, a second time (every row
unchanged). It prints wall and CPU seconds (CPU time is less sensitive to a busy machine) and peak RSS in
MB (`resource.getrusage`), and the RSS before the import. The first import includes the stemmer's warm-up
(each distinct word of the catalog is stemmed once per process).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from benchmarks.bench_catalog import _SYLLABLES, COMMON, HEADS, KECAMATAN, MODIFIERS, NAME_WORDS
from bot.db import create_engine, session_factory
from bot.migrate import upgrade
from bot.services.catalog_io import import_catalog
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from bot.services.region import bind_region, load_region


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process, all threads (less sensitive than wall time to a busy machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _catalog_rows(size: int, seed: int = 42) -> tuple[list[list[object]], Iterator[list[object]]]:
    """Vendor rows and a generator of product rows (words drawn like `bench_catalog.make_catalog`)."""
    rng = random.Random(seed)
    heads = [(cat, head) for cat, items in HEADS.items() for head in items]
    vocabulary = (
        COMMON
        + MODIFIERS
        + [w for _, h in heads for w in h.split()]
        + ["".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(20_000)]
    )
    cum = list(itertools.accumulate(1 / rank**1.1 for rank in range(1, len(vocabulary) + 1)))
    kecamatan = list(KECAMATAN)
    yes_no = ("Tidak", "Ya")
    vendors: list[list[object]] = []
    for i in range(size // 20 + 1):
        kec = rng.choice(kecamatan)
        vendors.append([
            f"BV{i:06d}", f"{rng.choice(heads)[1].split()[0].title()} {rng.choice(NAME_WORDS)} {i}",
            f"Pemilik {i}", f"0812{i:08d}", kec,
            f"Jl. {rng.choice(NAME_WORDS)} {rng.randint(1, 200)}, {rng.choice(KECAMATAN[kec])}", "",
            yes_no[rng.random() < 0.15], yes_no[rng.random() < 0.10], yes_no[rng.random() < 0.4],
            " ".join(rng.choices(vocabulary, cum_weights=cum, k=rng.randint(5, 15))),
        ])  # fmt: skip

    def products() -> Iterator[list[object]]:
        for i in range(size):
            category, head = rng.choice(heads)
            name = " ".join([head.title(), *rng.sample(MODIFIERS, rng.randint(0, 3))])
            yield [
                f"BP{i:07d}", vendors[rng.randrange(len(vendors))][0], name, category,
                " ".join(rng.choices(vocabulary, cum_weights=cum, k=rng.randint(10, 30))),
                rng.choice([2500, 5000, 15000, 25000, 35000, 50000, 150000, 1500000]),
                rng.choice(["pcs", "kotak", "bungkus", "kg", "lembar", "buah"]),
                rng.choice([""] * 9 + [25, 30, 41, 45, 60]),
            ]  # fmt: skip

    return vendors, products()


def write_files(size: int, folder: Path) -> tuple[Path, Path]:
    """`size` products of `size // 20 + 1` vendors as the two import files (deterministic)."""
    vendor_rows, product_rows = _catalog_rows(size)
    vendors, products = folder / "vendors.csv", folder / "products.csv"
    for path, columns, rows in ((vendors, VENDOR_COLUMNS, vendor_rows), (products, PRODUCT_COLUMNS, product_rows)):
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
    return vendors, products


async def _admin(url: str, statement: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin.render_as_string(hide_password=False))
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


async def _import(url: str, vendors: Path, products: Path, reimport: bool) -> dict[str, object]:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = bind_region(session_factory(engine), load_region())  # Kota Metro, as at start-up
    before = _rss_mb()
    started, cpu = time.perf_counter(), _cpu_s()
    report = await import_catalog(sessions, vendors, products)
    first, first_cpu = time.perf_counter() - started, _cpu_s() - cpu
    out: dict[str, object] = {
        "ok": report.ok,
        "products_created": report.products_created,
        "import_s": round(first, 2),
        "import_cpu_s": round(first_cpu, 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
    }
    if reimport:
        started, cpu = time.perf_counter(), _cpu_s()
        again = await import_catalog(sessions, vendors, products)
        out["reimport_s"] = round(time.perf_counter() - started, 2)
        out["reimport_cpu_s"] = round(_cpu_s() - cpu, 2)
        out["reimport_unchanged"] = again.products_unchanged
        out["peak_rss_after_reimport_mb"] = round(_rss_mb(), 1)
    await engine.dispose()
    return out


async def run_one(backend: str, folder: Path, pg: str | None, reimport: bool) -> dict[str, object]:
    """One measurement in this process: a fresh database, one (or two) imports."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
    else:
        assert pg is not None
        name = f"bb_bench_{uuid.uuid4().hex[:10]}"
        await _admin(pg, f'CREATE DATABASE "{name}"')
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    try:
        result = await _import(url, folder / "vendors.csv", folder / "products.csv", reimport)
    finally:
        if backend == "postgresql":
            await _admin(pg or "", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            (folder / "bench.db").unlink(missing_ok=True)
    return {"backend": backend, **result}


def _pg_reachable(url: str) -> bool:
    try:
        asyncio.run(_admin(url, "SELECT 1"))
    except (OSError, SQLAlchemyError) as exc:
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipping it", file=sys.stderr)
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--reimport", action="store_true", help="import the same files a second time")
    parser.add_argument("--pg", help="PostgreSQL URL (postgresql+asyncpg://...) to also benchmark PostgreSQL")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        backend, folder = args.child
        print(json.dumps(asyncio.run(run_one(backend, Path(folder), args.pg, args.reimport))))
        return
    folder = Path(tempfile.mkdtemp(prefix="bb_import_bench_"))
    try:
        started = time.perf_counter()
        vendors, products = write_files(args.products, folder)
        size_mb = (vendors.stat().st_size + products.stat().st_size) / 1e6
        print(f"{args.products} products, files {size_mb:.1f} MB, written in {time.perf_counter() - started:.1f} s")
        backends = ["sqlite"] + (["postgresql"] if args.pg and _pg_reachable(args.pg) else [])
        for backend in backends:
            cmd = [sys.executable, __file__, "--child", backend, str(folder)]
            cmd += ["--pg", args.pg] if args.pg else []
            cmd += ["--reimport"] if args.reimport else []
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                raise SystemExit(done.returncode)
            print(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
