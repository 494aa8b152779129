"""The console channel through a real pipe: `banggabeli chat` reads lines, answers each, exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.console import render, to_inbound
from bot.core.messages import Choice, Reply
from tests.support import t, t_en

ROOT = Path(__file__).resolve().parents[1]


def run_chat(lines: list[str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def test_piped_start_flow_in_indonesian(tmp_path: Path) -> None:
    result = run_chat(["halo", "1", "2", "1", "bantuan", "🙂", "'; DROP TABLE users; --"], tmp_path, "--user", "budi")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert t("start.greeting") in out
    assert f"  1. {t('language.name_id')}" in out
    assert t("start.ask_role") in out
    assert t("help.opd") in out
    assert out.count("> ") == 7  # every line was answered in order
    assert "Traceback" not in result.stderr


def test_state_survives_between_runs(tmp_path: Path) -> None:
    run_chat(["halo", "1"], tmp_path, "--user", "sari")
    second = run_chat(["1"], tmp_path, "--user", "sari")  # answers the role question asked in the first run
    assert t("start.consent_notice") in second.stdout


def test_render_and_parse() -> None:
    reply = Reply("Pilih:", (Choice("Satu", "a:b"), Choice("Web", "a:c", url="https://x.id")), photo_ref="p1")
    photo, link = t("console.photo", ref="p1"), t("console.link", label="Web", url="https://x.id")
    assert render(reply) == f"{photo}\nPilih:\n  1. Satu\n  2. {link}"
    english = render(Reply("Pick:", photo_ref="p1", locale="en"))
    assert english.splitlines()[0] == t_en("console.photo", ref="p1")  # the reply's language, from the catalog
    assert to_inbound("u", "/foto keripik.jpg\n").photo_ref == "console:keripik.jpg"
    assert to_inbound("u", "/kontak 0812-3456-7890").contact_phone == "0812-3456-7890"
    assert to_inbound("u", "halo\r\n").text == "halo"


def test_console_greets_says_how_to_quit_and_quits_on_keluar(tmp_path: Path) -> None:
    result = run_chat(["halo", "keluar", "bantuan"], tmp_path, "--user", "budi")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(t("console.welcome"))
    assert t("console.bye") in out
    assert out.count("> ") == 2  # nothing after `keluar` was read
    for english in (["exit", "halo"], []):  # `exit`, and the end of input (Ctrl-D)
        quit_run = run_chat(english, tmp_path, "--user", "budi")
        assert quit_run.returncode == 0 and t("start.greeting") not in quit_run.stdout


def test_log_lines_stay_out_of_the_transcript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    result = run_chat(["halo", "1"], tmp_path, "--user", "budi")
    assert result.returncode == 0, result.stderr
    assert not any(level in result.stdout for level in (" DEBUG ", " INFO ", " WARNING ", " ERROR "))


def test_chat_takes_database_url(tmp_path: Path) -> None:
    own = tmp_path / "own.db"
    result = run_chat(["halo", "keluar"], tmp_path, "--user", "budi", "--database-url", f"sqlite+aiosqlite:///{own}")
    assert result.returncode == 0, result.stderr
    assert t("start.greeting") in result.stdout
    assert own.exists() and not (tmp_path / "chat.db").exists()  # DATABASE_URL was not used
