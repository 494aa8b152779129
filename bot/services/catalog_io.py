"""Catalog import and export (CSV or XLSX) in the contract's columns (see `catalog_rows.py`).

Import is all-or-nothing: every row of both files is validated first and nothing is written when any
row is bad. It is an upsert keyed by `vendor_ref` / `product_ref` (rows not in the files are left alone),
and re-importing the same files changes nothing. Touched products get their `search_text` recomputed.
Export (`catalog_export.py`) writes exactly the import columns, so export -> import on an empty database
gives the same catalog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.catalog_export import export_catalog
from bot.services.catalog_files import read_table
from bot.services.catalog_rows import (
    PRODUCT_COLUMNS,
    VENDOR_COLUMNS,
    ImportIssue,
    ProductRecord,
    VendorRecord,
    missing_columns,
    validate_products,
    validate_vendors,
)
from bot.services.region import region_of
from bot.services.search import invalidate_vocabulary, reindex_products
from bot.services.search.index import vendor_search_text
from models import Product, Vendor

logger = logging.getLogger(__name__)

__all__ = ["ImportIssue", "ImportReport", "export_catalog", "import_catalog", "load_demo_catalog"]

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
_CHUNK = 5000  # IN-list size (asyncpg allows 32,767 parameters)

ModelT = TypeVar("ModelT", Vendor, Product)


@dataclass
class ImportReport:
    """What an import did, or why it did nothing (`errors`)."""

    vendors_created: int = 0
    vendors_updated: int = 0
    vendors_unchanged: int = 0
    products_created: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the files were valid and written."""
        return not self.errors


async def _by_ref(session: AsyncSession, model: type[ModelT], refs: Sequence[str]) -> dict[str, ModelT]:
    column = Vendor.vendor_ref if model is Vendor else Product.product_ref
    found: dict[str, ModelT] = {}
    for i in range(0, len(refs), _CHUNK):
        for obj in await session.scalars(select(model).where(column.in_(refs[i : i + _CHUNK]))):
            found[obj.vendor_ref if isinstance(obj, Vendor) else obj.product_ref] = obj
    return found


def _apply(obj: Any, fields: dict[str, Any]) -> bool:
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


async def _write_vendors(session: AsyncSession, records: list[VendorRecord], report: ImportReport) -> set[int]:
    """Upsert vendors; returns the ids of vendors that changed (their products need re-indexing)."""
    existing = await _by_ref(session, Vendor, [r.vendor_ref for r in records])
    changed: list[Vendor] = []
    for record in records:
        vendor = existing.get(record.vendor_ref)
        if vendor is None:
            vendor = Vendor(vendor_ref=record.vendor_ref, **record.fields)
            session.add(vendor)
            report.vendors_created += 1
        elif _apply(vendor, record.fields):
            report.vendors_updated += 1
            changed.append(vendor)
        else:
            report.vendors_unchanged += 1
            continue
        vendor.search_text = vendor_search_text(vendor, region_of(session))
    await session.flush()
    return {v.id for v in changed}


async def _write_products(
    session: AsyncSession, records: list[ProductRecord], report: ImportReport, changed_vendor_ids: set[int]
) -> list[Product]:
    vendors = await _by_ref(session, Vendor, sorted({r.vendor_ref for r in records}))
    existing = await _by_ref(session, Product, [r.product_ref for r in records])
    touched: list[Product] = []
    for record in records:
        fields = {**record.fields, "vendor_id": vendors[record.vendor_ref].id}
        product = existing.get(record.product_ref)
        if product is None:
            product = Product(product_ref=record.product_ref, search_text="", **fields)
            session.add(product)
            report.products_created += 1
        elif _apply(product, fields):
            report.products_updated += 1
        else:
            report.products_unchanged += 1
            if product.vendor_id not in changed_vendor_ids:
                continue
        touched.append(product)
    await session.flush()
    known = {p.id for p in touched}
    for i in range(0, len(ids := sorted(changed_vendor_ids)), _CHUNK):
        stmt = select(Product).where(Product.vendor_id.in_(ids[i : i + _CHUNK]))
        touched += [p for p in await session.scalars(stmt) if p.id not in known]
    return touched


async def import_catalog(
    session_factory: async_sessionmaker[AsyncSession], vendors_path: Path, products_path: Path
) -> ImportReport:
    """Validate both files completely, then upsert them in one transaction (nothing at all on any error)."""
    report = ImportReport()
    vendor_table = await asyncio.to_thread(read_table, vendors_path, "vendors")
    product_table = await asyncio.to_thread(read_table, products_path, "products")
    report.errors += missing_columns(vendors_path.name, vendor_table, VENDOR_COLUMNS[:2])
    report.errors += missing_columns(products_path.name, product_table, PRODUCT_COLUMNS[:3])
    if report.errors:
        return report
    async with session_factory() as session:
        vendor_records = validate_vendors(vendors_path.name, vendor_table, report.errors, region_of(session))
        # A product may name a vendor whose own row is invalid: that row is reported once, not each product.
        file_refs = {" ".join(c.get("vendor_ref", "").split()) for _, c in vendor_table.rows} - {""}
        wanted = sorted({c.get("vendor_ref", "").strip() for _, c in product_table.rows} - file_refs - {""})
        known = file_refs | set(await _by_ref(session, Vendor, wanted))
        product_records = validate_products(products_path.name, product_table, known, report.errors)
        if report.errors:
            await session.rollback()
            return report
        changed_vendor_ids = await _write_vendors(session, vendor_records, report)
        touched = await _write_products(session, product_records, report, changed_vendor_ids)
        await reindex_products(session, touched)
        await session.commit()
        invalidate_vocabulary(session)
    logger.info("catalog imported: %s", report)
    return report


async def load_demo_catalog(session_factory: async_sessionmaker[AsyncSession]) -> int:
    """Import the bundled demo catalog when there are no products yet; returns the products imported."""
    async with session_factory() as session:
        count = await session.scalar(select(func.count()).select_from(Product))
        await session.commit()
    if count:
        return 0
    report = await import_catalog(session_factory, DEMO_DIR / "vendors.csv", DEMO_DIR / "products.csv")
    if not report.ok:
        raise RuntimeError(f"demo catalog is invalid: {[(e.file, e.row, e.column, e.code) for e in report.errors]}")
    return report.products_created
