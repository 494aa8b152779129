"""Memory benchmark: peak RSS of the bot serving a large catalog, of the search side alone, and of the imports.

    .venv/bin/python benchmarks/memory_bench.py [--products 100000] [--users 20] [--searches 10]
        [--queries 300] [--skip-imports] [--skip-serve] [--skip-whatsapp] [--env KEY=VALUE ...] [--catalog FILE]

Four parts, each in processes of their own so each peak belongs to one thing. Peaks are `VmHWM` from
/proc/PID/status, not `ru_maxrss`: Linux carries a parent's RSS at fork over the exec into the child's ru_maxrss
(a child of this benchmark, which imports aiogram for the fake Bot API, would show >= ~200 MB).
- *imports*: a fresh interpreter imports one module and prints VmHWM and VmRSS, then VmRSS again after
  `gc.collect()` and after glibc's `malloc_trim(0)` (so a transient peak shows as HWM above RSS, and memory
  that glibc keeps but no longer uses shows as a drop after the trim).
- *serve*: `search_bench.py`'s serve phase on the catalog (warm-up, then --queries questions, log=False).
- *bot*: `bench_bot.py` (what `banggabeli run` runs) with Telegram long polling against the local fake Bot API
  (tests/fakes/telegram_api.py) in this process, on a SQLite file holding --products products built by
  `search_bench.py`'s build phase. It prints the bot's VmHWM / VmRSS once it is up (migrated, search warmed,
  polling) and again after --users users each went through /start as a buyer and asked --searches questions
  (`bench_catalog.make_queries`), each user waiting for the bot's first answer before the next question.
  Then the same with only WhatsApp configured (signed webhooks, the fake Graph API of tests/fakes/graph_api.py),
  a process that imports no aiogram (--skip-whatsapp leaves it out).
`--env KEY=VALUE` (repeatable) sets a variable for the serve and bot processes (e.g. MALLOC_ARENA_MAX=2 to
compare allocator settings). `--catalog FILE` keeps a copy of the freshly built SQLite catalog in FILE, and
when FILE exists runs on a copy of it instead of building one (to compare code or settings on one catalog).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession  # noqa: E402

from benchmarks.bench_catalog import make_queries  # noqa: E402
from benchmarks.telegram_bench import (  # noqa: E402
    ONBOARD,
    ObservedFake,
    Stats,
    _bot_env,
    _free_port,
    _spawn,
    _until,
    _until_ready,
    stop_bots,
    user_session,
)
from tests.fakes.graph_api import (  # noqa: E402
    APP_SECRET,
    PHONE_NUMBER_ID,
    TOKEN,
    VERIFY_TOKEN,
    FakeGraphAPI,
    message,
    sign,
)

IMPORTS = [
    "pydantic",
    "sqlalchemy",
    "aiohttp",
    "aiogram",
    "bot.app",
    "bot.channels.whatsapp",
    "bot.channels.telegram",
    "bot.channels.runner",
    "bot.cli",
]
BUYER = [*ONBOARD, ("tap", "Staf OPD (pembeli pemerintah)"), ("tap", "Setuju")]

_PROBE = """
import ctypes, gc, importlib, json, sys
def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0]) / 1024
    return out
importlib.import_module(sys.argv[1])
first = status()
gc.collect()
collected = status()
ctypes.CDLL("libc.so.6").malloc_trim(0)
trimmed = status()
print(json.dumps({"hwm": first["VmHWM"], "rss": first["VmRSS"], "gc": collected["VmRSS"], "trim": trimmed["VmRSS"],
                  "aiogram": "aiogram" in sys.modules}))
"""


def proc_status(pid: int | str = "self") -> dict[str, float]:
    """VmHWM and VmRSS of a process, in MB."""
    out = {}
    with Path(f"/proc/{pid}/status").open() as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0]) / 1024
    return out


def import_numbers() -> None:
    header = f"{'import (fresh interpreter)':<28}{'VmHWM':>8}{'VmRSS':>8}{'after gc':>10}{'after trim':>12}"
    print(header + "  aiogram loaded")
    for module in IMPORTS:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, module], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True
        )
        r = json.loads(out.stdout)
        print(
            f"{module:<28}{r['hwm']:>8.1f}{r['rss']:>8.1f}{r['gc']:>10.1f}{r['trim']:>12.1f}  {r['aiogram']}",
            flush=True,
        )


def _search_phase(kind: str, url: str, products: int, queries: int, extra: dict[str, str]) -> dict[str, float]:
    cmd = [sys.executable, str(ROOT / "benchmarks" / "search_bench.py"), "--phase", kind, url, str(products)]
    env = {**os.environ, **extra}
    out = subprocess.run(
        [*cmd, "--queries", str(queries)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


async def _buyer(tg: ObservedFake, user: int, questions: list[str], stats: Stats) -> None:
    """/start as a buyer, then one question after another, each after the bot's first answer to the last."""
    await user_session(tg, user, BUYER, stats)
    log = tg.chats[user]
    for question in questions:
        before = len(log.events)
        started = time.perf_counter()
        tg.send_text(user, question, first_name=f"User{user}")
        stats.updates += 1
        try:
            await _until(log, lambda before=before: len(log.events) > before)
        except TimeoutError:
            stats.failures.append(f"user {user} {question!r}: no answer")
            return
        stats.latencies.append((log.events[before][0] - started) * 1000)


async def bot_numbers(args: argparse.Namespace, url: str, tmp: Path) -> dict[str, object]:
    """The bot process on the catalog: its memory once up, and after the users' questions."""
    spawn_args = argparse.Namespace(paced=False, profile=None, processes=1)
    questions = make_queries(args.users * args.searches)
    stats = Stats()
    async with ObservedFake() as tg:
        env = _bot_env(spawn_args, url, tg.base_url, _free_port(), False, "", tmp / "bot-stats.jsonl", 0)
        env.update(args.extra_env)
        bot = await _spawn(tmp, env)
        try:
            await _until_ready(tg, [bot], 1, False)
            ready = proc_status(bot.pid)
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    _buyer(tg, 10_000 + n, questions[n * args.searches : (n + 1) * args.searches], stats)
                    for n in range(args.users)
                )
            )
            elapsed = time.perf_counter() - started
            after = proc_status(bot.pid)
        finally:
            await stop_bots([bot])
    searches = stats.updates - args.users * sum(1 for _ in BUYER)
    return {"ready": ready, "after": after, "searches": searches, "updates": stats.updates, "elapsed": elapsed,
            "failures": stats.failures + [str(f) for f in tg.failures]}  # fmt: skip


WA_BUYER = ["halo", "Bahasa Indonesia", "Staf OPD", "Setuju"]  # the first is typed, the rest are pressed


async def _wa_step(
    graph: FakeGraphAPI, http: ClientSession, url: str, address: str, document: dict[str, object], upcoming: str | None
) -> None:
    """POST one signed webhook delivery; done when the bot answered (with the option `upcoming` presses next)."""
    before = len(graph.to(address))
    body = json.dumps(document).encode()
    headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
    async with http.post(url, data=body, headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"webhook answered {response.status}")
    async with asyncio.timeout(30):
        while True:
            new = graph.to(address)[before:]
            if new and (upcoming is None or any(t.startswith(upcoming) for s in new for t, _ in s.options())):
                return
            await asyncio.sleep(0.02)


async def _wa_buyer(graph: FakeGraphAPI, url: str, n: int, questions: list[str], stats: Stats) -> None:
    """A WhatsApp buyer: says hello, presses through the start, then asks one question after another."""
    user_id, wa_id = f"ID.MEM{n:06d}", f"62812000{n:05d}"
    steps = [*WA_BUYER, *questions]
    async with ClientSession() as http:
        for index, step in enumerate(steps):
            upcoming = WA_BUYER[index + 1] if index + 1 < len(WA_BUYER) else None
            if 0 < index < len(WA_BUYER):
                last = next(s for s in reversed(graph.to(wa_id)) if s.type == "interactive")
                payload = next(i for t, i in last.options() if t.startswith(step))
                kind = "button_reply" if last.kind == "button" else "list_reply"
                document = message(kind, user_id=user_id, wa_id=wa_id, payload=payload)
            else:
                document = message("text", user_id=user_id, wa_id=wa_id, text=step)
            stats.updates += 1
            try:
                await _wa_step(graph, http, url, wa_id, document, upcoming)
            except (TimeoutError, StopIteration, RuntimeError) as err:
                stats.failures.append(f"whatsapp user {n} step {index} {step!r}: {err!r}")
                return


async def whatsapp_numbers(args: argparse.Namespace, url: str, tmp: Path) -> dict[str, object]:
    """The bot process with only WhatsApp configured (fake Graph API): it never imports aiogram."""
    questions = make_queries(args.users * args.searches)
    stats = Stats()
    port = _free_port()
    async with FakeGraphAPI() as graph:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "WEBHOOK_"))}
        env.update(
            DATABASE_URL=url,
            WHATSAPP_TOKEN=TOKEN,
            WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
            WHATSAPP_APP_SECRET=APP_SECRET,
            WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
            WHATSAPP_API_BASE=graph.base_url,
            WHATSAPP_RATE="0",
            HOST="127.0.0.1",
            PORT=str(port),
            LOG_LEVEL="WARNING",
            **args.extra_env,
        )
        bot = await _spawn(tmp, env)
        try:
            await _until_healthy(port, bot)
            ready = proc_status(bot.pid)
            webhook = f"http://127.0.0.1:{port}/whatsapp/webhook"
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    _wa_buyer(graph, webhook, n, questions[n * args.searches : (n + 1) * args.searches], stats)
                    for n in range(args.users)
                )
            )
            elapsed = time.perf_counter() - started
            after = proc_status(bot.pid)
        finally:
            await stop_bots([bot])
    searches = stats.updates - args.users * len(WA_BUYER)
    return {"ready": ready, "after": after, "searches": searches, "updates": stats.updates, "elapsed": elapsed,
            "failures": stats.failures + [f"refused {r}" for r in graph.refused]}  # fmt: skip


async def _until_healthy(port: int, bot: asyncio.subprocess.Process) -> None:
    async with ClientSession() as http, asyncio.timeout(120):
        while True:
            if bot.returncode is not None:
                raise SystemExit("the bot process stopped during its start")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            await asyncio.sleep(0.2)


def _print_bot(title: str, result: dict[str, object], users: int) -> list[str]:
    ready, after, failures = result["ready"], result["after"], result["failures"]
    assert isinstance(ready, dict) and isinstance(after, dict) and isinstance(failures, list)
    print(title)
    print(f"  up (migrated, search warmed, listening): VmHWM {ready['VmHWM']:.1f} MB  VmRSS {ready['VmRSS']:.1f} MB")
    print(
        f"  after {result['searches']} searches by {users} users ({result['updates']} updates,"
        f" {result['elapsed']:.1f} s): VmHWM {after['VmHWM']:.1f} MB  VmRSS {after['VmRSS']:.1f} MB",
        flush=True,
    )
    return [str(f) for f in failures]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20, help="simulated buyers talking to the bot at once")
    parser.add_argument("--searches", type=int, default=10, help="questions each buyer asks")
    parser.add_argument("--queries", type=int, default=300, help="questions for the serve process")
    parser.add_argument("--skip-imports", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--skip-whatsapp", action="store_true")
    parser.add_argument("--catalog", metavar="FILE", help="SQLite file to keep the catalog in (reused if present)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="for the serve and bot")
    args = parser.parse_args()
    args.extra_env = dict(item.split("=", 1) for item in args.env)
    if not args.skip_imports:
        import_numbers()
        print()
    folder = Path(tempfile.mkdtemp(prefix="bb_memory_"))
    database = folder / "memory-bench.db"
    url = f"sqlite+aiosqlite:///{database}"
    try:
        if args.catalog and Path(args.catalog).exists():
            shutil.copyfile(args.catalog, database)
            print(f"catalog: a copy of {args.catalog}")
        else:
            build = _search_phase("build", url, args.products, args.queries, {})
            print(f"catalog: {args.products} products (SQLite), built in {build['insert_s'] + build['index_s']:.1f} s")
            if args.catalog:
                shutil.copyfile(database, args.catalog)
        if not args.skip_serve:
            serve = _search_phase("serve", url, args.products, args.queries, args.extra_env)
            print(
                f"search serve process: peak {serve['serve_mb']:.1f} MB over {args.queries} questions"
                f" (median {serve['median_ms']:.2f} ms)"
            )
        problems = _print_bot(
            "bot process, Telegram (bench_bot.py = banggabeli run, long polling, fake Bot API):",
            asyncio.run(bot_numbers(args, url, folder)),
            args.users,
        )
        if not args.skip_whatsapp:
            problems += _print_bot(
                "bot process, WhatsApp only (bench_bot.py = banggabeli run, webhook, fake Graph API):",
                asyncio.run(whatsapp_numbers(args, url, folder)),
                args.users,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if problems:
        print(f"PROBLEMS: {len(problems)}")
        for line in problems[:10]:
            print("  ", line)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
