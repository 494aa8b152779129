"""Catalog commands for the `banggabeli` CLI: search, import, export.

Plain typer-compatible functions; `bot/cli.py` registers them (`banggabeli search|import|export`). Each uses
`--database-url`, else `--demo` (the demo database `banggabeli-demo.db`, filled with the demo catalog on
first use, as `chat --demo` does), else DATABASE_URL; migrates the database first and runs one event loop.
Searches from the command line are not logged as demand (they are tests and evaluations, not buyers).
The import report is worded from the locale catalogs (`import.report.*`, `--lang` or DEFAULT_LANGUAGE);
the import's region is the one REGION_FILE names (the bundled Kota Metro file by default).

`banggabeli search - --json` reads one question per line from stdin and writes exactly one JSON line per
input line, in order, flushed as it goes:
`{"query": <line>, "results": [{"product_ref", "product_name", "vendor_ref", "business_name", "kecamatan",
"score"}...], "took_ms": <float>}` (empty results when nothing matches confidently).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import BotSettings, DatabaseSettings
from bot.core.i18n import Translator
from bot.db import create_engine, session_factory
from bot.migrate import upgrade
from bot.services.catalog_io import (
    FieldChange,
    ImportIssue,
    ImportReport,
    export_catalog,
    import_catalog,
    load_demo_catalog,
)
from bot.services.region import bind_region, load_region
from bot.services.search import SearchHit, SearchResult, search

DEMO_DATABASE_URL = "sqlite+aiosqlite:///banggabeli-demo.db"
_SHOWN_VALUE_CHARS = 80

DemoOption = Annotated[
    bool, typer.Option("--demo", help="Use the demo database (banggabeli-demo.db) filled with Metro vendors.")
]
DatabaseUrlOption = Annotated[str | None, typer.Option("--database-url", help="Overrides DATABASE_URL.")]


class ExportFormat(StrEnum):
    """File formats of `banggabeli export`."""

    csv = "csv"
    xlsx = "xlsx"


@asynccontextmanager
async def _database(database_url: str | None, demo: bool) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    settings = DatabaseSettings()
    engine = create_engine(database_url or (DEMO_DATABASE_URL if demo else settings.url), echo=settings.echo)
    try:
        await upgrade(engine)
        sessions = bind_region(session_factory(engine), load_region(BotSettings().region_file))
        if demo:
            await load_demo_catalog(sessions)
        yield sessions
    finally:
        await engine.dispose()


def _hit_json(h: SearchHit) -> dict[str, object]:
    return {
        "product_ref": h.product_ref,
        "product_name": h.product_name,
        "vendor_ref": h.vendor_ref,
        "business_name": h.business_name,
        "kecamatan": h.kecamatan,
        "score": h.score,
    }


def _json_line(query: str, result: SearchResult) -> str:
    """`results`: answers only; `relaxed`: true when they answer not all of it (one word of the question left out);
    `related`: near misses when there are none (tools tell them apart)."""
    line = {
        "query": query,
        "results": [_hit_json(h) for h in result.results],
        "relaxed": result.relaxed,
        "related": [_hit_json(h) for h in result.related],
        "took_ms": round(result.took_ms, 3),
    }
    return json.dumps(line, ensure_ascii=False)


def _table(query: str, result: SearchResult) -> str:
    lines = [f"{query!r} -> {result.normalized or '-'} ({result.total} found, {result.took_ms:.1f} ms)"]
    if result.corrections:
        lines.append("  corrected: " + ", ".join(f"{a} -> {b or '(dropped)'}" for a, b in result.corrections))
    for i, h in enumerate(result.results, start=1):
        badges = [
            name
            for name, on in (
                (f"TKDN {h.badges.tkdn_percent}%", h.badges.tkdn_percent is not None),
                ("TKDN", h.badges.tkdn_certified and h.badges.tkdn_percent is None),
                ("e-Katalog", h.badges.ekatalog),
                ("halal", h.badges.halal),
            )
            if on
        ]
        price = f"Rp{int(h.price):,}".replace(",", ".") if h.price is not None else "-"
        lines.append(
            f"  {i}. {h.product_ref:<10} {h.product_name[:40]:<40} {h.business_name[:28]:<28} "
            f"{h.kecamatan or '-':<13} {price:>12}/{h.unit or '-'} {' '.join(badges)} [{h.score:.3f}]"
        )
    if not result.results:
        lines.append("  (nothing found)")
        lines += [f"  ~ {h.product_ref:<10} {h.product_name[:40]:<40} {h.business_name[:28]}" for h in result.related]
    return "\n".join(lines)


async def _search(query: str, limit: int, as_json: bool, database_url: str | None, demo: bool) -> None:
    render = _json_line if as_json else _table
    async with _database(database_url, demo) as sessions, sessions() as session:
        if query != "-":
            typer.echo(render(query, await search(session, query, limit=limit, log=False)))
            return
        while line := await asyncio.to_thread(sys.stdin.readline):
            text = line[:-1] if line.endswith("\n") else line
            text = text[:-1] if text.endswith("\r") else text
            typer.echo(render(text, await search(session, text, limit=limit, log=False)))
            sys.stdout.flush()


def search_command(
    query: Annotated[str, typer.Argument(help="The question, or - to read one question per line from stdin.")],
    limit: Annotated[int, typer.Option(help="How many products to show.")] = 5,
    json_: Annotated[bool, typer.Option("--json", help="One JSON line per question.")] = False,
    demo: DemoOption = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Search the catalog the way a buyer asks ("siapa yang jual keripik pisang?")."""
    asyncio.run(_search(query, limit, json_, database_url, demo))


def issue_text(t: Translator, issue: ImportIssue) -> str:
    """One problem of an import, translated: where it is, why, its code, and the cell's text."""
    reason = t(issue.code, column=issue.column or "", value=issue.value, **issue.params)
    where = {"file": issue.file, "row": issue.row, "column": issue.column, "reason": reason, "code": issue.code}
    if issue.row == 0:
        line = t("import.report.problem_file", **where)
    elif issue.column is None:
        line = t("import.report.problem_row", **where)
    else:
        line = t("import.report.problem", **where)
    return line + (t("import.report.value", value=_shown(issue.value)) if issue.value else "")


def _shown(value: object) -> str:
    text = str(value)
    if len(text) > _SHOWN_VALUE_CHARS:
        text = text[: _SHOWN_VALUE_CHARS - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


def change_text(t: Translator, change: FieldChange) -> str:
    """One changed field of an updated row: `vendors.csv row 4 (V003), address: "old" -> "new"`."""
    old, new = (t("import.report.empty_value") if v in (None, "") else _shown(v) for v in (change.old, change.new))
    return t(
        "import.report.change", file=change.file, row=change.row, ref=change.ref, column=change.column, old=old, new=new
    )


def format_report(report: ImportReport, t: Translator | None = None) -> str:
    """The import report as text: counts and changes, or every problem with file, row, column and reason."""
    t = t or Translator(BotSettings().default_language)
    if report.errors_total:
        lines = [t("import.report.refused", count=report.errors_total)]
        lines += ["  " + issue_text(t, e) for e in report.errors]
        if report.errors_total > len(report.errors):
            lines.append("  " + t("import.report.more", count=report.errors_total - len(report.errors)))
        return "\n".join(lines)
    lines = [t("import.report.dry_run")] if report.dry_run else []
    lines += [
        t(
            "import.report.vendors",
            created=report.vendors_created,
            updated=report.vendors_updated,
            unchanged=report.vendors_unchanged,
        ),
        t(
            "import.report.products",
            created=report.products_created,
            updated=report.products_updated,
            unchanged=report.products_unchanged,
        ),
    ]
    if report.changes:
        lines.append(t("import.report.changes"))
        lines += ["  " + change_text(t, c) for c in report.changes]
    return "\n".join(lines)


async def _import(
    vendors: Path, products: Path, dry_run: bool, database_url: str | None, demo: bool, admin: bool = False
) -> ImportReport:
    async with _database(database_url, demo) as sessions:  # the sessions carry the region REGION_FILE names
        return await import_catalog(sessions, vendors, products, dry_run=dry_run, admin=admin)


def import_command(
    vendors: Annotated[Path, typer.Option("--vendors", exists=True, dir_okay=False, help="vendors.csv or .xlsx")],
    products: Annotated[Path, typer.Option("--products", exists=True, dir_okay=False, help="products.csv or .xlsx")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show what would change, without writing.")
    ] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the report: id or en.")] = None,
    demo: DemoOption = False,
    database_url: DatabaseUrlOption = None,
    admin: Annotated[
        bool,
        typer.Option("--admin", help="The file is a Dinas admin's: its `checked` column (ya) marks claims checked."),
    ] = False,
) -> None:
    """Import vendors and products (all rows valid, or nothing is written)."""
    report = asyncio.run(_import(vendors, products, dry_run, database_url, demo, admin))
    t = Translator(lang or BotSettings().default_language)
    typer.echo(format_report(report, t), err=not report.ok)
    if not report.ok:
        raise typer.Exit(code=1)


async def _export(fmt: ExportFormat, output: Path, database_url: str | None, demo: bool) -> list[Path]:
    async with _database(database_url, demo) as sessions, sessions() as session:
        return await export_catalog(session, fmt.value, output)


def export_command(
    format: Annotated[ExportFormat, typer.Option(help="csv (two files) or xlsx (one workbook).")] = ExportFormat.csv,
    output: Annotated[Path, typer.Option(file_okay=False, help="Folder to write into.")] = Path("export"),
    demo: DemoOption = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Export the catalog in the import columns."""
    for path in asyncio.run(_export(format, output, database_url, demo)):
        typer.echo(str(path))
