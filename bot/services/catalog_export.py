"""Catalog export in exactly the import columns (CSV pair or one XLSX workbook with two sheets).

Booleans are written `Ya`/`Tidak`, prices as whole rupiah (`nego` / `25000 nego` when negotiable), TKDN
without trailing zeros, phone numbers the way Indonesians write them (`0812-3456-7890`: a spreadsheet keeps
it as text, where `+62...` would become a number), so an import of the files reproduces the catalog.
Hidden products are left out (the columns have no "visible"), so an import shows exactly what the catalog
shows today. Rows are read and written in batches; formulas are neutralised (`catalog_files.py`).
`vendor_cells` / `product_cells` are also the import's change report format.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import ValidationError
from bot.services.catalog_files import Cell, XlsxWriter, write_csv
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from bot.services.formatting import format_phone_local
from models import Product, Vendor

_BATCH = 2000
_PRODUCT_FIELDS = (
    Product.product_ref,
    Product.name,
    Product.category,
    Product.description,
    Product.price,
    Product.price_negotiable,
    Product.unit,
    Product.tkdn_percent,
)


def _yes_no(value: bool) -> str:
    return "Ya" if value else "Tidak"


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize() if value != value.to_integral() else value.quantize(1)


def _phone(value: str | None) -> str | None:
    if not value:
        return value
    try:
        return format_phone_local(value)
    except ValidationError:
        return value


def price_cell(price: Decimal | None, negotiable: bool) -> Cell:
    """A price as the `price` column writes it: `15000`, `nego`, `25000 nego` or empty."""
    amount = None if price is None else int(price)
    if negotiable:
        return "nego" if amount is None else f"{amount} nego"
    return amount


def vendor_cells(v: Any) -> dict[str, Cell]:
    """A vendor (an ORM object or a row) in the import columns."""
    return {
        "vendor_ref": v.vendor_ref,
        "business_name": v.business_name,
        "owner_name": v.owner_name,
        "phone": _phone(v.phone),
        "kecamatan": v.kecamatan,
        "address": v.address,
        "nib": v.nib,
        "ekatalog": _yes_no(v.ekatalog),
        "tkdn_certified": _yes_no(v.tkdn_certified),
        "halal": _yes_no(v.halal),
        "description": v.description,
    }


def product_cells(p: Any, vendor_ref: str) -> dict[str, Cell]:
    """A product (an ORM object or a row) in the import columns."""
    return {
        "product_ref": p.product_ref,
        "vendor_ref": vendor_ref,
        "name": p.name,
        "category": p.category,
        "description": p.description,
        "price": price_cell(p.price, p.price_negotiable),
        "unit": p.unit,
        "tkdn_percent": _percent(p.tkdn_percent),
    }


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")


async def export_catalog(session: AsyncSession, fmt: Literal["csv", "xlsx"], out_dir: Path) -> list[Path]:
    """Write `vendors.csv` + `products.csv`, or `catalog.xlsx` with two sheets; returns the paths."""
    _check_format(fmt)
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    vendor_columns = [getattr(Vendor, c) for c in VENDOR_COLUMNS]
    vendor_rows = [
        list(vendor_cells(v).values())
        for v in await session.execute(select(*vendor_columns).order_by(Vendor.vendor_ref))
    ]
    stmt = (
        select(*_PRODUCT_FIELDS, Vendor.vendor_ref.label("owner_ref"))
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(Product.visible.is_(True))
        .order_by(Product.product_ref)
        .execution_options(yield_per=_BATCH)
    )
    if fmt == "xlsx":
        path = out_dir / "catalog.xlsx"
        xlsx = XlsxWriter()
        xlsx.sheet("vendors", VENDOR_COLUMNS)
        await asyncio.to_thread(xlsx.rows, vendor_rows)
        xlsx.sheet("products", PRODUCT_COLUMNS)
        async for batch in (await session.stream(stmt)).partitions():
            rows = [list(product_cells(p, p.owner_ref).values()) for p in batch]
            await asyncio.to_thread(xlsx.rows, rows)
        await asyncio.to_thread(xlsx.save, path)
        return [path]
    vendors_path, products_path = out_dir / "vendors.csv", out_dir / "products.csv"
    await asyncio.to_thread(write_csv, vendors_path, VENDOR_COLUMNS, vendor_rows)
    await asyncio.to_thread(write_csv, products_path, PRODUCT_COLUMNS, [])
    async for batch in (await session.stream(stmt)).partitions():
        rows = [list(product_cells(p, p.owner_ref).values()) for p in batch]
        await asyncio.to_thread(write_csv, products_path, PRODUCT_COLUMNS, rows, append=True)
    return [vendors_path, products_path]
