"""Reading and writing the catalog's spreadsheets (CSV or XLSX), one row at a time.

Reading accepts what real spreadsheets contain: a UTF-8 BOM, Excel's `;`-separated CSV (detected from the
header line), Windows-1252 when the file is not UTF-8, quoted multi-line cells, blank rows, header names
in any case or with spaces (`Vendor Ref` = `vendor_ref`), numbers typed into XLSX cells, XLSX rows past a
stale `<dimension>` marker, and a workbook whose content is a CSV's name (the content decides).
What it cannot read safely is a `FileProblem` (a locale key, the row when known, plain params), never a
traceback: UTF-16 text, a binary file (an old `.xls`), a corrupt workbook, a quote that is opened and never
closed (read strictly, instead of swallowing the rest of the file into one cell), a cell over
`CSV_CELL_LIMIT` characters.
Rows are streamed: `TableSource.rows()` reads the file again on every call and never holds it whole.
Row numbers are the spreadsheet's own (the header is row 1), so a reported row is the row a user sees.

Writing neutralises formulas (OWASP "CSV injection"): a CSV text cell that begins with `=`, `+`, `-`, `@`,
tab or carriage return gets a leading `'`, and reading removes exactly that quote again, so an export
imports back to the original text. XLSX cells are written as typed values, text always as a string
(`data_type "s"`), never a formula.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_SUFFIXES = (".xlsx", ".xlsm")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CELL_LIMIT = 1 << 20  # characters; Python's csv default (128 KiB) would end in a traceback
_ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_CHUNK = 1 << 20


class FileProblem(Exception):
    """A file (or one row of it) that cannot be read: `code` is a locale key, `row` the row when known."""

    def __init__(self, code: str, row: int | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code, self.row, self.params = code, row, params


def column_key(name: str) -> str:
    """`Vendor Ref ` -> `vendor_ref`; `TKDN (%)` -> `tkdn`."""
    return re.sub(r"[^a-z0-9]+", "_", name.replace("\ufeff", "").strip().lower()).strip("_")


def neutralise(text: str) -> str:
    """A CSV cell that a spreadsheet will not read as a formula: `=SUM(1)` -> `'=SUM(1)`."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo `neutralise`: drop a `'` that stands before a formula character (and only that quote)."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS else text


@dataclass(frozen=True)
class TableSource:
    """One sheet of a file: its normalised header names, and its data rows read on demand."""

    path: Path
    sheet: str
    columns: tuple[str, ...]
    _header: tuple[str, ...] = field(repr=False)
    _encoding: str | None = field(default=None, repr=False)  # None: a workbook
    _delimiter: str = field(default=",", repr=False)

    @property
    def name(self) -> str:
        """The file name, as reports show it."""
        return self.path.name

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {column: text}) of every non-blank data row; may raise `FileProblem` part-way."""
        raw = _xlsx_rows(self.path, self.sheet) if self._encoding is None else self._csv_rows()
        next(raw, None)  # the header
        header = self._header
        for number, cells in raw:
            values = [restore(c).strip() for c in cells]
            if not any(values):
                continue
            yield number, {col: (values[i] if i < len(values) else "") for i, col in enumerate(header) if col}

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        return _csv_rows(self.path, self._encoding or "utf-8-sig", self._delimiter)


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    if csv.field_size_limit() < CSV_CELL_LIMIT:
        csv.field_size_limit(CSV_CELL_LIMIT)  # process-wide, only ever raised
    number = 0
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        try:
            for number, row in enumerate(reader, start=1):
                yield number, row
        except csv.Error as err:
            if "field larger than field limit" in str(err):
                raise FileProblem("import.cell.too_large", number + 1, max=CSV_CELL_LIMIT) from err
            raise FileProblem("import.file.quote", number + 1) from err


def _sniff_encoding(path: Path) -> str:
    """`utf-8-sig` or `cp1252`, or a `FileProblem` for UTF-16/32 and binary files."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as fh:
        first = True
        while chunk := fh.read(_SNIFF_CHUNK):
            if first and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise FileProblem("import.file.utf16")
            first = False
            if b"\x00" in chunk:
                raise FileProblem("import.file.binary")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "utf-8-sig" if utf8 else "cp1252"


def _open_csv(path: Path, sheet: str) -> TableSource:
    encoding = _sniff_encoding(path)
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        header_line = fh.readline()
    delimiter = max((",", ";", "\t"), key=header_line.count)
    header = next(_csv_rows(path, encoding, delimiter), (0, []))[1]
    keys = tuple(column_key(h) for h in header)
    return TableSource(path, sheet, tuple(k for k in keys if k), keys, encoding, delimiter)


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


def _xlsx_rows(path: Path, sheet: str) -> Iterator[tuple[int, list[str]]]:
    # openpyxl raises many kinds of errors on a damaged workbook (zip, XML, KeyError, ValueError...):
    # every one of them means "this workbook cannot be read", said once, without a traceback.
    from openpyxl import load_workbook  # loaded on first use (see XlsxWriter)

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:
        raise FileProblem("import.file.corrupt") from err
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        ws = workbook[names[sheet]] if sheet in names else workbook.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # read every row, not just those inside a stale <dimension ref="A1:K3">
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in row]
    except FileProblem:
        raise
    except Exception as err:
        raise FileProblem("import.file.corrupt") from err
    finally:
        workbook.close()


def _open_xlsx(path: Path, sheet: str) -> TableSource:
    header = next(_xlsx_rows(path, sheet), (0, []))[1]
    keys = tuple(column_key(h) for h in header)
    return TableSource(path, sheet, tuple(k for k in keys if k), keys)


def open_table(path: Path, sheet: str) -> TableSource:
    """Open a CSV or XLSX file (by its content, else its suffix) and read its header; `FileProblem` if not."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(_ZIP_MAGIC))
    except OSError as err:
        raise FileProblem("import.file.unreadable") from err
    if magic == _ZIP_MAGIC:
        return _open_xlsx(path, sheet)
    if path.suffix.lower() in XLSX_SUFFIXES:
        raise FileProblem("import.file.corrupt")
    return _open_csv(path, sheet)


Cell = str | int | float | Decimal | None


def _csv_cell(value: Cell) -> Cell:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Cell]], *, append: bool = False) -> None:
    """Write (or append to) a UTF-8 CSV with a header row; text cells are neutralised, see the module notes."""
    with path.open("a" if append else "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        if not append:
            writer.writerow(columns)
        writer.writerows([_csv_cell(c) for c in row] for row in rows)


def _xlsx_cell(ws: WriteOnlyWorksheet, value: Cell) -> object:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Decimal):
        return float(value)
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # openpyxl would store "=..." as a live formula
    return cell


class XlsxWriter:
    """A workbook written sheet by sheet, rows streamed (`Workbook(write_only=True)`).

    openpyxl (and numpy and Pillow, which it imports when they are installed: ~25 MB) is imported on first
    use, not when the bot starts: exports and XLSX imports are rare.
    """

    def __init__(self) -> None:
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)
        self._sheet: WriteOnlyWorksheet | None = None

    def sheet(self, name: str, columns: Sequence[str]) -> None:
        """Start a sheet with its header row."""
        self._sheet = self._workbook.create_sheet(name)
        self._sheet.append([_xlsx_cell(self._sheet, c) for c in columns])

    def rows(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Append rows to the current sheet."""
        ws = self._sheet
        assert ws is not None, "call sheet() first"
        for row in rows:
            ws.append([_xlsx_cell(ws, c) for c in row])

    def save(self, path: Path) -> None:
        """Write the workbook file."""
        self._workbook.save(path)


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]]) -> None:
    """Write a workbook with one sheet per (name, columns, rows)."""
    writer = XlsxWriter()
    for name, columns, rows in sheets:
        writer.sheet(name, columns)
        writer.rows(rows)
    writer.save(path)
