"""Reading and writing the catalog's spreadsheets (CSV or XLSX) as plain rows of text.

Reading accepts what real spreadsheets contain: a UTF-8 BOM, Excel's `;`-separated CSV (detected from the
header line), Windows-1252 when the file is not UTF-8, quoted multi-line cells, blank rows, header names
in any case or with spaces (`Vendor Ref` = `vendor_ref`), numbers typed into XLSX cells.
Row numbers are the spreadsheet's own (the header is row 1), so a reported row is the row a user sees.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Table:
    """A sheet: normalised header names and data rows as (row number, {column: text})."""

    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def column_key(name: str) -> str:
    """`Vendor Ref ` -> `vendor_ref`; `TKDN (%)` -> `tkdn`."""
    return re.sub(r"[^a-z0-9]+", "_", name.replace("\ufeff", "").strip().lower()).strip("_")


def _table(raw_rows: Sequence[tuple[int, Sequence[str]]]) -> Table:
    if not raw_rows:
        return Table(columns=(), rows=())
    header = tuple(column_key(h) for h in raw_rows[0][1])
    rows = []
    for number, cells in raw_rows[1:]:
        values = [c.strip() for c in cells]
        if not any(values):
            continue
        rows.append((number, {col: (values[i] if i < len(values) else "") for i, col in enumerate(header) if col}))
    return Table(columns=tuple(h for h in header if h), rows=tuple(rows))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_csv(path: Path) -> Table:
    """Read a CSV file (comma, semicolon or tab separated)."""
    text = _decode(path.read_bytes())
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table([(i, row) for i, row in enumerate(reader, start=1)])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, sheet: str) -> Table:
    """Read the sheet called `sheet` of a workbook, or its first sheet when there is no such sheet."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        ws = workbook[names[sheet]] if sheet in names else workbook.worksheets[0]
        raw = [(i, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    return _table(raw)


def read_table(path: Path, sheet: str) -> Table:
    """Read a CSV or XLSX file by its suffix."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_xlsx(path, sheet)
    return read_csv(path)


Cell = str | int | float | Decimal | None


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """Write a UTF-8 CSV with a header row; cells with commas or line breaks are quoted."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if c is None else c for c in row] for row in rows])


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Cell]]]]) -> None:
    """Write a workbook with one sheet per (name, columns, rows)."""
    workbook = Workbook(write_only=True)
    for name, columns, rows in sheets:
        ws = workbook.create_sheet(name)
        ws.append(list(columns))
        for row in rows:
            ws.append([float(c) if isinstance(c, Decimal) else c for c in row])
    workbook.save(path)
