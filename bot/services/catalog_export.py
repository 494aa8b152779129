"""Catalog export in exactly the import columns (CSV pair or one XLSX workbook with two sheets).

Booleans are written `Ya`/`Tidak`, prices as whole rupiah (`nego` / `25000 nego` when negotiable), TKDN
without trailing zeros, so an import of the files reproduces the catalog. Hidden products are left out
(the columns have no "visible"), so an import shows exactly what the catalog shows today.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.catalog_files import Cell, write_csv, write_xlsx
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from models import Product, Vendor


def _yes_no(value: bool) -> str:
    return "Ya" if value else "Tidak"


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize() if value != value.to_integral() else value.quantize(1)


def _price(product: Product) -> Cell:
    amount = None if product.price is None else int(product.price)
    if product.price_negotiable:
        return "nego" if amount is None else f"{amount} nego"
    return amount


def _vendor_row(v: Vendor) -> list[Cell]:
    return [
        v.vendor_ref,
        v.business_name,
        v.owner_name,
        v.phone,
        v.kecamatan,
        v.address,
        v.nib,
        _yes_no(v.ekatalog),
        _yes_no(v.tkdn_certified),
        _yes_no(v.halal),
        v.description,
    ]


def _product_row(p: Product, vendor_ref: str) -> list[Cell]:
    return [p.product_ref, vendor_ref, p.name, p.category, p.description, _price(p), p.unit, _percent(p.tkdn_percent)]


async def export_catalog(session: AsyncSession, fmt: Literal["csv", "xlsx"], out_dir: Path) -> list[Path]:
    """Write `vendors.csv` + `products.csv`, or `catalog.xlsx` with two sheets; returns the paths."""
    vendors = (await session.scalars(select(Vendor).order_by(Vendor.vendor_ref))).all()
    stmt = (
        select(Product, Vendor.vendor_ref)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(Product.visible.is_(True))
        .order_by(Product.product_ref)
    )
    products = [_product_row(p, ref) for p, ref in (await session.execute(stmt)).all()]
    vendor_rows = [_vendor_row(v) for v in vendors]
    return await asyncio.to_thread(_write_files, fmt, out_dir, vendor_rows, products)


def _write_files(fmt: str, out_dir: Path, vendor_rows: list[list[Cell]], product_rows: list[list[Cell]]) -> list[Path]:
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        path = out_dir / "catalog.xlsx"
        write_xlsx(path, [("vendors", VENDOR_COLUMNS, vendor_rows), ("products", PRODUCT_COLUMNS, product_rows)])
        return [path]
    write_csv(out_dir / "vendors.csv", VENDOR_COLUMNS, vendor_rows)
    write_csv(out_dir / "products.csv", PRODUCT_COLUMNS, product_rows)
    return [out_dir / "vendors.csv", out_dir / "products.csv"]
