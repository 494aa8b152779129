"""Catalog files from the outside world (issue 9, items 2-4): a re-import never erases what its file does not
say, exports cannot carry live formulas, and every file the import cannot read safely ends in a clear
report with nothing written — never a traceback, never a silently different catalog."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cli_catalog import format_report
from bot.core.i18n import Translator
from bot.services import catalog_io
from bot.services.catalog_io import FieldChange, export_catalog, import_catalog
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from models import Product, Vendor
from tests.conftest import clear_tables

Sessions = async_sessionmaker[AsyncSession]
V003 = ["V003", "Lemper Bu Darmi", "", "", "", "", "", "", "", "", ""]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def vendor(sessions: Sessions, ref: str) -> Vendor:
    async with sessions() as s:
        found = await s.scalar(select(Vendor).where(Vendor.vendor_ref == ref))
    assert found is not None
    return found


async def product(sessions: Sessions, ref: str) -> Product:
    async with sessions() as s:
        found = await s.scalar(select(Product).where(Product.product_ref == ref))
    assert found is not None
    return found


async def counts(sessions: Sessions) -> tuple[int, int]:
    async with sessions() as s:
        vendors = await s.scalar(select(func.count()).select_from(Vendor))
        products = await s.scalar(select(func.count()).select_from(Product))
    return int(vendors or 0), int(products or 0)


def vendor_fields(v: Vendor) -> tuple[Any, ...]:
    return tuple(getattr(v, c) for c in VENDOR_COLUMNS)


@pytest.fixture
async def demo(sessions: Sessions, data_dir: Path) -> Sessions:
    report = await import_catalog(sessions, data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv")
    assert report.ok, report.errors
    return sessions


# ------------------------------------------------------------------------------------ item 2: partial files


async def test_a_file_with_fewer_columns_leaves_the_others_alone(demo: Sessions, tmp_path: Path) -> None:
    before = await vendor(demo, "V003")
    assert before.owner_name and before.phone and before.description  # there is something to lose
    p009 = await product(demo, "P009")
    vendors = write_csv(tmp_path / "v.csv", ["vendor_ref", "business_name"], [["V003", before.business_name]])
    products = write_csv(tmp_path / "p.csv", ["product_ref", "vendor_ref", "name"], [["P009", "V003", p009.name]])
    report = await import_catalog(demo, vendors, products)
    assert report.ok, report.errors
    assert (report.vendors_updated, report.vendors_unchanged) == (0, 1)
    assert (report.products_updated, report.products_unchanged) == (0, 1)
    assert report.changes == []
    assert vendor_fields(await vendor(demo, "V003")) == vendor_fields(before)
    after = await product(demo, "P009")
    assert (after.price, after.description, after.unit, after.category) == (
        p009.price,
        p009.description,
        p009.unit,
        p009.category,
    )


async def test_empty_cells_keep_values_except_where_a_clear_is_documented(demo: Sessions, tmp_path: Path) -> None:
    before = await vendor(demo, "V003")
    p009 = await product(demo, "P009")
    assert p009.price is not None and p009.description
    async with demo() as s:  # give P009 a TKDN claim to take off
        stored = await s.scalar(select(Product).where(Product.product_ref == "P009"))
        assert stored is not None
        stored.tkdn_percent = Decimal(40)
        await s.commit()
    vendors = write_csv(tmp_path / "v.csv", VENDOR_COLUMNS, [["V003", before.business_name, "-", "", "n/a", "—",
                                                               "–", "", "", "", "-"]])  # fmt: skip
    products = write_csv(tmp_path / "p.csv", PRODUCT_COLUMNS, [["P009", "V003", p009.name, "", "-", "", "n/a", "-"]])
    report = await import_catalog(demo, vendors, products)
    assert report.ok, report.errors
    assert vendor_fields(await vendor(demo, "V003")) == vendor_fields(before)
    after = await product(demo, "P009")
    assert (after.description, after.unit, after.category) == (p009.description, p009.unit, p009.category)
    assert (after.price, after.price_negotiable, after.tkdn_percent) == (None, False, None)  # the documented clears
    assert {(c.ref, c.column) for c in report.changes} == {("P009", "price"), ("P009", "tkdn_percent")}


async def test_the_report_lists_every_changed_field_and_a_dry_run_writes_nothing(
    demo: Sessions, tmp_path: Path
) -> None:
    before = await vendor(demo, "V003")
    vendors = write_csv(
        tmp_path / "v.csv",
        ["vendor_ref", "business_name", "address", "phone", "halal"],
        [
            [
                "V003",
                before.business_name,
                "Jl. Baru No. 1, Tejosari",
                "0812-9999-0000",
                "ya" if not before.halal else "no",
            ]
        ],
    )
    products = write_csv(tmp_path / "p.csv", ["product_ref", "vendor_ref", "name", "price"],
                         [["P009", "V003", "Lemper Ayam Jumbo", "Rp27.500"]])  # fmt: skip
    p009 = await product(demo, "P009")
    dry = await import_catalog(demo, vendors, products, dry_run=True)
    assert dry.ok and dry.dry_run and (dry.vendors_updated, dry.products_updated) == (1, 1)
    expected = [
        FieldChange("v.csv", 2, "V003", "phone", "0812-0000-0103", "0812-9999-0000"),
        FieldChange("v.csv", 2, "V003", "address", before.address, "Jl. Baru No. 1, Tejosari"),
        FieldChange("v.csv", 2, "V003", "halal", "Ya" if before.halal else "Tidak", "Tidak" if before.halal else "Ya"),
        FieldChange("p.csv", 2, "P009", "name", p009.name, "Lemper Ayam Jumbo"),
        FieldChange("p.csv", 2, "P009", "price", int(p009.price or 0), 27500),
    ]
    assert dry.changes == expected
    assert vendor_fields(await vendor(demo, "V003")) == vendor_fields(before)  # nothing written
    assert (await product(demo, "P009")).price == p009.price
    text = format_report(dry, Translator("en"))
    assert "Dry run: nothing was written" in text
    assert 'v.csv row 2 (V003), address: "' in text and '-> "Jl. Baru No. 1, Tejosari"' in text
    report = await import_catalog(demo, vendors, products)
    assert report.changes == expected
    assert (await vendor(demo, "V003")).address == "Jl. Baru No. 1, Tejosari"
    assert (await product(demo, "P009")).price == Decimal(27500)


async def test_a_bad_row_in_a_later_batch_rolls_back_the_earlier_ones(
    sessions: Sessions, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_io, "BATCH_ROWS", 7)  # the demo files span many batches
    with (data_dir / "demo" / "products.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[-1][PRODUCT_COLUMNS.index("price")] = "gratis"
    bad = write_csv(tmp_path / "products.csv", rows[0], rows[1:])
    report = await import_catalog(sessions, data_dir / "demo" / "vendors.csv", bad)
    assert [(e.row, e.column) for e in report.errors] == [(len(rows), "price")]
    assert await counts(sessions) == (0, 0)
    good = await import_catalog(sessions, data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv")
    assert good.ok and await counts(sessions) == (good.vendors_created, good.products_created)


# ------------------------------------------------------------------------------ item 3: formula injection

EVIL = ['=HYPERLINK("http://evil.example","Klik")', "@SUM(1)", "+62 cmd|' /C calc'!A0", "-2+3 Toko"]


async def _evil_catalog(sessions: Sessions, tmp_path: Path) -> None:
    vendors = write_csv(tmp_path / "in_v.csv", (*VENDOR_COLUMNS[:2], "description"),
                        [[f"E{i}", name, EVIL[-1 - i]] for i, name in enumerate(EVIL)])  # fmt: skip
    products = write_csv(tmp_path / "in_p.csv", (*PRODUCT_COLUMNS[:3], "description"),
                         [[f"Q{i}", f"E{i}", name, "\tHalo"] for i, name in enumerate(EVIL)])  # fmt: skip
    # The import writes what it reads; a formula-looking name is just a name inside the bot.
    report = await import_catalog(sessions, vendors, products)
    assert report.ok, report.errors


async def test_csv_export_neutralises_formulas_and_imports_back_to_the_same_text(
    sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    await _evil_catalog(sessions, tmp_path)
    async with sessions() as s:
        before = sorted((v.vendor_ref, v.business_name, v.description) for v in await s.scalars(select(Vendor)))
        files = await export_catalog(s, "csv", tmp_path / "out")
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            cells = [cell for row in csv.reader(fh) for cell in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    raw = files[0].read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in raw and "'@SUM(1)" in raw
    await clear_tables(engine)
    report = await import_catalog(sessions, files[0], files[1])
    assert report.ok, report.errors
    async with sessions() as s:
        after = sorted((v.vendor_ref, v.business_name, v.description) for v in await s.scalars(select(Vendor)))
    assert after == before and before[0][1] == EVIL[0]


async def test_xlsx_export_stores_every_cell_as_a_value(
    sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    await _evil_catalog(sessions, tmp_path)
    async with sessions() as s:
        [path] = await export_catalog(s, "xlsx", tmp_path / "out")
    workbook = load_workbook(path)  # not read-only: data_type is what the file stores
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)
    names = {c.value for c in cells if c.column == 2}
    assert set(EVIL) <= names  # the text itself, without an added quote
    with zipfile.ZipFile(path) as archive:
        sheet_xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheet_xml
    await clear_tables(engine)
    report = await import_catalog(sessions, path, path)
    assert report.ok, report.errors
    async with sessions() as s:
        assert set(await s.scalars(select(Vendor.business_name))) == set(EVIL)


async def test_phone_numbers_export_as_text_a_spreadsheet_keeps(demo: Sessions, tmp_path: Path) -> None:
    async with demo() as s:
        [vendors, _] = await export_catalog(s, "csv", tmp_path)
    with vendors.open(encoding="utf-8", newline="") as fh:
        phones = [row[VENDOR_COLUMNS.index("phone")] for row in list(csv.reader(fh))[1:]]
    assert phones and all(p.startswith("08") and "-" in p for p in phones)


# ------------------------------------------------------------------------------- item 4: unreadable input


async def _refused(sessions: Sessions, vendors: Path, products: Path) -> list[tuple[str, int, str | None, str]]:
    report = await import_catalog(sessions, vendors, products)
    assert not report.ok
    assert await counts(sessions) == (0, 0)
    for locale in ("id", "en"):
        assert "{" not in format_report(report, Translator(locale))
    return [(e.file, e.row, e.column, e.code) for e in report.errors]


def _products(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "products.csv", PRODUCT_COLUMNS[:3], [["P1", "V1", "Kopi Bubuk"]])


async def test_an_unbalanced_quote_is_refused_not_swallowed(sessions: Sessions, tmp_path: Path) -> None:
    vendors = tmp_path / "vendors.csv"
    vendors.write_text('vendor_ref,business_name,owner_name,phone\nV1,"Toko Uji,Sari,0812-0000-0101\n', "utf-8")
    assert await _refused(sessions, vendors, _products(tmp_path)) == [("vendors.csv", 2, None, "import.file.quote")]
    vendors.write_text(
        'vendor_ref,business_name,owner_name\nV1,"Toko Uji,Sari\nV2,"Toko Dua",Ani\nV3,Toko Tiga,Budi\n', "utf-8"
    )
    assert await _refused(sessions, vendors, _products(tmp_path)) == [("vendors.csv", 2, None, "import.file.quote")]


async def test_a_huge_cell_is_a_row_and_column_problem(sessions: Sessions, tmp_path: Path) -> None:
    big = "kopi " * 30_000  # 150 KB, over Python's csv limit of 128 KiB
    vendors = write_csv(tmp_path / "vendors.csv", ["vendor_ref", "business_name", "description"],
                        [["V1", "Toko Kopi", big]])  # fmt: skip
    assert await _refused(sessions, vendors, _products(tmp_path)) == [
        ("vendors.csv", 2, "description", "import.too_long")
    ]
    vendors = write_csv(tmp_path / "vendors.csv", ["vendor_ref", "business_name", "catatan"],
                        [["V1", "Toko Kopi", "x"], ["V2", "Toko Teh", "y" * 1_100_000]])  # fmt: skip
    assert await _refused(sessions, vendors, _products(tmp_path)) == [("vendors.csv", 3, None, "import.cell.too_large")]


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"\x00\x01 garbage", b""])
async def test_a_corrupt_workbook_is_a_file_problem(sessions: Sessions, tmp_path: Path, content: bytes) -> None:
    workbook = tmp_path / "catalog.xlsx"
    workbook.write_bytes(content)
    problems = await _refused(sessions, workbook, _products(tmp_path))
    assert problems == [("catalog.xlsx", 0, None, "import.file.corrupt")]


async def test_xlsx_rows_past_a_stale_dimension_are_read(sessions: Sessions, tmp_path: Path) -> None:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "vendors"
    ws.append(["vendor_ref", "business_name"])
    for i in range(1, 6):
        ws.append([f"V{i}", f"Toko Nomor {i}"])
    products = workbook.create_sheet("products")
    products.append(list(PRODUCT_COLUMNS[:3]))
    products.append(["P1", "V5", "Kopi Bubuk"])
    saved = tmp_path / "saved.xlsx"
    workbook.save(saved)
    stale = tmp_path / "catalog.xlsx"  # as some exporters write it: the marker says two rows, the sheet has six
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(stale, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B6" />' in data
                data = data.replace(b'<dimension ref="A1:B6" />', b'<dimension ref="A1:B2" />')
            dst.writestr(item, data)
    report = await import_catalog(sessions, stale, stale)
    assert report.ok, report.errors
    assert report.vendors_created == 5 and report.products_created == 1


@pytest.mark.parametrize(("encoding", "code"), [("utf-16", "import.file.utf16"), ("utf-16-le", "import.file.binary")])
async def test_utf16_is_named_not_reported_as_missing_columns(
    sessions: Sessions, tmp_path: Path, encoding: str, code: str
) -> None:
    vendors = write_csv(tmp_path / "vendors.csv", VENDOR_COLUMNS[:2], [["V1", "Toko Satu"]], encoding=encoding)
    assert await _refused(sessions, vendors, _products(tmp_path)) == [("vendors.csv", 0, None, code)]


async def test_placeholder_cells_in_optional_columns_read_as_empty(sessions: Sessions, tmp_path: Path) -> None:
    vendors = write_csv(tmp_path / "vendors.csv", VENDOR_COLUMNS,
                        [["V1", "Toko Satu", "-", "–", "—", "n/a", "N/A", "-", "-", "-", "-"]])  # fmt: skip
    products = write_csv(tmp_path / "products.csv", PRODUCT_COLUMNS,
                         [["P1", "V1", "Kopi Bubuk", "—", "-", "n/a", "–", "-"]])  # fmt: skip
    report = await import_catalog(sessions, vendors, products)
    assert report.ok, [(e.column, e.code) for e in report.errors]
    created = await vendor(sessions, "V1")
    assert vendor_fields(created)[2:] == (None, None, None, None, None, False, False, False, None)
    p1 = await product(sessions, "P1")
    assert (p1.category, p1.description, p1.price, p1.unit, p1.tkdn_percent) == ("lainnya", None, None, None, None)
