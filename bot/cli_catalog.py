"""Catalog commands for the `banggabeli` CLI: search, import, export.

Plain typer-compatible functions; `bot/cli.py` registers them (`banggabeli search|import|export`). Each reads
DATABASE_URL and REGION_FILE, migrates the database first and runs one event loop. Searches from the command line are
not logged as demand (they are tests and evaluations, not buyers).

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
from bot.db import create_engine, session_factory
from bot.migrate import upgrade
from bot.services.catalog_io import ImportReport, export_catalog, import_catalog
from bot.services.region import bind_region, load_region
from bot.services.search import SearchResult, search


class ExportFormat(StrEnum):
    """File formats of `banggabeli export`."""

    csv = "csv"
    xlsx = "xlsx"


@asynccontextmanager
async def _database() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    settings = DatabaseSettings()
    region = load_region(BotSettings().region_file)
    engine = create_engine(settings.url, echo=settings.echo)
    try:
        await upgrade(engine)
        yield bind_region(session_factory(engine), region)
    finally:
        await engine.dispose()


def _json_line(query: str, result: SearchResult) -> str:
    hits = [
        {
            "product_ref": h.product_ref,
            "product_name": h.product_name,
            "vendor_ref": h.vendor_ref,
            "business_name": h.business_name,
            "kecamatan": h.kecamatan,
            "score": h.score,
        }
        for h in result.results
    ]
    return json.dumps({"query": query, "results": hits, "took_ms": round(result.took_ms, 3)}, ensure_ascii=False)


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
    return "\n".join(lines)


async def _search(query: str, limit: int, as_json: bool) -> None:
    render = _json_line if as_json else _table
    async with _database() as sessions, sessions() as session:
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
) -> None:
    """Search the catalog the way a buyer asks ("siapa yang jual keripik pisang?")."""
    asyncio.run(_search(query, limit, json_))


def format_report(report: ImportReport) -> str:
    """The import report as text: counts, or every problem with file, row, column and reason."""
    if report.errors:
        lines = [f"Import refused, nothing was written: {len(report.errors)} problem(s)."]
        lines += [
            f"  {e.file} row {e.row}, column {e.column or '-'}: {e.code}: {e.reason}"
            + (f" (value: {e.value!r})" if e.value else "")
            for e in report.errors
        ]
        return "\n".join(lines)
    return (
        f"Vendors: {report.vendors_created} created, {report.vendors_updated} updated, "
        f"{report.vendors_unchanged} unchanged.\n"
        f"Products: {report.products_created} created, {report.products_updated} updated, "
        f"{report.products_unchanged} unchanged."
    )


async def _import(vendors: Path, products: Path) -> ImportReport:
    async with _database() as sessions:
        return await import_catalog(sessions, vendors, products)


def import_command(
    vendors: Annotated[Path, typer.Option("--vendors", exists=True, dir_okay=False, help="vendors.csv or .xlsx")],
    products: Annotated[Path, typer.Option("--products", exists=True, dir_okay=False, help="products.csv or .xlsx")],
) -> None:
    """Import vendors and products (all rows valid, or nothing is written)."""
    report = asyncio.run(_import(vendors, products))
    typer.echo(format_report(report), err=not report.ok)
    if not report.ok:
        raise typer.Exit(code=1)


async def _export(fmt: ExportFormat, output: Path) -> list[Path]:
    async with _database() as sessions, sessions() as session:
        return await export_catalog(session, fmt.value, output)


def export_command(
    format: Annotated[ExportFormat, typer.Option(help="csv (two files) or xlsx (one workbook).")] = ExportFormat.csv,
    output: Annotated[Path, typer.Option(file_okay=False, help="Folder to write into.")] = Path("export"),
) -> None:
    """Export the catalog in the import columns."""
    for path in asyncio.run(_export(format, output)):
        typer.echo(str(path))
