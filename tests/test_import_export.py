"""Catalog import/export: the demo files, all-or-nothing validation with row/column errors, idempotent
re-import, export -> import round trips (CSV and XLSX), and what real spreadsheets contain."""

from __future__ import annotations

import csv
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cli_catalog import issue_text
from bot.core.i18n import Translator
from bot.services.catalog_io import export_catalog, import_catalog, load_demo_catalog
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from bot.services.search import search
from models import Product, Vendor
from tests.conftest import clear_tables
from tests.support import write_csv

REPO = Path(__file__).resolve().parents[1]
Sessions = async_sessionmaker[AsyncSession]


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


async def snapshot(sessions: Sessions) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every import column of every vendor and product, comparable across databases."""
    async with sessions() as s:
        vendors = [
            tuple(getattr(v, c) for c in VENDOR_COLUMNS)
            for v in await s.scalars(select(Vendor).order_by(Vendor.vendor_ref))
        ]
        rows = await s.execute(select(Product, Vendor.vendor_ref).join(Vendor).order_by(Product.product_ref))
        products = [
            (p.product_ref, ref, p.name, p.category, p.description, p.price, p.price_negotiable, p.unit, p.tkdn_percent)
            for p, ref in rows.all()
        ]
    return vendors, products


async def count(sessions: Sessions, model: type[Vendor] | type[Product]) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_demo_catalog(sessions: Sessions, data_dir: Path) -> None:
    report = await import_catalog(sessions, data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv")
    assert report.ok, report.errors
    assert 30 <= report.vendors_created <= 40 and 120 <= report.products_created <= 180
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Product).where(Product.search_text == "")) == 0
        kecamatan = set(await s.scalars(select(Vendor.kecamatan)))
        categories = set(await s.scalars(select(Product.category)))
        multi_line = await s.scalar(select(Vendor).where(Vendor.vendor_ref == "V011"))
        assert multi_line is not None and "\n" in (multi_line.description or "")
        assert all(v.phone and v.phone.startswith("+62") for v in await s.scalars(select(Vendor)))
        hits = await search(s, "keripik pisang", log=False)
    assert len(kecamatan) == 5 and len(categories) == 9
    assert hits.results and hits.results[0].vendor_ref == "V001"
    assert await load_demo_catalog(sessions) == 0  # already there


async def test_reimport_changes_nothing(sessions: Sessions, data_dir: Path) -> None:
    vendors, products = data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv"
    first = await import_catalog(sessions, vendors, products)
    async with sessions() as s:
        stamps = dict((await s.execute(select(Product.product_ref, Product.updated_at))).all())
    again = await import_catalog(sessions, vendors, products)
    assert (again.vendors_created, again.vendors_updated, again.vendors_unchanged) == (0, 0, first.vendors_created)
    assert (again.products_created, again.products_updated, again.products_unchanged) == (0, 0, first.products_created)
    async with sessions() as s:
        assert dict((await s.execute(select(Product.product_ref, Product.updated_at))).all()) == stamps


async def test_changed_rows_update_and_reindex(sessions: Sessions, data_dir: Path, tmp_path: Path) -> None:
    vendors, products = data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv"
    await import_catalog(sessions, vendors, products)
    v_rows, p_rows = read_rows(vendors), read_rows(products)
    v_rows[3][VENDOR_COLUMNS.index("address")] = "Jl. Baru No. 1, Tejosari"  # V003 moves within Metro Timur
    p_rows[1][PRODUCT_COLUMNS.index("price")] = "Rp27.500"
    report = await import_catalog(
        sessions,
        write_csv(tmp_path / "v.csv", v_rows[0], v_rows[1:]),
        write_csv(tmp_path / "p.csv", p_rows[0], p_rows[1:]),
    )
    assert (report.vendors_updated, report.products_updated) == (1, 1)
    async with sessions() as s:
        price = await s.scalar(select(Product.price).where(Product.product_ref == p_rows[1][0]))
        moved = await search(s, "lemper di tejosari", log=False)
    assert price == Decimal(27500)
    assert moved.results[0].product_ref == "P009"
    assert {h.vendor_ref for h in moved.results} == {"V003"}


async def test_one_bad_row_is_reported_and_nothing_written(sessions: Sessions, data_dir: Path, tmp_path: Path) -> None:
    p_rows = read_rows(data_dir / "demo" / "products.csv")
    p_rows[7][PRODUCT_COLUMNS.index("price")] = "lima belas ribu"
    bad = write_csv(tmp_path / "products.csv", p_rows[0], p_rows[1:])
    report = await import_catalog(sessions, data_dir / "demo" / "vendors.csv", bad)
    assert not report.ok
    assert [(e.file, e.row, e.column, e.code) for e in report.errors] == [
        ("products.csv", 8, "price", "parse.price.words")
    ]
    assert "harga" in issue_text(Translator("id"), report.errors[0]).lower()
    assert "price" in issue_text(Translator("en"), report.errors[0]).lower()
    assert await count(sessions, Vendor) == 0 and await count(sessions, Product) == 0


async def test_every_problem_is_reported_with_row_and_column(sessions: Sessions, tmp_path: Path) -> None:
    vendors = write_csv(
        tmp_path / "vendors.csv",
        VENDOR_COLUMNS,
        [
            ["A1", "Toko A", "", "12345", "Metro Utara", "", "", "Ya", "", "", ""],
            ["A2", "", "", "", "Bandar Lampung", "", "123", "mungkin", "", "", ""],
            ["A1", "Toko A lagi", "", "", "", "", "", "", "", "", ""],
        ],
    )
    products = write_csv(
        tmp_path / "products.csv",
        PRODUCT_COLUMNS,
        [
            ["B1", "ZZZ", "Kopi", "makanan-minuman", "", "15000", "", ""],
            ["B2", "A1", "Kopi", "otomotif", "", "-5", "", "120"],
            ["", "A1", "Teh", "", "", "", "", ""],
        ],
    )
    report = await import_catalog(sessions, vendors, products)
    found = {(e.file, e.row, e.column, e.code) for e in report.errors}
    assert found == {
        ("vendors.csv", 2, "phone", "parse.phone.invalid"),
        ("vendors.csv", 3, "business_name", "import.required"),
        ("vendors.csv", 3, "kecamatan", "parse.kecamatan.invalid"),
        ("vendors.csv", 3, "nib", "parse.nib.invalid"),
        ("vendors.csv", 3, "ekatalog", "parse.yes_no.invalid"),
        ("vendors.csv", 4, "vendor_ref", "import.ref.duplicate"),
        ("products.csv", 2, "vendor_ref", "import.vendor.unknown"),
        ("products.csv", 3, "category", "import.category.invalid"),
        ("products.csv", 3, "price", "parse.price.negative"),
        ("products.csv", 3, "tkdn_percent", "parse.tkdn.range"),
        ("products.csv", 4, "product_ref", "import.required"),
    }
    for locale in ("id", "en"):
        assert all("{" not in issue_text(Translator(locale), e) for e in report.errors)
    assert await count(sessions, Vendor) == 0


async def test_missing_column_is_a_header_error(sessions: Sessions, tmp_path: Path) -> None:
    vendors = write_csv(tmp_path / "v.csv", ["vendor_ref", "nama"], [["A1", "Toko"]])
    products = write_csv(tmp_path / "p.csv", PRODUCT_COLUMNS, [])
    report = await import_catalog(sessions, vendors, products)
    assert [(e.row, e.column, e.code) for e in report.errors] == [(1, "business_name", "import.column.missing")]


async def test_messy_spreadsheet_csv(sessions: Sessions, tmp_path: Path) -> None:
    vendors = tmp_path / "vendors.csv"
    header = ["Vendor Ref", " Business_Name ", "owner_name", "PHONE", "kecamatan", "address", "nib", "ekatalog",
              "tkdn_certified", "halal", "description", "Catatan"]  # fmt: skip
    write_csv(
        vendors,
        header,
        [
            ["  A1 ", " Toko  Sinar ", "", "0812-0000-0199", "metro utara", "Jl. Satu,  Banjarsari", "", "YA", "ya",
             "Ya", "Baris satu\nbaris dua", "abaikan"],
            ["A2", "Dapur Ibu", "Ibu", "+62 812 0000 0198", "Metro-Timur", "", "1234567890123", "tidak", "", "",
             "", ""],
            ["", "", "", "", "", "", "", "", "", "", "", ""],
        ],
        delimiter=";",
        encoding="utf-8-sig",
        lineterminator="\r\n",
    )  # fmt: skip
    products = write_csv(
        tmp_path / "products.csv",
        PRODUCT_COLUMNS,
        [
            ["B1", "A1", "Keripik  Pisang", "Makanan & Minuman", "", "15000", "Bungkus", ""],
            ["B2", "A1", "Kopi Bubuk", "makanan-minuman", "Kopi\n\nrobusta", "15.000", "pcs", "45%"],
            ["B3", "A2", "Nasi Kotak", "MAKANAN-MINUMAN", " ", "Rp15.000", "box", "40,5"],
            ["B4", "A2", "Tumpeng", "makanan-minuman", "", "nego", "", ""],
        ],
    )
    report = await import_catalog(sessions, vendors, products)
    assert report.ok, [(e.row, e.column, e.code) for e in report.errors]
    async with sessions() as s:
        a1 = await s.scalar(select(Vendor).where(Vendor.vendor_ref == "A1"))
        assert a1 is not None
        assert (a1.business_name, a1.phone, a1.kecamatan, a1.nib) == (
            "Toko Sinar",
            "+6281200000199",
            "Metro Utara",
            None,
        )
        assert (a1.ekatalog, a1.tkdn_certified, a1.halal, a1.description) == (True, True, True, "Baris satu\nbaris dua")
        got = {p.product_ref: p for p in await s.scalars(select(Product))}
    assert {ref: got[ref].price for ref in got} == {
        "B1": Decimal(15000), "B2": Decimal(15000), "B3": Decimal(15000), "B4": None
    }  # fmt: skip
    assert got["B4"].price_negotiable and got["B3"].unit == "kotak" and got["B1"].category == "makanan-minuman"
    assert got["B2"].tkdn_percent == Decimal("45") and got["B3"].tkdn_percent == Decimal("40.5")
    assert got["B1"].description is None and got["B1"].name == "Keripik Pisang"


async def test_windows_1252_csv(sessions: Sessions, tmp_path: Path) -> None:
    vendors = write_csv(tmp_path / "v.csv", VENDOR_COLUMNS[:2], [["A1", "Café Kopi"]], encoding="cp1252")
    products = write_csv(tmp_path / "p.csv", PRODUCT_COLUMNS[:3], [["B1", "A1", "Kopi Crème"]], encoding="cp1252")
    report = await import_catalog(sessions, vendors, products)
    assert report.ok
    async with sessions() as s:
        assert await s.scalar(select(Vendor.business_name)) == "Café Kopi"


async def test_messy_xlsx_with_typed_numbers(sessions: Sessions, tmp_path: Path) -> None:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "Vendors"
    ws.append(list(VENDOR_COLUMNS))
    ws.append(["A1", "Toko Sinar", None, 81200000197, "Metro Pusat", None, 1234567890123, True, "Ya", "ya", None])
    products = workbook.create_sheet("products")
    products.append(list(PRODUCT_COLUMNS))
    products.append(["B1", "A1", "Kertas HVS", "atk", None, 52000, "rim", 40.5])
    products.append(["B2", "A1", "Map", "atk", None, 2500.0, "pcs", None])
    path = tmp_path / "catalog.xlsx"
    workbook.save(path)
    report = await import_catalog(sessions, path, path)
    assert report.ok, [(e.row, e.column, e.code) for e in report.errors]
    async with sessions() as s:
        vendor = await s.scalar(select(Vendor))
        assert vendor is not None and (vendor.phone, vendor.nib, vendor.ekatalog) == (
            "+6281200000197",
            "1234567890123",
            True,
        )
        prices = dict((await s.execute(select(Product.product_ref, Product.price))).all())
    assert prices == {"B1": Decimal(52000), "B2": Decimal(2500)}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_export_then_import_gives_the_same_catalog(
    sessions: Sessions, engine: AsyncEngine, data_dir: Path, tmp_path: Path, fmt: str
) -> None:
    await import_catalog(sessions, data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv")
    async with sessions() as s:
        negotiable = await s.scalar(select(Product).where(Product.product_ref == "P016"))
        assert negotiable is not None
        negotiable.price_negotiable = True
        await s.commit()
    before = await snapshot(sessions)
    async with sessions() as s:
        files = await export_catalog(s, fmt, tmp_path)  # type: ignore[arg-type]
    if fmt == "csv":
        assert [read_rows(f)[0] for f in files] == [list(VENDOR_COLUMNS), list(PRODUCT_COLUMNS)]
    await clear_tables(engine)
    report = await import_catalog(sessions, files[0], files[-1])
    assert report.ok, report.errors
    assert await snapshot(sessions) == before


async def test_export_leaves_hidden_products_out(sessions: Sessions, data_dir: Path, tmp_path: Path) -> None:
    await import_catalog(sessions, data_dir / "demo" / "vendors.csv", data_dir / "demo" / "products.csv")
    async with sessions() as s:
        hidden = await s.scalar(select(Product).where(Product.product_ref == "P001"))
        assert hidden is not None
        hidden.visible = False
        await s.commit()
        files = await export_catalog(s, "csv", tmp_path)
    assert "P001" not in {row[0] for row in read_rows(files[1])}


def test_import_cli_exit_codes(database_url: str, data_dir: Path, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    bad = write_csv(tmp_path / "products.csv", PRODUCT_COLUMNS, [["B1", "NOPE", "Kopi", "", "", "", "", ""]])
    run = [sys.executable, "-m", "bot.cli", "import", "--vendors", str(data_dir / "demo" / "vendors.csv")]
    failed = subprocess.run(
        [*run, "--products", str(bad)], capture_output=True, text=True, cwd=REPO, env=env, check=False
    )
    assert failed.returncode == 1
    assert "products.csv baris 2, kolom vendor_ref: Tidak ada usaha dengan kode NOPE" in failed.stderr
    assert "[import.vendor.unknown]" in failed.stderr
    english = subprocess.run(
        [*run, "--products", str(bad), "--lang", "en"], capture_output=True, text=True, cwd=REPO, env=env, check=False
    )
    assert english.returncode == 1
    assert "products.csv row 2, column vendor_ref: No vendor has the reference NOPE" in english.stderr
