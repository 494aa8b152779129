"""The quality set of benchmarks/search_quality.py stays big and honest: 800+ products, 400+ questions of
every kind, a held-aside third, and every answerable question names products that exist."""

from __future__ import annotations

import csv
from collections import Counter

from benchmarks.quality_catalog import build
from benchmarks.search_quality import DATA, load_items, relevant


def test_catalog_file_is_the_generated_one_and_big_enough() -> None:
    _vendors, products, _kinds = build()
    with (DATA / "products.csv").open(encoding="utf-8") as fh:
        assert [r["product_ref"] for r in csv.DictReader(fh)] == [p["product_ref"] for p in products]
    assert len(products) >= 800


def test_questions_cover_every_kind_and_keep_a_held_part() -> None:
    with (DATA / "questions.csv").open(encoding="utf-8") as fh:
        questions = list(csv.DictReader(fh))
    items = load_items()
    assert len(questions) >= 400
    kinds = Counter(q["kind"] for q in questions)
    assert {"plain", "typo", "english", "need", "price", "place", "long", "none", "morphology"} <= set(kinds)
    assert kinds["none"] >= 40
    held = [q for q in questions if q["split"] == "held"]
    assert len(questions) / 4 < len(held) < len(questions) / 2
    for q in questions:
        if q["relevant"]:
            assert relevant(q["relevant"], items, q["query"]), q["query"]
