"""The scripted vendor session in examples/ runs on a fresh database, and search sees the result."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import t

ROOT = Path(__file__).resolve().parents[1]


def banggabeli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
        check=False,
    )


async def test_vendor_session_then_search(tmp_path: Path, database_url: str, engine: AsyncEngine) -> None:
    """`engine` empties the tables first, so on PostgreSQL the session starts from nothing too."""
    env = {**os.environ}
    if database_url.startswith("sqlite"):
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'session.db'}"
    else:  # the PostgreSQL run: a fresh database is this run's own, emptied by the engine fixture
        env["DATABASE_URL"] = database_url
    script = (ROOT / "examples" / "vendor_session.txt").read_text(encoding="utf-8")
    chat = await asyncio.to_thread(banggabeli, ["chat", "--user", "sari"], env, script)
    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    assert t("vendor.saved", name="Keripik Pisang Bu Sari") in out
    assert out.count(t("product.saved", name="x").split("*x*")[1]) == 2  # two products saved
    assert t("product.card_price", price="Rp16.500/bungkus") in out
    assert t("product.list_item_hidden", name="Sale Pisang Gulung Madu", price="Rp12.000/bungkus") in out
    assert t("error.internal") not in out and "Traceback" not in chat.stderr

    queries = "keripik pisang cokelat\nsale pisang gulung madu\n"
    found = await asyncio.to_thread(banggabeli, ["search", "-", "--json"], env, queries)
    assert found.returncode == 0, found.stderr
    lines = [json.loads(line) for line in found.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["keripik pisang cokelat", "sale pisang gulung madu"]
    assert [r["product_name"] for r in lines[0]["results"]] == ["Keripik Pisang Cokelat Lumer"]
    assert lines[0]["results"][0]["business_name"] == "Keripik Pisang Bu Sari"
    assert lines[1]["results"] == []  # hidden by the vendor
