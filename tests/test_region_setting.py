"""The region comes from settings everywhere (issue 8, item 5).

With `REGION_FILE` pointing at another regency (a small test file with two kecamatan of Lampung Timur),
its kecamatan and kelurahan are recognised by `banggabeli import`, by the vendor form (buttons and typed
answers) and by search filters; the bundled Kota Metro file stays the default and refuses those names.
"""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.config import BotSettings
from bot.services import catalog
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from bot.services.parsers import Price
from bot.services.search import invalidate_vocabulary, search
from models import User, Vendor
from tests.support import make_settings, onboard

REPO = Path(__file__).resolve().parents[1]
LAMPUNG_TIMUR = REPO / "tests" / "data" / "region_lampung_timur_test.json"

VENDOR_ROW = [
    "LT001",
    "Gula Aren Pak Darmo",
    "Darmo",
    "0812-7000-1111",
    "Pekalongan",
    "Desa Gantimulyo RT 02",
    "",
    "tidak",
    "tidak",
    "ya",
    "Gula aren cetak dari nira pohon aren sendiri.",
]
PRODUCT_ROWS = [
    ["LT001-1", "LT001", "Gula Aren Cetak", "makanan-minuman", "", "25000", "kg", ""],
    ["LT001-2", "LT001", "Keripik Pisang Kepok", "makanan-minuman", "", "15000", "bungkus", ""],
]
FORM_ANSWERS = [  # the vendor form, question by question (kecamatan typed in the test)
    "Keripik Singkong Mbak Tini",
    "Tini Rahayu",
    "0812-7000-2222",
    None,  # kecamatan
    "Desa Pakuan Aji No. 5",
    "lewati",  # NIB
    "ya",  # e-Katalog
    "lewati",  # link
    "tidak",  # TKDN
    "lewati",  # halal
    "lewati",  # P-IRT
    "Keripik singkong balado pedas manis.",
]


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _cli(database_url: str, *args: str, region_file: Path | None) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    if region_file is not None:
        env["REGION_FILE"] = str(region_file)
    command = [sys.executable, "-m", "bot.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, timeout=120, check=False)


@pytest.fixture
async def lampung(engine: AsyncEngine, database_url: str) -> AsyncIterator[App]:
    """The whole bot with `REGION_FILE` set to the Lampung Timur test file, on the emptied test database."""
    invalidate_vocabulary()
    application = await build_app(make_settings(database_url, region_file=LAMPUNG_TIMUR), migrate=False)
    yield application
    await application.close()


async def test_another_region_from_settings_in_import_form_and_search(
    lampung: App, database_url: str, tmp_path: Path
) -> None:
    assert lampung.region.kecamatan_names == ("Sukadana", "Pekalongan")
    vendors = _write_csv(tmp_path / "vendors.csv", VENDOR_COLUMNS, [VENDOR_ROW])
    products = _write_csv(tmp_path / "products.csv", PRODUCT_COLUMNS, PRODUCT_ROWS)
    files = ("import", "--vendors", str(vendors), "--products", str(products))

    # banggabeli import: the default Kota Metro region refuses the kecamatan, REGION_FILE accepts it.
    refused = await asyncio.to_thread(_cli, database_url, *files, region_file=None)
    assert refused.returncode == 1
    assert "[parse.kecamatan.invalid]" in refused.stderr and '"Pekalongan"' in refused.stderr
    imported = await asyncio.to_thread(_cli, database_url, *files, region_file=LAMPUNG_TIMUR)
    assert imported.returncode == 0, imported.stderr
    async with lampung.sessions() as session:
        vendor = await session.scalar(select(Vendor).where(Vendor.vendor_ref == "LT001"))
        assert vendor is not None and vendor.kecamatan == "Pekalongan"
        assert "kecpekalongan" in vendor.search_text.split() and "kelgantimulyo" in vendor.search_text.split()

    # The vendor form: the region's kecamatan as buttons, a Kota Metro name refused, a typed name accepted.
    seller = await onboard(lampung.dispatcher, "tini")
    await seller.say("daftar usaha")
    for answer in FORM_ANSWERS:
        if answer is not None:
            await seller.say(answer)
            continue
        assert seller.labels()[:2] == ["Sukadana", "Pekalongan"]
        await seller.say("Metro Utara")
        assert "Sukadana, Pekalongan" in seller.text
        await seller.say("sukadana")
    await seller.press("Semua yang mencari")
    assert "Sukadana" in seller.text
    await seller.press("Simpan")
    assert "sudah terdaftar" in seller.text
    async with lampung.sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.role == "vendor"))
        assert user is not None
        values = {
            "name": "Keripik Singkong Balado",
            "category": "makanan-minuman",
            "price": Price(12000),
            "unit": "bungkus",
        }
        await catalog.add_product(session, user, values, "console")

    # Search names the region's places: kecamatan, kelurahan (by an alias), and the form's own vendor.
    async with lampung.sessions() as session:
        in_pekalongan = await search(session, "keripik di pekalongan", log=False)
        assert in_pekalongan.filters.kecamatan == "Pekalongan"
        assert [h.product_name for h in in_pekalongan.results] == ["Keripik Pisang Kepok"]
        in_sukadana = await search(session, "keripik kecamatan sukadana", log=False)
        assert in_sukadana.filters.kecamatan == "Sukadana"
        assert [h.product_name for h in in_sukadana.results] == ["Keripik Singkong Balado"]
        by_kelurahan = await search(session, "gula aren ganti mulyo", log=False)
        assert by_kelurahan.filters.kelurahan == "Gantimulyo"
        assert by_kelurahan.results[0].product_name == "Gula Aren Cetak"  # the vendor's name holds "gula aren" too
        metro = await search(session, "keripik di metro utara", log=False)
        assert metro.filters.kecamatan is None and not metro.results  # not a place of this region
    buyer = await onboard(lampung.dispatcher, "andi", "Lihat-lihat")
    await buyer.say("siapa yang jual keripik di sukadana?")
    assert "Keripik Singkong Balado" in buyer.text and "Keripik Pisang Kepok" not in buyer.text

    # banggabeli search reads REGION_FILE too.
    found = await asyncio.to_thread(
        _cli, database_url, "search", "gula aren di pekalongan", "--json", region_file=LAMPUNG_TIMUR
    )
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["product_name"] == "Gula Aren Cetak"


def test_empty_region_file_setting_means_the_bundled_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGION_FILE", "")  # as in .env.example
    assert BotSettings(_env_file=None).region_file is None  # type: ignore[call-arg]
    monkeypatch.setenv("REGION_FILE", str(LAMPUNG_TIMUR))
    assert BotSettings(_env_file=None).region_file == LAMPUNG_TIMUR  # type: ignore[call-arg]


async def test_default_region_is_kota_metro_and_refuses_other_places(app: App) -> None:
    assert app.region.name == "Kota Metro"
    seller = await onboard(app.dispatcher, "sari")
    await seller.say("daftar usaha")
    for answer in FORM_ANSWERS[:3]:
        await seller.say(answer)  # type: ignore[arg-type]
    assert seller.labels()[:5] == ["Metro Pusat", "Metro Barat", "Metro Timur", "Metro Utara", "Metro Selatan"]
    await seller.say("sukadana")
    assert "Metro Pusat, Metro Barat" in seller.text
    async with app.sessions() as session:
        parsed = await search(session, "keripik di sukadana", log=False)
        assert parsed.filters.kecamatan is None
        parsed = await search(session, "keripik di metro utara", log=False)
        assert parsed.filters.kecamatan == "Metro Utara"
