"""Search quality on a realistic catalog: recall@5, MRR@10 and no-answer accuracy, per kind of question.

    .venv/bin/python benchmarks/search_quality.py [--split held|tune|all] [--misses]
    .venv/bin/python benchmarks/search_quality.py --add NEW.csv   # append questions (query,relevant,kind)

The catalog (`benchmarks/data/quality/`, ~980 products of ~250 UMKM, made by `quality_catalog.py`) is
imported through the real import path into a fresh SQLite file. Questions (`questions.csv`, 400+) name
their relevant products by *kind* (`nasi_kotak`), optionally bounded (`price<15000`, `15000<=price<=25000`,
`kec=Metro_Utara`, `halal`, `ekatalog`, `tkdn`), or by a business (`@Katering Berkah Rasa`); an empty
`relevant` is a question nobody in the catalog answers. The `held` split (a third, fixed by a hash of the
question before any tuning) is never tuned on. Questions added later (`--add`) take the split `split_of` gives
them, held ones included, and only the counts are printed: write a question, let the hash decide, never look
at a held one again.

recall@5 = relevant products in the top 5 / min(relevant, 5); MRR@10 uses the first relevant product in
the top 10; no-answer accuracy = share of unanswerable questions with no result at all.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db import create_engine, session_factory
from bot.migrate import upgrade
from bot.services.catalog_io import import_catalog
from bot.services.region import bind_region, load_region
from bot.services.search import invalidate_vocabulary, search

DATA = Path(__file__).resolve().parent / "data" / "quality"
_RANGE = re.compile(r"^(\d+)<=price<=(\d+)$")
_BOUND = re.compile(r"^price(<=|<|>=|>)(\d+)$")


@dataclass(frozen=True)
class Item:
    ref: str
    kind: str
    price: float
    kecamatan: str
    halal: bool
    ekatalog: bool
    tkdn: bool
    business: str
    variant: str


def split_of(query: str) -> str:
    """The split of a question added after the first set: a third held, by a hash of its folded text."""
    digest = hashlib.sha256(" ".join(query.lower().split()).encode("utf-8")).digest()
    return "held" if digest[0] % 3 == 0 else "tune"


def add_questions(path: Path) -> dict[str, int]:
    """Append the questions of a `query,relevant,kind` CSV to questions.csv, each in the split its hash gives;
    returns how many went to each split (and prints nothing else, so held questions stay unseen)."""
    with (DATA / "questions.csv").open(encoding="utf-8") as fh:
        known = {" ".join(q["query"].lower().split()) for q in csv.DictReader(fh)}
    with path.open(encoding="utf-8") as fh:
        new = [q for q in csv.DictReader(fh) if " ".join(q["query"].lower().split()) not in known]
    counts = {"tune": 0, "held": 0}
    with (DATA / "questions.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["query", "relevant", "kind", "split"], lineterminator="\n")
        for q in new:
            split = split_of(q["query"])
            counts[split] += 1
            writer.writerow({"query": q["query"], "relevant": q["relevant"], "kind": q["kind"], "split": split})
    return counts


def load_items() -> dict[str, Item]:
    with (DATA / "vendors.csv").open(encoding="utf-8") as fh:
        vendors = {r["vendor_ref"]: r for r in csv.DictReader(fh)}
    with (DATA / "kinds.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        kinds = {r["product_ref"]: r["kind"] for r in rows}
        variants = {r["product_ref"]: r["variant"] for r in rows}
    items = {}
    with (DATA / "products.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            v = vendors[r["vendor_ref"]]
            items[r["product_ref"]] = Item(
                ref=r["product_ref"],
                kind=kinds[r["product_ref"]],
                price=float(r["price"]),
                kecamatan=v["kecamatan"],
                halal=v["halal"] == "Ya",
                ekatalog=v["ekatalog"] == "Ya",
                tkdn=v["tkdn_certified"] == "Ya" or bool(r["tkdn_percent"]),
                business=v["business_name"],
                variant=variants[r["product_ref"]],
            )
    return items


def _keeps(item: Item, cond: str) -> bool:
    if m := _RANGE.match(cond):
        return int(m[1]) <= item.price <= int(m[2])
    if m := _BOUND.match(cond):
        op, amount = m[1], int(m[2])
        return {"<": item.price < amount, "<=": item.price <= amount, ">": item.price > amount,
                ">=": item.price >= amount}[op]  # fmt: skip
    if cond.startswith("kec="):
        return item.kecamatan == cond[4:].replace("_", " ")
    return bool(getattr(item, cond))


_WORD = re.compile(r"[a-z0-9]+")


# Words of variant names that say what for or where, not which one ("Snack Box Rapat", "Kopi Lampung").
_NOT_DISTINCTIVE = frozenset({"rapat", "kantor", "kegiatan", "acara", "harian", "premium", "original", "hemat",
                              "lampung", "segar", "lengkap", "custom"})  # fmt: skip


def _variant_words(variant: str) -> set[str]:
    return {w for w in _WORD.findall(variant.lower()) if len(w) > 1 and w not in _NOT_DISTINCTIVE}


def _narrow(refs: set[str], query: str, items: dict[str, Item]) -> set[str]:
    """A question that names a variant of a kind ("nastar", "seragam sd", "telur ayam kampung") wants that
    variant: keep the products whose variant shares the most words with the question, if any does."""
    asked = set(_WORD.findall(query.lower()))
    scores = {ref: len(_variant_words(items[ref].variant) & asked) for ref in refs}
    best = max(scores.values(), default=0)
    return {ref for ref, score in scores.items() if score == best} if best else refs


def relevant(spec: str, items: dict[str, Item], query: str = "") -> set[str]:
    """The products a question's `relevant` spec names (narrowed to a variant the question names)."""
    spec = spec.strip()
    if not spec:
        return set()
    if spec.startswith("@"):
        return {i.ref for i in items.values() if i.business == spec[1:]}
    parts = spec.split()
    conds = [p for p in parts if "=" in p or "<" in p or ">" in p or p in {"halal", "ekatalog", "tkdn"}]
    kinds = set(parts) - set(conds)
    found: set[str] = set()
    for kind in kinds or {None}:
        refs = {i.ref for i in items.values() if (kind is None or i.kind == kind) and all(_keeps(i, c) for c in conds)}
        found |= _narrow(refs, query, items) if len(kinds) == 1 else refs
    return found


async def run(split: str, show_misses: bool, questions: Path = DATA / "questions.csv") -> dict[str, dict[str, float]]:
    items = load_items()
    with questions.open(encoding="utf-8") as fh:
        questions = [q for q in csv.DictReader(fh) if split == "all" or q["split"] == split]
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/quality.db")
        await upgrade(engine)
        sessions = bind_region(session_factory(engine), load_region())
        report = await import_catalog(sessions, DATA / "vendors.csv", DATA / "products.csv")
        if not report.ok:
            raise SystemExit(f"catalog import failed: {report.errors[:3]}")
        invalidate_vocabulary()
        per_kind: dict[str, list[tuple[float, float, bool | None]]] = defaultdict(list)
        async with sessions() as session:
            for q in questions:
                result = await search(session, q["query"], limit=10, log=False)
                refs = [h.product_ref for h in result.results]
                rel = relevant(q["relevant"], items, q["query"])
                if not rel:
                    per_kind[q["kind"]].append((float("nan"), float("nan"), not refs))
                    if refs and show_misses:
                        print(f"  [{q['kind']}] FALSE ANSWER {q['query']!r} -> {[items[r].kind for r in refs[:3]]}")
                    continue
                recall = len(rel & set(refs[:5])) / min(len(rel), 5)
                first = next((i for i, r in enumerate(refs[:10], start=1) if r in rel), None)
                per_kind[q["kind"]].append((recall, 1 / first if first else 0.0, None))
                if recall < 1 and show_misses:
                    got = [items[r].kind for r in refs[:5]]
                    print(f"  [{q['kind']}] {recall:.2f} {q['query']!r} -> {got} ({result.normalized!r})")
        await engine.dispose()
    return _table(per_kind, split)


def _table(per_kind: dict[str, list[tuple[float, float, bool | None]]], split: str) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    print(f"\nsplit: {split}")
    print(f"{'kind':<16}{'n':>5}{'recall@5':>10}{'MRR@10':>9}{'no-answer acc':>15}")
    everything: list[tuple[float, float, bool | None]] = []
    for kind in [*sorted(per_kind), "ALL"]:
        cases = everything if kind == "ALL" else per_kind[kind]
        if kind != "ALL":
            everything += cases
        answerable = [c for c in cases if c[2] is None]
        unanswerable = [c for c in cases if c[2] is not None]
        recall = sum(c[0] for c in answerable) / len(answerable) if answerable else float("nan")
        mrr = sum(c[1] for c in answerable) / len(answerable) if answerable else float("nan")
        noans = sum(bool(c[2]) for c in unanswerable) / len(unanswerable) if unanswerable else float("nan")
        rows[kind] = {"n": len(cases), "recall@5": recall, "mrr@10": mrr, "no_answer": noans}
        fmt = lambda x: "-" if x != x else f"{x:.3f}"  # noqa: E731
        print(f"{kind:<16}{len(cases):>5}{fmt(recall):>10}{fmt(mrr):>9}{fmt(noans):>15}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="all", choices=("held", "tune", "all"))
    parser.add_argument("--misses", action="store_true", help="print every miss and false answer")
    parser.add_argument("--questions", type=Path, default=DATA / "questions.csv", help="another questions file")
    parser.add_argument("--add", type=Path, help="append the questions of a query,relevant,kind CSV, split by hash")
    args = parser.parse_args()
    if args.add:
        print("added:", add_questions(args.add))
        return
    splits = ("tune", "held") if args.split == "all" else (args.split,)
    for split in splits:
        asyncio.run(run(split, args.misses, args.questions))


if __name__ == "__main__":
    main()
