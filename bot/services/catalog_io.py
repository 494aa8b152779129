"""Catalog import and export (CSV or XLSX) in the contract's columns (see `catalog_rows.py`).

Import is all-or-nothing: both files are streamed in batches, every row is validated, and valid batches
are written as they come inside one transaction, which is rolled back when any row (or the file itself)
is bad, or when it is a dry run; nothing at all is written then. Memory stays flat: a batch of rows, the
refs seen so far, and the vendors touched.
It is an upsert keyed by `vendor_ref` / `product_ref` (rows not in the files are left alone, and so are
columns absent from a file and, except in `CLEARABLE` columns, empty cells), and re-importing the same
files changes nothing. The report counts created / updated / unchanged rows and lists every changed
field of an updated row (`FieldChange`, old and new cell text as the export writes it).
Every written product gets its `search_text` computed here, and the products of a vendor whose index text
changed are re-indexed, all through Core bulk statements (no ORM objects per row).
Export (`catalog_export.py`) writes exactly the import columns, so export -> import on an empty database
gives the same catalog.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import claims, words
from bot.services.catalog_export import export_catalog, product_cells, vendor_cells
from bot.services.catalog_files import FileProblem, TableSource, open_table
from bot.services.catalog_rows import (
    DEFAULTS,
    VENDOR_COLUMNS,
    ImportIssue,
    Issues,
    Kind,
    RowRecord,
    RowValidator,
    missing_columns,
)
from bot.services.region import Region, region_of
from bot.services.search import invalidate_vocabulary, product_search_text
from bot.services.search.index import defer_vocabulary, resync_vocabulary, vendor_search_text
from models import Product, Vendor
from models.base import utcnow

logger = logging.getLogger(__name__)
CHECKED_COLUMN = "checked"  # vendors file, optional, honoured only with `admin` (see import_catalog)

__all__ = [
    "FieldChange",
    "ImportIssue",
    "ImportReport",
    "export_catalog",
    "import_catalog",
    "load_demo_catalog",
]

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
BATCH_ROWS = 2000  # rows validated and written at a time (also the IN-list size)

_VENDOR_READ = (
    Vendor.id,
    Vendor.vendor_ref,
    *(getattr(Vendor, c) for c in VENDOR_COLUMNS[1:]),
    Vendor.kelurahan,
    Vendor.search_text,
)
_PRODUCT_FIELDS = ("name", "category", "description", "price", "price_negotiable", "unit", "tkdn_percent")
_PRODUCT_READ = (
    Product.id,
    Product.product_ref,
    Product.vendor_id,
    *(getattr(Product, c) for c in _PRODUCT_FIELDS),
    Product.search_text,
    Vendor.vendor_ref,
)


@dataclass(frozen=True)
class FieldChange:
    """One column of an existing row that the import changes: old and new cell text, as the export writes it."""

    file: str
    row: int
    ref: str
    column: str
    old: Any
    new: Any


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), or why it did nothing (`errors`)."""

    vendors_created: int = 0
    vendors_updated: int = 0
    vendors_unchanged: int = 0
    products_created: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    changes: list[FieldChange] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    errors_total: int = 0  # all problems found; `errors` keeps the first ones (`catalog_rows.MAX_KEPT_ISSUES`)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when the files were valid (and, unless a dry run, written)."""
        return not (self.errors_total or self.errors)


@dataclass(frozen=True, slots=True)
class _VendorIndex:
    id: int
    tkdn_certified: bool
    text: str


def _file_issue(file: str, problem: FileProblem) -> ImportIssue:
    return ImportIssue(file, problem.row or 0, None, problem.code, "", problem.params)


async def _records(
    source: TableSource, check: RowValidator, issues: Issues, unread: set[str], refs: set[str] | None = None
) -> AsyncIterator[list[RowRecord]]:
    """The file's valid records, BATCH_ROWS rows at a time, read and validated in a worker thread one batch
    ahead (so the next batch is checked while this one is written). A `FileProblem` ends the file as an
    issue and puts its name in `unread`; `refs` collects every `vendor_ref` cell, valid or not."""
    rows = source.rows()

    def next_batch() -> list[RowRecord] | None:
        batch = list(itertools.islice(rows, BATCH_ROWS))
        if not batch:
            return None
        if refs is not None:
            refs.update(" ".join(cells.get("vendor_ref", "").split()) for _, cells in batch)
        return [r for number, cells in batch if (r := check.check(number, cells)) is not None]

    pending = asyncio.ensure_future(asyncio.to_thread(next_batch))
    try:
        while True:
            try:
                records = await pending
            except FileProblem as problem:
                issues.add(_file_issue(source.name, problem))
                unread.add(source.name)
                return
            if records is None:
                return
            pending = asyncio.ensure_future(asyncio.to_thread(next_batch))
            yield records
    finally:
        if not pending.done():
            with contextlib.suppress(FileProblem):
                await pending  # a worker thread cannot be cancelled; let it finish before the file is left


def _changes(file: str, record: RowRecord, old: Any, new: Any, kind: Kind) -> Iterator[FieldChange]:
    if kind == "vendors":
        before, after = vendor_cells(old), vendor_cells(new)
    else:
        before, after = product_cells(old, old.vendor_ref), product_cells(new, record.vendor_ref)
    for column, value in after.items():
        if before[column] != value:
            yield FieldChange(file, record.row, record.ref, column, before[column], value)


class _Writer:
    """Upserts validated batches inside the import's transaction and keeps the report's counts."""

    def __init__(self, session: AsyncSession, report: ImportReport, region: Region) -> None:
        self.session, self.report, self.region = session, report, region
        self.vendors: dict[str, _VendorIndex] = {}
        self.reindex_vendor_ids: set[int] = set()

    async def write_vendors(self, file: str, records: list[RowRecord]) -> None:
        if not records:
            return
        stmt = select(*_VENDOR_READ).where(Vendor.vendor_ref.in_([r.ref for r in records]))
        stored = {row.vendor_ref: row for row in await self.session.execute(stmt)}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        now = utcnow()
        for record in records:
            old = stored.get(record.ref)
            if old is None:
                values = {**DEFAULTS["vendors"], **record.values, "vendor_ref": record.ref}
                values["search_text"] = vendor_search_text(SimpleNamespace(kelurahan=None, **values), self.region)
                inserts.append(values)
                self.report.vendors_created += 1
                continue
            changed = {k: v for k, v in record.values.items() if getattr(old, k) != v}
            if not changed:
                self.vendors[record.ref] = _VendorIndex(
                    old.id, old.tkdn_certified, vendor_search_text(old, self.region)
                )
                self.report.vendors_unchanged += 1
                continue
            merged = SimpleNamespace(**{**old._asdict(), **changed})
            text = vendor_search_text(merged, self.region)
            self.vendors[record.ref] = _VendorIndex(old.id, merged.tkdn_certified, text)
            if text != old.search_text or merged.tkdn_certified != old.tkdn_certified:
                self.reindex_vendor_ids.add(old.id)
            self.report.vendors_updated += 1
            self.report.changes += _changes(file, record, old, merged, "vendors")
            updates.append({"id": old.id, **changed, "search_text": text, "updated_at": now})
        if inserts:
            stmt = (
                insert(Vendor)
                .returning(Vendor.id, Vendor.vendor_ref, Vendor.tkdn_certified, Vendor.search_text)
                .execution_options(render_nulls=True)  # rows with NULLs in other places still share one statement
            )
            for row in await self.session.execute(stmt, inserts):
                self.vendors[row.vendor_ref] = _VendorIndex(row.id, row.tkdn_certified, row.search_text)
        if updates:
            await self.session.execute(update(Vendor), updates)

    async def _load_vendors(self, refs: set[str]) -> None:
        """Index details of vendors that products name but the vendors file did not."""
        missing = sorted(refs - self.vendors.keys())
        if missing:
            for row in await self.session.execute(select(*_VENDOR_READ).where(Vendor.vendor_ref.in_(missing))):
                self.vendors[row.vendor_ref] = _VendorIndex(
                    row.id, row.tkdn_certified, vendor_search_text(row, self.region)
                )

    def _text(self, product: Any, vendor: _VendorIndex) -> str:
        return product_search_text(product, SimpleNamespace(tkdn_certified=vendor.tkdn_certified), vendor.text)

    async def write_products(self, file: str, records: list[RowRecord]) -> None:
        if not records:
            return
        await self._load_vendors({r.vendor_ref for r in records})
        stmt = (
            select(*_PRODUCT_READ)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(Product.product_ref.in_([r.ref for r in records]))
        )
        stored = {row.product_ref: row for row in await self.session.execute(stmt)}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        now = utcnow()
        for record in records:
            vendor = self.vendors[record.vendor_ref]
            old = stored.get(record.ref)
            if old is None:
                values = {**DEFAULTS["products"], **record.values, "product_ref": record.ref, "vendor_id": vendor.id}
                values["search_text"] = self._text(SimpleNamespace(**values), vendor)
                inserts.append(values)
                self.report.products_created += 1
                continue
            values = {**record.values, "vendor_id": vendor.id}
            changed = {k: v for k, v in values.items() if getattr(old, k) != v}
            if not changed:
                self.report.products_unchanged += 1  # its vendor's changes, if any, are re-indexed at the end
                continue
            merged = SimpleNamespace(**{**old._asdict(), **changed})
            self.report.products_updated += 1
            self.report.changes += _changes(file, record, old, merged, "products")
            updates.append({"id": old.id, **changed, "search_text": self._text(merged, vendor), "updated_at": now})
        if inserts:
            await self.session.execute(insert(Product).execution_options(render_nulls=True), inserts)
        if updates:
            await self.session.execute(update(Product), updates)

    async def reindex_changed_vendors(self) -> None:
        """Re-index every product of a vendor whose index text or TKDN flag changed (keeps `updated_at`)."""
        by_id = {v.id: v for v in self.vendors.values() if v.id in self.reindex_vendor_ids}
        table = Product.__table__
        stmt = (
            update(table)
            .where(table.c.id == bindparam("pid"))
            .values(search_text=bindparam("text"), updated_at=table.c.updated_at)
        )
        ids = sorted(by_id)
        columns = (Product.id, Product.vendor_id, *(getattr(Product, c) for c in _PRODUCT_FIELDS), Product.search_text)
        for i in range(0, len(ids), BATCH_ROWS):
            last_id = 0
            while True:
                query = (
                    select(*columns)
                    .where(Product.vendor_id.in_(ids[i : i + BATCH_ROWS]), Product.id > last_id)
                    .order_by(Product.id)
                    .limit(BATCH_ROWS)
                )
                rows = (await self.session.execute(query)).all()
                if not rows:
                    break
                last_id = rows[-1].id
                params = [
                    {"pid": row.id, "text": text}
                    for row in rows
                    if (text := self._text(row, by_id[row.vendor_id])) != row.search_text
                ]
                if params:
                    await self.session.execute(stmt, params)


def _checked_refs(source: TableSource) -> list[str]:
    """The vendor refs whose `checked` cell says ya (an admin's file)."""
    refs = []
    for _number, cells in source.rows():
        if words.yes_no(cells.get(CHECKED_COLUMN, "")) is True:
            refs.append(" ".join(cells.get("vendor_ref", "").split()))
    return refs


async def _open(path: Path, kind: Kind, issues: Issues) -> TableSource | None:
    try:
        source = await asyncio.to_thread(open_table, path, kind)
    except FileProblem as problem:
        issues.add(_file_issue(path.name, problem))
        return None
    problems = missing_columns(path.name, kind, source.columns)
    for issue in problems:
        issues.add(issue)
    return None if problems else source


async def import_catalog(
    session_factory: async_sessionmaker[AsyncSession],
    vendors_path: Path,
    products_path: Path,
    *,
    dry_run: bool = False,
    region: Region | None = None,
    admin: bool = False,
) -> ImportReport:
    """Validate both files completely and upsert them in one transaction (nothing at all on any error).

    With `dry_run` the report says what the import would do, and the transaction is rolled back.
    `region` is the region whose kecamatan the `kecamatan` column names (default: the one the sessions carry,
    bound from REGION_FILE at start-up).
    With `admin` (the file comes from a Dinas admin: `banggabeli import --admin`), a vendors row whose optional
    `checked` column says ya marks every claim that vendor states as checked by the Dinas; without it the
    column is ignored, so a vendor's own file can never check its claims.
    """
    report = ImportReport(dry_run=dry_run)
    issues = Issues()
    vendors = await _open(vendors_path, "vendors", issues)
    products = await _open(products_path, "products", issues)
    if vendors is None or products is None:
        return _failed(report, issues)
    async with session_factory() as session:
        region = region or region_of(session)
        writer = _Writer(session, report, region)
        await defer_vocabulary(session)  # recounted once at the end: row by row is quadratic on PostgreSQL
        check = RowValidator("vendors", vendors.name, vendors.columns, issues, region=region)
        file_refs: set[str] = set()
        unread: set[str] = set()
        async for records in _records(vendors, check, issues, unread, file_refs):
            if not issues:
                await writer.write_vendors(vendors.name, records)
        # Products may name any vendor of the file or the database; which ones is unknown if the file broke off.
        known = None if unread else file_refs | set(await session.scalars(select(Vendor.vendor_ref)))
        check = RowValidator("products", products.name, products.columns, issues, region=region, vendor_refs=known)
        async for records in _records(products, check, issues, unread):
            if not issues:
                await writer.write_products(products.name, records)
        if issues or dry_run:
            await session.rollback()
            return _failed(report, issues) if issues else report
        if admin and CHECKED_COLUMN in vendors.columns:
            refs = await asyncio.to_thread(_checked_refs, vendors)
            for vendor in await session.scalars(select(Vendor).where(Vendor.vendor_ref.in_(refs))):
                await claims.import_checks(session, vendor)
            logger.info("claims checked by the admin's file: %d vendors", len(refs))
        await writer.reindex_changed_vendors()
        await resync_vocabulary(session)
        await session.commit()
        invalidate_vocabulary(session)
    logger.info(
        "catalog imported: vendors %d/%d/%d, products %d/%d/%d (created/updated/unchanged)",
        report.vendors_created,
        report.vendors_updated,
        report.vendors_unchanged,
        report.products_created,
        report.products_updated,
        report.products_unchanged,
    )
    return report


def _failed(report: ImportReport, issues: Issues) -> ImportReport:
    return ImportReport(errors=issues.items, errors_total=issues.count, dry_run=report.dry_run)


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
