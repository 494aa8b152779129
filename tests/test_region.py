"""The configurable region: loading, lenient kecamatan/kelurahan matching, and places inside a sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.errors import ValidationError
from bot.services.region import (
    DEFAULT_REGION_PATH,
    Kecamatan,
    Region,
    bind_region,
    load_region,
    name_key,
    region_of,
)

METRO = {
    "Metro Pusat": ("Metro", "Hadimulyo Barat", "Hadimulyo Timur", "Yosomulyo", "Imopuro"),
    "Metro Barat": ("Mulyojati", "Mulyosari", "Ganjaragung", "Ganjarasri"),
    "Metro Timur": ("Tejosari", "Tejoagung", "Yosorejo", "Iringmulyo", "Yosodadi"),
    "Metro Utara": ("Purwoasri", "Banjarsari", "Purwosari", "Karangrejo"),
    "Metro Selatan": ("Sumbersari", "Rejomulyo", "Margodadi", "Margorejo"),
}
HOSTILE = ["", " ", "\x00", "😀", "x" * 5000, "'; DROP TABLE x; --", "metro " * 1000, "\u202e", "١"]


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region()


# ------------------------------------------------------------------------------------------- loading


def test_default_region_is_kota_metro(region: Region) -> None:
    assert region.name == "Kota Metro"
    assert region.city == "Metro"
    assert region.province == "Lampung"
    assert {k.name: k.kelurahan for k in region.kecamatan} == METRO
    assert region.kecamatan_names == tuple(METRO)
    assert len(region.kelurahan_names) == 22
    assert all(isinstance(k, Kecamatan) for k in region.kecamatan)


def test_default_region_is_read_afresh_and_frozen(region: Region) -> None:
    assert load_region() is not region  # no process-wide copy: start-up reads REGION_FILE once, passes it down
    assert load_region() == region
    assert load_region(DEFAULT_REGION_PATH) == region
    with pytest.raises(AttributeError):
        region.name = "Kota Lain"  # type: ignore[misc]


def test_sessions_carry_the_region_they_were_bound_to(region: Region, tmp_path: Path) -> None:
    sessions = async_sessionmaker()
    with pytest.raises(LookupError):
        region_of(sessions())  # no silent default: a path that forgot the region fails loudly
    other = load_region(_write(tmp_path, {"name": "Kota Lain", "kecamatan": [{"name": "Satu", "kelurahan": ["A"]}]}))
    assert region_of(bind_region(sessions, other)()) is other
    assert region_of(bind_region(async_sessionmaker(), region)()) is region


def test_kecamatan_of(region: Region) -> None:
    assert region.kecamatan_of("Yosodadi") == "Metro Timur"
    assert region.kecamatan_of("Metro") == "Metro Pusat"
    assert region.kecamatan_of("Atlantis") is None


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "region.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_another_region_from_a_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "name": "Kabupaten Contoh",
            "kecamatan": [
                {"name": "Contoh Hilir", "kelurahan": ["Sukamaju", "Contoh"], "aliases": ["Hilir Raya"]},
                {"name": "Batu Putih", "kelurahan": ["Air Jernih"]},
            ],
        },
    )
    other = load_region(path)
    assert other.city == ""
    assert other.match_kecamatan("hilir") == "Contoh Hilir"
    assert other.match_kecamatan("HilirRaya") == "Contoh Hilir"
    assert other.match_kecamatan("batu-putih") == "Batu Putih"
    assert other.match_kelurahan("air jernih") == ("Air Jernih", "Batu Putih")
    assert other.find_places("jual kain di contoh hilir") == [("kecamatan", "Contoh Hilir")]
    assert other.find_places("toko di contoh") == []  # the bare city word, as with "metro"
    assert other.find_places("kelurahan contoh") == [("kelurahan", "Contoh")]
    assert other.match_kecamatan("anything") is None
    assert load_region() != other


@pytest.mark.parametrize(
    "data",
    [
        {"name": "X", "kecamatan": []},
        {"name": "X", "kecamatan": [{"name": "A", "kelurahan": ["B"]}, {"name": "a", "kelurahan": ["C"]}]},
        {"name": "X", "kecamatan": [{"name": "A", "kelurahan": ["B", "b "]}]},
        {"name": "X", "kecamatan": [{"name": "A", "kelurahan": ["B"], "kelurahan_aliases": {"Z": ["Zed"]}}]},
        {"name": "X", "kecamatan": [{"name": "!!", "kelurahan": ["B"]}]},
    ],
)
def test_bad_region_files_are_refused(tmp_path: Path, data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        load_region(_write(tmp_path, data))


# ----------------------------------------------------------------------------------------- kecamatan


@pytest.mark.parametrize(
    "text",
    [
        "Metro Utara",
        "metro utara",
        "METRO UTARA",
        "  Metro   Utara ",
        "metro-utara",
        "metro_utara",
        "MetroUtara",
        "metroutara",
        "utara",
        "Utara",
        "Kecamatan Metro Utara",
        "kec. metro utara",
        "Kec Utara",
        "Metro Utra",
        "metro utaraa",
    ],
)
def test_match_kecamatan(region: Region, text: str) -> None:
    assert region.match_kecamatan(text) == "Metro Utara"


@pytest.mark.parametrize(
    ("short", "name"),
    [
        ("pusat", "Metro Pusat"),
        ("barat", "Metro Barat"),
        ("timur", "Metro Timur"),
        ("selatan", "Metro Selatan"),
        ("Metro Pusat", "Metro Pusat"),
    ],
)
def test_match_every_kecamatan(region: Region, short: str, name: str) -> None:
    assert region.match_kecamatan(short) == name


@pytest.mark.parametrize(
    "text",
    ["metro", "Metro", "Kota Metro", "Lampung", "Yosodadi", "utara selatan", "metro timur selatan", "1", "hilir"],
)
def test_match_kecamatan_none(region: Region, text: str) -> None:
    assert region.match_kecamatan(text) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("1", "Metro Pusat"),
        ("2", "Metro Barat"),
        ("5", "Metro Selatan"),
        (" 4. ", "Metro Utara"),
        ("3)", "Metro Timur"),
    ],
)
def test_match_kecamatan_by_number(region: Region, text: str, name: str) -> None:
    assert region.match_kecamatan(text, allow_number=True) == name
    assert region.match_kecamatan(text) is None


@pytest.mark.parametrize("text", ["0", "6", "-1", "99", "1000"])
def test_match_kecamatan_number_out_of_range(region: Region, text: str) -> None:
    assert region.match_kecamatan(text, allow_number=True) is None


def test_parse_kecamatan(region: Region) -> None:
    assert region.parse_kecamatan("metro-selatan") == "Metro Selatan"
    assert region.parse_kecamatan("3", allow_number=True) == "Metro Timur"
    with pytest.raises(ValidationError) as info:
        region.parse_kecamatan("Bandar Lampung")
    assert info.value.key == "parse.kecamatan.invalid"
    assert info.value.params["options"] == "Metro Pusat, Metro Barat, Metro Timur, Metro Utara, Metro Selatan"
    assert info.value.params["example"] == "Metro Pusat"
    with pytest.raises(ValidationError):
        region.parse_kecamatan("3")


# ----------------------------------------------------------------------------------------- kelurahan


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ganjaragung", ("Ganjaragung", "Metro Barat")),
        ("Ganjar Agung", ("Ganjaragung", "Metro Barat")),
        ("ganjar-agung", ("Ganjaragung", "Metro Barat")),
        ("GANJAR ASRI", ("Ganjarasri", "Metro Barat")),
        ("Yosodadi", ("Yosodadi", "Metro Timur")),
        ("kel. Yosodadi", ("Yosodadi", "Metro Timur")),
        ("Kelurahan Iring Mulyo", ("Iringmulyo", "Metro Timur")),
        ("hadimulyo barat", ("Hadimulyo Barat", "Metro Pusat")),
        ("HadimulyoTimur", ("Hadimulyo Timur", "Metro Pusat")),
        ("Metro", ("Metro", "Metro Pusat")),
        ("purwoasri", ("Purwoasri", "Metro Utara")),
        ("purwosari", ("Purwosari", "Metro Utara")),
        ("Sumbersari Bantul", ("Sumbersari", "Metro Selatan")),
        ("sumber sari", ("Sumbersari", "Metro Selatan")),
        ("yosomulya", ("Yosomulyo", "Metro Pusat")),
    ],
)
def test_match_kelurahan(region: Region, text: str, expected: tuple[str, str]) -> None:
    assert region.match_kelurahan(text) == expected


@pytest.mark.parametrize("text", ["Metro Utara", "hadimulyo", "purwosri", "Jakarta", "kelurahan", "x"])
def test_match_kelurahan_none(region: Region, text: str) -> None:
    """Unknown names, kecamatan names, and typos equally close to two kelurahan give None."""
    assert region.match_kelurahan(text) is None


def test_shared_kelurahan_word_names_its_kecamatan_only_when_unambiguous() -> None:
    """The word "Hadimulyo" (Hadimulyo Barat, Hadimulyo Timur) is Metro Pusat; a word that two kecamatan's kelurahan
    share, or that only one kelurahan starts with, names nothing."""
    split = Region(
        name="Kota Contoh",
        kecamatan=(
            Kecamatan("Contoh Barat", ("Suka Maju", "Suka Damai", "Tanjung Baru")),
            Kecamatan("Contoh Timur", ("Suka Makmur", "Karang Indah")),
        ),
    )
    assert split.find_places("kue di suka") == []
    assert split.find_places("kue di tanjung") == []
    assert split.find_places("kue di suka damai") == [("kelurahan", "Suka Damai")]
    one = Region(name="Kota Contoh", kecamatan=(Kecamatan("Contoh Barat", ("Suka Maju", "Suka Damai")),))
    assert one.find_places("kue di suka") == [("kecamatan", "Contoh Barat")]
    assert one.match_kelurahan("suka", fuzzy=False) is None


def test_fuzzy_can_be_switched_off(region: Region) -> None:
    assert region.match_kecamatan("Metro Utra", fuzzy=False) is None
    assert region.match_kelurahan("yosomulya", fuzzy=False) is None


@pytest.mark.parametrize("kecamatan", list(METRO))
def test_every_configured_name_matches_itself(region: Region, kecamatan: str) -> None:
    assert region.match_kecamatan(kecamatan) == kecamatan
    for kelurahan in METRO[kecamatan]:
        assert region.match_kelurahan(kelurahan) == (kelurahan, kecamatan)
        assert region.match_kelurahan(kelurahan.upper().replace("O", "O ")) == (kelurahan, kecamatan)


# -------------------------------------------------------------------------------------- find_places


@pytest.mark.parametrize(
    ("sentence", "places"),
    [
        ("keripik di metro utara", [("kecamatan", "Metro Utara")]),
        ("Keripik di Metro Utara ya", [("kecamatan", "Metro Utara")]),
        ("snack box metroutara", [("kecamatan", "Metro Utara")]),
        ("batik (metro-selatan)", [("kecamatan", "Metro Selatan")]),
        ("kue di Yosodadi", [("kelurahan", "Yosodadi")]),
        ("katering ganjar agung", [("kelurahan", "Ganjaragung")]),
        ("sablon hadimulyo barat", [("kelurahan", "Hadimulyo Barat")]),
        # Hadimulyo Barat and Hadimulyo Timur both lie in Metro Pusat: their shared word names the area.
        ("katering daerah hadimulyo", [("kecamatan", "Metro Pusat")]),
        ("beras dari sumber sari bantul", [("kelurahan", "Sumbersari")]),
        ("kecamatan utara", [("kecamatan", "Metro Utara")]),
        ("kec. timur", [("kecamatan", "Metro Timur")]),
        ("kelurahan metro", [("kelurahan", "Metro")]),
        ("kel. metro", [("kelurahan", "Metro")]),
        (
            "metro utara, Metro Selatan dan Yosodadi, lalu metro utara lagi",
            [("kecamatan", "Metro Utara"), ("kecamatan", "Metro Selatan"), ("kelurahan", "Yosodadi")],
        ),
        ("Yosodadi, Metro Timur", [("kelurahan", "Yosodadi"), ("kecamatan", "Metro Timur")]),
    ],
)
def test_find_places(region: Region, sentence: str, places: list[tuple[str, str]]) -> None:
    assert region.find_places(sentence) == places


@pytest.mark.parametrize(
    "sentence",
    [
        "keripik pisang",
        "UMKM Kota Metro",
        "keripik metro",
        "toko di metro",
        "Metro Bangga Beli",
        "kopi dari lampung utara",
        "arah utara pasar",
        "kecamatan",
        "",
    ],
)
def test_find_places_ignores_the_city_word_and_bare_directions(region: Region, sentence: str) -> None:
    assert region.find_places(sentence) == []


# ------------------------------------------------------------------------------------ hostile input


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:10]) + f"x{len(t)}")
def test_hostile_input(region: Region, text: str) -> None:
    assert region.match_kecamatan(text, allow_number=True) is None
    assert region.match_kelurahan(text) is None
    assert region.find_places(text) == []
    with pytest.raises(ValidationError) as info:
        region.parse_kecamatan(text)
    assert info.value.key == "parse.kecamatan.invalid"


def test_name_key() -> None:
    assert name_key("Ganjar Agung") == name_key("ganjaragung") == "ganjaragung"
    assert name_key("Metro-Utara") == "metroutara"
    assert name_key("😀") == ""
