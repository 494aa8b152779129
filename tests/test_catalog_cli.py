"""The catalog commands (`banggabeli search|import|export`): `--demo`, `--database-url`, `--dry-run`, exit codes
and a report worded from the catalogs, for good files and for files the import refuses; and the import's
region parameter."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from bot.db import create_engine, session_factory
from bot.services.catalog_io import import_catalog
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from bot.services.categories import CATEGORY_PHRASES, CATEGORY_WORDS, category_slug
from bot.services.region import load_region
from bot.services.search.text import raw_words
from models import Vendor

Sessions = async_sessionmaker[AsyncSession]


def write_csv(path: Path, header: tuple[str, ...] | list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """A runner in an empty folder (the demo database file lands there), with no DATABASE_URL set."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    return CliRunner()


def test_catalog_commands_take_demo(cli: CliRunner, tmp_path: Path) -> None:
    found = cli.invoke(app, ["search", "--demo", "keripik pisang", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output.splitlines()[-1])["results"][0]["vendor_ref"] == "V001"
    assert (tmp_path / "banggabeli-demo.db").exists()
    exported = cli.invoke(app, ["export", "--demo", "--output", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    with (tmp_path / "out" / "vendors.csv").open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == 1 + 37
    vendors = write_csv(tmp_path / "v.csv", ["vendor_ref", "business_name"], [["X1", "Toko Baru Demo"]])
    products = write_csv(tmp_path / "p.csv", PRODUCT_COLUMNS[:3], [["X1P", "V001", "Keripik Baru"]])
    imported = cli.invoke(app, ["import", "--demo", "--vendors", str(vendors), "--products", str(products)])
    assert imported.exit_code == 0, imported.output
    assert "Usaha: 1 baru, 0 diubah, 0 tetap." in imported.output
    assert "Produk: 1 baru, 0 diubah, 0 tetap." in imported.output


def test_database_url_and_dry_run(cli: CliRunner, tmp_path: Path, data_dir: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"
    demo_files = [
        "--vendors",
        str(data_dir / "demo" / "vendors.csv"),
        "--products",
        str(data_dir / "demo" / "products.csv"),
    ]
    first = cli.invoke(app, ["import", "--database-url", url, *demo_files])
    assert first.exit_code == 0, first.output
    vendors = write_csv(tmp_path / "v.csv", ["vendor_ref", "business_name", "address"],
                        [["V003", "Lemper Bu Darmi", "Jl. Baru No. 1"]])  # fmt: skip
    products = write_csv(tmp_path / "p.csv", PRODUCT_COLUMNS[:3], [])
    args = ["import", "--database-url", url, "--vendors", str(vendors), "--products", str(products)]
    dry = cli.invoke(app, [*args, "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was written" in dry.output
    assert "Vendors: 0 created, 1 updated, 0 unchanged." in dry.output
    assert 'v.csv row 2 (V003), address: "' in dry.output and '-> "Jl. Baru No. 1"' in dry.output
    again = cli.invoke(app, [*args, "--dry-run", "--lang", "en"])
    assert "1 updated" in again.output  # the dry run wrote nothing
    done = cli.invoke(app, args)
    assert done.exit_code == 0 and "Perubahan:" in done.output and "v.csv baris 2 (V003), address" in done.output
    assert "0 diubah, 1 tetap" in cli.invoke(app, args).output
    found = cli.invoke(app, ["search", "lemper", "--json", "--database-url", url])  # the same database
    assert found.exit_code == 0 and json.loads(found.output.splitlines()[-1])["results"], found.output
    exported = cli.invoke(app, ["export", "--database-url", url, "--output", str(tmp_path / "own")])
    assert exported.exit_code == 0 and (tmp_path / "own" / "vendors.csv").exists(), exported.output
    assert not (tmp_path / "banggabeli.db").exists()  # DATABASE_URL's default was never used


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    quote = tmp_path / "quote.csv"
    quote.write_text('vendor_ref,business_name\nV1,"Toko Uji,Sari,0812-0000-0101\n', encoding="utf-8")
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 broken")
    return {
        "quote": quote,
        "huge": write_csv(
            tmp_path / "huge.csv", ["vendor_ref", "business_name", "x"], [["V1", "Toko", "y" * 1_200_000]]
        ),
        "corrupt": corrupt,
        "utf16": write_csv(tmp_path / "utf16.csv", list(VENDOR_COLUMNS[:2]), [["V1", "Toko"]], encoding="utf-16"),
        "bad_row": write_csv(tmp_path / "bad.csv", list(VENDOR_COLUMNS[:4]), [["V1", "Toko", "", "12345"]]),
    }


def test_refused_files_exit_non_zero_with_a_clear_report(cli: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bad.db'}"
    products = write_csv(tmp_path / "products.csv", PRODUCT_COLUMNS[:3], [["P1", "V1", "Kopi"]])
    expected = {
        "quote": "quote.csv baris 2: Tanda kutip",
        "huge": "huge.csv baris 2: Ada sel di baris ini yang isinya lebih dari",
        "corrupt": "corrupt.xlsx: Buku kerja ini tidak bisa dibaca",
        "utf16": "utf16.csv: Berkas ini disimpan sebagai UTF-16",
        "bad_row": "bad.csv baris 2, kolom phone:",
    }
    for name, vendors in _bad_files(tmp_path).items():
        result = cli.invoke(
            app, ["import", "--database-url", url, "--vendors", str(vendors), "--products", str(products)]
        )
        assert result.exit_code == 1, (name, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert "Impor ditolak, tidak ada yang disimpan." in result.output, name
        assert expected[name] in result.output, (name, result.output)
        assert "products.csv" not in result.output, name  # no spurious "unknown vendor" for the unread file
        assert "Traceback" not in result.output
    listed = cli.invoke(app, ["search", "--database-url", url, "kopi", "--json"])
    assert json.loads(listed.output.splitlines()[-1])["results"] == []  # nothing was written


# ---------------------------------------------------------------------------------------- region and categories


async def test_import_reads_kecamatan_of_the_region_it_is_given(sessions: Sessions, tmp_path: Path) -> None:
    region_file = tmp_path / "region.json"
    region_file.write_text(
        json.dumps({"name": "Kota Contoh", "kecamatan": [{"name": "Sukamaju", "kelurahan": ["Sukarame"]}]}),
        encoding="utf-8",
    )
    region = load_region(region_file)
    vendors = write_csv(
        tmp_path / "v.csv", ["vendor_ref", "business_name", "kecamatan"], [["A1", "Toko Satu", "sukamaju"]]
    )
    products = write_csv(tmp_path / "p.csv", PRODUCT_COLUMNS[:3], [])
    metro = await import_catalog(sessions, vendors, products)
    assert [(e.column, e.code) for e in metro.errors] == [("kecamatan", "parse.kecamatan.invalid")]
    report = await import_catalog(sessions, vendors, products, region=region)
    assert report.ok, report.errors
    async with sessions() as s:
        assert await s.scalar(select(Vendor.kecamatan)) == "Sukamaju"


def test_category_words_fold_like_search() -> None:
    for slug, phrases in CATEGORY_PHRASES.items():
        for phrase in phrases:
            assert CATEGORY_WORDS[tuple(raw_words(phrase))] == slug
    assert category_slug("Pakaian, Batik & Konveksi") == "konveksi"
    assert category_slug("Kerajinan & Suvenír") == "kerajinan"


def test_admin_flag_honours_the_checked_column(cli: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"
    vendors = write_csv(tmp_path / "v.csv", ["vendor_ref", "business_name", "nib", "checked"],
                        [["V1", "Toko Uji", "1234567890123", "ya"]])  # fmt: skip
    products = write_csv(tmp_path / "p.csv", PRODUCT_COLUMNS[:3], [])
    args = ["import", "--database-url", url, "--vendors", str(vendors), "--products", str(products)]

    async def verified() -> bool:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return bool(await session.scalar(select(Vendor.verified).where(Vendor.vendor_ref == "V1")))
        finally:
            await engine.dispose()

    assert cli.invoke(app, args).exit_code == 0
    assert not asyncio.run(verified())  # a file without --admin checks nothing
    assert cli.invoke(app, [*args, "--admin"]).exit_code == 0
    assert asyncio.run(verified())
