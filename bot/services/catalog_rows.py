"""Validating catalog rows into typed records, one row at a time, collecting every problem with its place.

Cell parsers are the chat's own (`bot.services.parsers`), so an import accepts exactly what the bot
accepts: `Rp15.000`, `15.000`, `Ya`/`YA`/`ya`, `0812-...`, `45%`. A problem is an `ImportIssue`: file, row,
column, a stable code (the `parse.*` locale keys, or `import.*` for the import's own rules) and plain
params; the caller translates it (services never format user-facing text).

What a row means for a stored vendor or product (README, "Catalog files"):
- a column absent from the file is left alone;
- an empty cell (or one holding only `-`, `–`, `—` or `n/a`) in a present column is left alone too, except
  in the columns of `CLEARABLE` (products' `price` and `tkdn_percent`), where it is a deliberate clear:
  a price or a TKDN claim taken off the sheet is taken off the catalog. A yes/no column is set to no by `tidak`.
- a new row gets `DEFAULTS` for what its file does not say.
A record's `values` are exactly the fields the row sets, so an import can tell, field by field, what changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from bot.errors import ValidationError
from bot.services.categories import CATEGORIES, category_slug
from bot.services.parsers import (
    parse_description,
    parse_name,
    parse_nib,
    parse_phone,
    parse_price,
    parse_tkdn_percent,
    parse_unit,
    parse_yes_no,
)
from bot.services.region import Region

VENDOR_COLUMNS = (
    "vendor_ref",
    "business_name",
    "owner_name",
    "phone",
    "kecamatan",
    "address",
    "nib",
    "ekatalog",
    "tkdn_certified",
    "halal",
    "description",
)
PRODUCT_COLUMNS = ("product_ref", "vendor_ref", "name", "category", "description", "price", "unit", "tkdn_percent")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {"vendors": VENDOR_COLUMNS[:2], "products": PRODUCT_COLUMNS[:3]}
CLEARABLE: dict[str, frozenset[str]] = {"vendors": frozenset(), "products": frozenset({"price", "tkdn_percent"})}
DEFAULTS: dict[str, dict[str, Any]] = {
    "vendors": {
        "owner_name": None,
        "phone": None,
        "kecamatan": None,
        "address": None,
        "nib": None,
        "ekatalog": False,
        "tkdn_certified": False,
        "halal": False,
        "description": None,
    },
    "products": {
        "category": "lainnya",
        "description": None,
        "price": None,
        "price_negotiable": False,
        "unit": None,
        "tkdn_percent": None,
    },
}
EMPTY_MARKERS = frozenset({"-", "–", "—", "n/a"})

MAX_REF_CHARS = 40
REF_PATTERN = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_REF_CHARS}}}")
MAX_ADDRESS_CHARS = 300
MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 4000
MAX_CELL_CHARS = 10_000  # longer cells are refused before any parser sees them
MAX_KEPT_ISSUES = 1000

Kind = Literal["vendors", "products"]


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an import file; `row` is the spreadsheet row (1 is the header), 0 for the whole file."""

    file: str
    row: int
    column: str | None
    code: str
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class Issues:
    """The problems found so far: every one is counted, the first `limit` are kept with their details."""

    def __init__(self, limit: int = MAX_KEPT_ISSUES) -> None:
        self.items: list[ImportIssue] = []
        self.count = 0
        self._limit = limit

    def add(self, issue: ImportIssue) -> None:
        """Record one problem."""
        self.count += 1
        if len(self.items) < self._limit:
            self.items.append(issue)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True, slots=True)
class RowRecord:
    """A valid row: its ref, its vendor's ref (products), and the fields it sets (see the module notes)."""

    row: int
    ref: str
    vendor_ref: str
    values: dict[str, Any]


def missing_columns(file: str, kind: Kind, columns: tuple[str, ...]) -> list[ImportIssue]:
    """Header problems: an empty file, or a required column that is not there."""
    if not columns:
        return [ImportIssue(file, 1, None, "import.file.empty")]
    return [ImportIssue(file, 1, c, "import.column.missing") for c in REQUIRED_COLUMNS[kind] if c not in columns]


def _text(max_len: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = " ".join(text.split())
        if len(value) > max_len:
            raise ValidationError("import.too_long", max=max_len)
        return value

    return parse


def _name(text: str) -> str:
    return parse_name(text, max_len=MAX_NAME_CHARS)


def _description(text: str) -> str:
    return parse_description(text, max_len=MAX_DESCRIPTION_CHARS, min_len=1)


def _category(text: str) -> str:
    slug = category_slug(text)
    if slug is None:
        raise ValidationError("import.category.invalid", options=", ".join(CATEGORIES))
    return slug


def _price(text: str) -> dict[str, Any]:
    price = parse_price(text)
    return {"price": None if price.amount is None else Decimal(price.amount), "price_negotiable": price.negotiable}


Parser = Callable[[str], Any]


def _memo(parser: Parser) -> Parser:
    """A parser for columns whose few distinct values repeat on every row (yes/no, units, prices): each
    distinct cell is parsed once per file, its result or its problem remembered."""

    @lru_cache(maxsize=4096)
    def cached(text: str) -> tuple[bool, Any]:
        try:
            return True, parser(text)
        except ValidationError as err:
            return False, err

    def parse(text: str) -> Any:
        ok, result = cached(text)
        if not ok:
            raise ValidationError(result.key, **result.params)
        return result

    return parse


def _parsers(kind: Kind, region: Region | None) -> dict[str, Parser]:
    def kecamatan(text: str) -> str:
        if region is None:
            raise ValueError("vendor rows need the region their kecamatan belong to")
        return region.parse_kecamatan(text)

    if kind == "vendors":
        return {
            "business_name": _name,
            "owner_name": _name,
            "phone": parse_phone,
            "kecamatan": _memo(kecamatan),
            "address": _text(MAX_ADDRESS_CHARS),
            "nib": parse_nib,
            "ekatalog": _memo(parse_yes_no),
            "tkdn_certified": _memo(parse_yes_no),
            "halal": _memo(parse_yes_no),
            "description": _description,
        }
    return {
        "name": _name,
        "category": _memo(_category),
        "description": _description,
        "price": _memo(_price),
        "unit": _memo(parse_unit),
        "tkdn_percent": _memo(parse_tkdn_percent),
    }


class RowValidator:
    """Checks the rows of one file in order (refs must be unique within it) and turns them into records.

    `vendor_refs` (products only) are the vendors a product may name: every ref of the vendors file, valid
    or not (a bad vendor row is reported once, not again for each of its products), and the database's;
    None when they are unknown (the vendors file could not be read to its end), so no product is blamed.
    """

    def __init__(
        self,
        kind: Kind,
        file: str,
        columns: tuple[str, ...],
        issues: Issues,
        *,
        region: Region | None = None,
        vendor_refs: set[str] | frozenset[str] | None = frozenset(),
    ) -> None:
        self.kind, self.file, self.issues, self.vendor_refs = kind, file, issues, vendor_refs
        self.ref_column = "vendor_ref" if kind == "vendors" else "product_ref"
        self.required = REQUIRED_COLUMNS[kind][1:] if kind == "vendors" else ("name",)
        self.parsers = {c: p for c, p in _parsers(kind, region).items() if c in columns}
        self.clearable = CLEARABLE[kind]
        self.seen: dict[str, int] = {}

    def _problem(self, number: int, cells: dict[str, str], column: str | None, code: str, **params: Any) -> None:
        value = cells.get(column or "", "")[:100]
        self.issues.add(ImportIssue(self.file, number, column, code, value, params))

    def _ref(self, number: int, cells: dict[str, str], column: str, *, own: bool) -> str | None:
        # `own`: the row's own ref (checked for form and uniqueness); else a vendor named by a product.
        ref = " ".join(cells.get(column, "").split())
        if not ref:
            self._problem(number, cells, column, "import.required")
        elif len(ref) > MAX_REF_CHARS:
            self._problem(number, cells, column, "import.too_long", max=MAX_REF_CHARS)
        elif own and not REF_PATTERN.fullmatch(ref):
            # Refs travel inside chat button payloads (64 bytes, ':'-separated), so keep them plain and short.
            self._problem(number, cells, column, "import.ref.invalid", max=MAX_REF_CHARS)
        elif own and ref in self.seen:
            self._problem(number, cells, column, "import.ref.duplicate", first_row=self.seen[ref])
        else:
            if own:
                self.seen[ref] = number
            return ref
        return None

    def check(self, number: int, cells: dict[str, str]) -> RowRecord | None:
        """The row's record, or None after adding its problems to `issues`."""
        before = self.issues.count
        ref = self._ref(number, cells, self.ref_column, own=True)
        vendor_ref = ref or ""
        if self.kind == "products":
            vendor_ref = self._ref(number, cells, "vendor_ref", own=False) or ""
            if vendor_ref and self.vendor_refs is not None and vendor_ref not in self.vendor_refs:
                self._problem(number, cells, "vendor_ref", "import.vendor.unknown")
        values: dict[str, Any] = {}
        for column, parse in self.parsers.items():
            raw = cells.get(column, "")
            if column not in self.required and raw.casefold() in EMPTY_MARKERS:
                raw = ""
            if not raw:
                if column in self.required:
                    self._problem(number, cells, column, "import.required")
                elif column in self.clearable:
                    values.update(_as_fields(column, None))
                continue
            if len(raw) > MAX_CELL_CHARS:
                self._problem(number, cells, column, "import.too_long", max=MAX_CELL_CHARS)
                continue
            try:
                values.update(_as_fields(column, parse(raw)))
            except ValidationError as err:
                self._problem(number, cells, column, err.key, **err.params)
        if self.issues.count != before or ref is None:
            return None
        return RowRecord(number, ref, vendor_ref, values)


def _as_fields(column: str, parsed: Any) -> dict[str, Any]:
    if column == "price":
        return dict(parsed) if parsed is not None else {"price": None, "price_negotiable": False}
    return {column: parsed}
