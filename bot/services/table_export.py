"""Tables as an XLSX workbook (statistics, unmet needs): one sheet per table, headers translated by the caller.

A text cell that starts like a formula (`=`, `+`, `-`, `@`) is written as text, so a typed need such as
"=HYPERLINK(...)" can never run in the Dinas's spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet: its title, header row and data rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table, in order."""
    # openpyxl (and numpy and Pillow, which it imports when installed: ~25 MB) loads on first use, not at start-up.
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for n, table in enumerate(tables, start=1):
        title = "".join(c for c in table.title if c not in "[]:*?/\\")[:28] or f"Sheet{n}"
        if title in used:
            title = f"{title[:25]} {n}"
        used.add(title)
        sheet = book.create_sheet(title)
        sheet.append([str(h) for h in table.headers])
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
