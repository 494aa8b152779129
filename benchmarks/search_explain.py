"""What PostgreSQL does for each benchmark question: statements, shared buffers, rows, planning and execution time.

    .venv/bin/python benchmarks/search_explain.py postgresql+asyncpg://postgres@127.0.0.1:5432/DB
        [--queries 300] [--top 15] [--plans] [--match TEXT]

Runs `search()` (log=False) for each question of `bench_catalog.make_queries` on an already built catalog
(e.g. the database `search_bench.py --keep NAME` leaves), records the SQL statements it sends, then runs each
one again under `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` on the same connection. Buffers and rows do not
depend on the machine's load, so two versions of the code can be compared on them while other work runs;
planning and execution milliseconds do. Prints the questions costing the most buffers, the totals, and with
`--plans` the text plans of the top questions; `--match TEXT` keeps only the questions containing TEXT.
`--dump FILE` writes each question's results (every candidate, in order, then the near misses) to compare
two versions of the code: same file, same answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.bench_catalog import make_queries
from bot.db import create_engine, session_factory
from bot.services.region import bind_region, load_region
from bot.services.search import search, warm_up
from bot.services.search.retrieval import CANDIDATES


@dataclass
class Cost:
    """What one question cost the server, summed over its statements."""

    question: str
    statements: int = 0
    hit: int = 0
    read: int = 0
    rows: int = 0
    planning_ms: float = 0.0
    execution_ms: float = 0.0
    plans: list[str] = field(default_factory=list)

    @property
    def buffers(self) -> int:
        return self.hit + self.read


def _rows(node: dict[str, Any]) -> int:
    """Rows every node of a plan produced or filtered out (the work done, loops included)."""
    removed = sum(int(node.get(k, 0)) for k in ("Rows Removed by Filter", "Rows Removed by Index Recheck"))
    own = (int(node.get("Actual Rows", 0)) + removed) * int(node.get("Actual Loops", 1))
    return own + sum(_rows(child) for child in node.get("Plans", []))


async def _explain(conn: AsyncConnection, statement: str, params: Any, cost: Cost, text_plan: bool) -> None:
    result = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
    raw = result.scalar_one()
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    top = plan["Plan"]
    cost.statements += 1
    cost.hit += int(top.get("Shared Hit Blocks", 0))
    cost.read += int(top.get("Shared Read Blocks", 0))
    cost.rows += _rows(top)
    cost.planning_ms += float(plan.get("Planning Time", 0.0))
    cost.execution_ms += float(plan.get("Execution Time", 0.0))
    if text_plan:
        result = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        cost.plans.append(statement + "\n" + "\n".join(str(r[0]) for r in result))


async def main(args: argparse.Namespace) -> tuple[list[Cost], dict[str, list[str]]]:
    engine = create_engine(args.url)
    sessions = bind_region(session_factory(engine), load_region())
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, params))

    costs: list[Cost] = []
    answers: dict[str, list[str]] = {}
    async with sessions() as session:
        await warm_up(session)
        questions = make_queries(args.queries)
        if args.match:
            questions = [q for q in questions if args.match in q]
        for question in dict.fromkeys(questions):
            captured.clear()
            result = await search(session, question, log=False, limit=CANDIDATES)
            answers[question] = (
                [h.product_ref for h in result.results] + ["related:"] + [h.product_ref for h in result.related]
            )
            statements = list(captured)
            cost = Cost(question)
            conn = await session.connection()
            for statement, params in statements:
                await _explain(conn, statement, params, cost, args.plans)
            await session.commit()
            costs.append(cost)
    await engine.dispose()
    return costs, answers


def _report(costs: list[Cost], args: argparse.Namespace) -> None:
    print(f"{'buffers':>8}{'rows':>8}{'stmts':>6}{'plan ms':>9}{'exec ms':>9}  question")
    for c in sorted(costs, key=lambda c: -c.buffers)[: args.top]:
        print(f"{c.buffers:>8}{c.rows:>8}{c.statements:>6}{c.planning_ms:>9.2f}{c.execution_ms:>9.2f}  {c.question}")
    n = len(costs)
    buffers = sorted(c.buffers for c in costs)
    print(
        f"{n} questions: statements {sum(c.statements for c in costs) / n:.2f}/question, "
        f"buffers median {statistics.median(buffers):.0f} p95 {buffers[int(n * 0.95) - 1]} "
        f"total {sum(buffers)}, rows total {sum(c.rows for c in costs)}, "
        f"planning ms total {sum(c.planning_ms for c in costs):.0f}, "
        f"execution ms total {sum(c.execution_ms for c in costs):.0f}"
    )
    if args.plans:
        for c in sorted(costs, key=lambda c: -c.buffers)[: args.top]:
            print(f"\n==== {c.question}")
            for plan in c.plans:
                print(plan)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--plans", action="store_true", help="print the text plans of the top questions")
    parser.add_argument("--match", help="only the questions containing this text")
    parser.add_argument("--dump", metavar="FILE", help="write every question's results (all candidates) as JSON")
    arguments = parser.parse_args()
    costs, answers = asyncio.run(main(arguments))
    if arguments.dump:
        Path(arguments.dump).write_text(json.dumps(answers, indent=0, ensure_ascii=False))
    _report(costs, arguments)
