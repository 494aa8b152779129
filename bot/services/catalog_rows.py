"""Validating catalog rows into typed records, collecting every problem with its file, row and column.

Cell parsers are the chat's own (`bot.services.parsing`), so an import accepts exactly what the bot
accepts: `Rp15.000`, `15.000`, `Ya`/`YA`/`ya`, `0812-...`, `45%`. Problems carry a stable code (the
`parse.*` locale keys, or `import.*` for file-level rules) and a reason translated from the locale catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.core.errors import ValidationError
from bot.core.i18n import Translator
from bot.services.catalog_files import Table
from bot.services.categories import CATEGORIES, category_slug
from bot.services.parsing import (
    parse_description,
    parse_name,
    parse_nib,
    parse_phone,
    parse_price,
    parse_tkdn_percent,
    parse_unit,
    parse_yes_no,
)
from bot.services.region import parse_kecamatan

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

MAX_REF_CHARS = 40
REF_PATTERN = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_REF_CHARS}}}")
MAX_ADDRESS_CHARS = 300
MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 4000


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an import file; `row` is the spreadsheet row (1 is the header)."""

    file: str
    row: int
    column: str | None
    code: str
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The problem in the Dinas staff's language (Indonesian)."""
        return self.reason_in("id")

    def reason_in(self, locale: str) -> str:
        """The problem, translated from the locale catalogs."""
        return Translator(locale)(self.code, column=self.column or "", value=self.value, **self.params)


@dataclass(frozen=True)
class VendorRecord:
    """A valid vendor row."""

    row: int
    vendor_ref: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class ProductRecord:
    """A valid product row; `vendor_ref` is resolved to an id when writing."""

    row: int
    product_ref: str
    vendor_ref: str
    fields: dict[str, Any]


class _Row:
    """One row being validated: reads cells and records problems instead of raising."""

    def __init__(self, file: str, number: int, cells: dict[str, str], issues: list[ImportIssue]) -> None:
        self.file, self.number, self.cells, self.issues = file, number, cells, issues

    def problem(self, column: str | None, code: str, **params: Any) -> None:
        value = self.cells.get(column or "", "")[:100]
        self.issues.append(ImportIssue(self.file, self.number, column, code, value, params))

    def text(self, column: str, *, required: bool = False, max_len: int = MAX_NAME_CHARS) -> str | None:
        value = " ".join(self.cells.get(column, "").split())
        if not value:
            if required:
                self.problem(column, "import.required")
            return None
        if len(value) > max_len:
            self.problem(column, "import.too_long", max=max_len)
            return None
        return value

    def parsed(self, column: str, parser: Callable[[str], Any], default: Any = None) -> Any:
        value = self.cells.get(column, "").strip()
        if not value:
            return default
        try:
            return parser(value)
        except ValidationError as err:
            self.problem(column, err.key, **err.params)
            return default


def _description(text: str) -> str:
    return parse_description(text, max_len=MAX_DESCRIPTION_CHARS, min_len=1)


def _name(text: str) -> str:
    return parse_name(text, max_len=MAX_NAME_CHARS)


def _category(text: str) -> str:
    slug = category_slug(text)
    if slug is None:
        raise ValidationError("import.category.invalid", options=", ".join(CATEGORIES))
    return slug


def missing_columns(file: str, table: Table, required: tuple[str, ...]) -> list[ImportIssue]:
    """Header problems: an empty file, or a required column that is not there."""
    if not table.columns:
        return [ImportIssue(file, 1, None, "import.file.empty")]
    return [ImportIssue(file, 1, c, "import.column.missing") for c in required if c not in table.columns]


def _first_rows(row: _Row, column: str, ref: str | None, seen: dict[str, int]) -> None:
    if ref is None:
        return
    if not REF_PATTERN.fullmatch(ref):
        # Refs travel inside chat button payloads (64 bytes, ':'-separated), so keep them plain and short.
        row.problem(column, "import.ref.invalid", max=MAX_REF_CHARS)
    elif ref in seen:
        row.problem(column, "import.ref.duplicate", first_row=seen[ref])
    else:
        seen[ref] = row.number


def validate_vendors(file: str, table: Table, issues: list[ImportIssue]) -> list[VendorRecord]:
    """Valid vendor records of a sheet; problems are appended to `issues`."""
    records: list[VendorRecord] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        row = _Row(file, number, cells, issues)
        before = len(issues)
        ref = row.text("vendor_ref", required=True, max_len=MAX_REF_CHARS)
        _first_rows(row, "vendor_ref", ref, seen)
        fields = {
            "business_name": row.parsed("business_name", _name),
            "owner_name": row.parsed("owner_name", _name),
            "phone": row.parsed("phone", parse_phone),
            "kecamatan": row.parsed("kecamatan", parse_kecamatan),
            "address": row.text("address", max_len=MAX_ADDRESS_CHARS),
            "nib": row.parsed("nib", parse_nib),
            "ekatalog": row.parsed("ekatalog", parse_yes_no, False),
            "tkdn_certified": row.parsed("tkdn_certified", parse_yes_no, False),
            "halal": row.parsed("halal", parse_yes_no, False),
            "description": row.parsed("description", _description),
        }
        if fields["business_name"] is None and not cells.get("business_name", "").strip():
            row.problem("business_name", "import.required")
        if ref is not None and len(issues) == before:
            records.append(VendorRecord(number, ref, fields))
    return records


def validate_products(file: str, table: Table, vendor_refs: set[str], issues: list[ImportIssue]) -> list[ProductRecord]:
    """Valid product records of a sheet; `vendor_refs` are the vendors known (file + database)."""
    records: list[ProductRecord] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        row = _Row(file, number, cells, issues)
        before = len(issues)
        ref = row.text("product_ref", required=True, max_len=MAX_REF_CHARS)
        _first_rows(row, "product_ref", ref, seen)
        vendor_ref = row.text("vendor_ref", required=True, max_len=MAX_REF_CHARS)
        if vendor_ref is not None and vendor_ref not in vendor_refs:
            row.problem("vendor_ref", "import.vendor.unknown")
        price = row.parsed("price", parse_price)
        fields = {
            "name": row.parsed("name", _name),
            "category": row.parsed("category", _category, "lainnya"),
            "description": row.parsed("description", _description),
            "price": Decimal(price.amount) if price is not None and price.amount is not None else None,
            "price_negotiable": bool(price and price.negotiable),
            "unit": row.parsed("unit", parse_unit),
            "tkdn_percent": row.parsed("tkdn_percent", parse_tkdn_percent),
        }
        if fields["name"] is None and not cells.get("name", "").strip():
            row.problem("name", "import.required")
        if ref is not None and vendor_ref is not None and len(issues) == before:
            records.append(ProductRecord(number, ref, vendor_ref, fields))
    return records
