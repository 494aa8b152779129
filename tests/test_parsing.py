"""Parsers for chat input: every accepted form, every error key, hostile input, and the gettext catalogs."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.errors import ValidationError
from bot.services import parsers
from bot.services.formatting import format_phone_local, format_rupiah, wa_me_number
from bot.services.parsers import (
    ERROR_KEYS,
    MAX_PRICE,
    MAX_QUANTITY,
    Price,
    parse_description,
    parse_halal,
    parse_name,
    parse_nib,
    parse_phone,
    parse_pirt,
    parse_price,
    parse_quantity,
    parse_tkdn_percent,
    parse_unit,
    parse_url,
    parse_yes_no,
)
from bot.services.region import load_region

parse_kecamatan = load_region().parse_kecamatan  # the bundled Kota Metro region

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"

HOSTILE = [
    "",
    " ",
    "\x00",
    "\x00" * 50,
    "\n\t\r",
    "😀",
    "🍌🍌🍌",
    "x" * 5000,
    "9" * 5000,
    "1." * 2500,
    "'; DROP TABLE x; --",
    "Robert'); DROP TABLE vendors;--",
    "<script>alert(1)</script>",
    "\u202eevil",
    "\u200b\u200b",
    "٣٤٥",
    "１５０００",
    "-",
    "...",
    "%",
    "nego" * 1000,
    "Rp" + "0" * 5000,
    "+" * 100,
]


def raises(key: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> ValidationError:
    """Assert that func raises ValidationError with exactly this key; return it."""
    with pytest.raises(ValidationError) as info:
        func(*args, **kwargs)
    assert info.value.key == key, f"{args!r}: got {info.value.key}, want {key}"
    return info.value


# ---------------------------------------------------------------------------------------------- price


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rp15.000", 15_000),
        ("Rp 15.000", 15_000),
        ("Rp. 15.000", 15_000),
        ("rp15000", 15_000),
        ("IDR 15.000", 15_000),
        ("15000", 15_000),
        ("15.000", 15_000),
        ("15,000", 15_000),
        ("15 000", 15_000),
        ("15rb", 15_000),
        ("15 rb", 15_000),
        ("15 ribu", 15_000),
        ("15k", 15_000),
        ("15K", 15_000),
        ("2,5rb", 2_500),
        ("1,5 jt", 1_500_000),
        ("1.5jt", 1_500_000),
        ("2 juta", 2_000_000),
        ("1,5 juta", 1_500_000),
        ("1,25 jt", 1_250_000),
        ("Rp 1.250.000,-", 1_250_000),
        ("Rp1.250.000,00", 1_250_000),
        ("Rp1.250.000.-", 1_250_000),
        ("1,250,000.00", 1_250_000),
        ("12.500", 12_500),
        ("  Rp   12.500  ", 12_500),
        ("15.000 rupiah", 15_000),
        ("harga: 20rb", 20_000),
        ("Rp 15.000/pcs", 15_000),
        ("15rb per kotak", 15_000),
        ("１５０００", 15_000),
        ("1 miliar", 1_000_000_000),
        ("Rp10.000.000.000", MAX_PRICE),
        ("1", 1),
    ],
)
def test_parse_price_amounts(text: str, amount: int) -> None:
    assert parse_price(text) == Price(amount=amount, negotiable=False)


@pytest.mark.parametrize("text", ["nego", "Nego", "NEGO", "harga nego", "bisa nego", "Harga bisa nego", "negosiasi"])
def test_parse_price_negotiable_only(text: str) -> None:
    assert parse_price(text) == Price(amount=None, negotiable=True)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("15rb nego", 15_000), ("Rp15.000, bisa nego", 15_000), ("nego 1,5 jt", 1_500_000), ("1,5 jt (nego)", 1_500_000)],
)
def test_parse_price_amount_and_negotiable(text: str, amount: int) -> None:
    assert parse_price(text) == Price(amount=amount, negotiable=True)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "parse.price.empty"),
        ("   ", "parse.price.empty"),
        ("\x00", "parse.price.empty"),
        ("lima belas ribu", "parse.price.words"),
        ("Lima Belas Ribu", "parse.price.words"),
        ("seribu", "parse.price.words"),
        ("dua juta", "parse.price.words"),
        ("Rp lima ribu", "parse.price.words"),
        ("-5", "parse.price.negative"),
        ("- 15.000", "parse.price.negative"),
        ("Rp -5.000", "parse.price.negative"),
        ("-Rp5.000", "parse.price.negative"),
        ("99999999999999", "parse.price.too_large"),
        ("Rp10.000.000.001", "parse.price.too_large"),
        ("11 miliar", "parse.price.too_large"),
        ("9" * 40, "parse.price.too_large"),
        ("Rp", "parse.price.no_number"),
        ("Rp.", "parse.price.no_number"),
        ("rp ", "parse.price.no_number"),
        ("harga", "parse.price.no_number"),
        ("0", "parse.price.zero"),
        ("Rp0", "parse.price.zero"),
        ("Rp 0,-", "parse.price.zero"),
        ("0 rb", "parse.price.zero"),
        ("abc", "parse.price.invalid"),
        ("😀", "parse.price.invalid"),
        ("x" * 5000, "parse.price.invalid"),
        ("9" * 5000, "parse.price.invalid"),
        ("'; DROP TABLE x; --", "parse.price.invalid"),
        ("15rb-20rb", "parse.price.invalid"),
        ("15.00", "parse.price.invalid"),
        ("1,5", "parse.price.invalid"),
        ("1.50.000", "parse.price.invalid"),
        ("1,2345 rb", "parse.price.invalid"),
        ("15 rb 20 rb", "parse.price.invalid"),
    ],
)
def test_parse_price_errors(text: str, key: str) -> None:
    err = raises(key, parse_price, text)
    assert err.params["example"] == "Rp15.000"


def test_parse_price_too_large_names_the_cap() -> None:
    err = raises("parse.price.too_large", parse_price, "99999999999999")
    assert err.params["max"] == "Rp10.000.000.000"


@pytest.mark.parametrize(
    ("amount", "text"),
    [(15_000, "Rp15.000"), (0, "Rp0"), (500, "Rp500"), (1_250_000, "Rp1.250.000"), (-5_000, "-Rp5.000")],
)
def test_format_rupiah(amount: int, text: str) -> None:
    assert format_rupiah(amount) == text


@pytest.mark.parametrize("amount", [1, 999, 12_500, 1_250_000, MAX_PRICE])
def test_format_rupiah_round_trips(amount: int) -> None:
    assert parse_price(format_rupiah(amount)).amount == amount


# ---------------------------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("0812.3456.7890", "+6281234567890"),
        ("WA: 0812 3456 7890", "+6281234567890"),
        ("No HP 0812-3456-7890", "+6281234567890"),
        ("(0721) 41234", "+6272141234"),
        ("(0725) 41234", "+6272541234"),
        ("0725-41234", "+6272541234"),
    ],
)
def test_parse_phone(text: str, e164: str) -> None:
    assert parse_phone(text) == e164


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "parse.phone.empty"),
        ("  ", "parse.phone.empty"),
        ("abc", "parse.phone.invalid"),
        ("123", "parse.phone.invalid"),
        ("081234567", "parse.phone.invalid"),
        ("0812345678901234", "parse.phone.invalid"),
        ("0812-FLOWERS", "parse.phone.invalid"),
        ("tidak ada", "parse.phone.invalid"),
        ("😀", "parse.phone.invalid"),
        ("'; DROP TABLE x; --", "parse.phone.invalid"),
        ("0" * 5000, "parse.phone.invalid"),
    ],
)
def test_parse_phone_errors(text: str, key: str) -> None:
    raises(key, parse_phone, text)


@pytest.mark.parametrize(
    ("e164", "local", "wa"),
    [
        ("+6281234567890", "0812-3456-7890", "6281234567890"),
        ("+6272541234", "(0725) 41234", "6272541234"),
    ],
)
def test_phone_display_and_wa(e164: str, local: str, wa: str) -> None:
    assert format_phone_local(e164) == local
    assert wa_me_number(e164) == wa
    assert parse_phone(local) == e164


@pytest.mark.parametrize("func", [format_phone_local, wa_me_number])
@pytest.mark.parametrize("bad", ["", "abc", "+62", "'; DROP TABLE x; --", "x" * 5000])
def test_phone_formatters_reject_garbage(func: Callable[[str], str], bad: str) -> None:
    raises("parse.phone.invalid", func, bad)


# ------------------------------------------------------------------------------------ permit numbers


@pytest.mark.parametrize(
    "text",
    ["1234567890123", "1234 5678 90123", "1234-5678-90123", "NIB: 1234567890123", "nib no. 1234567890123"],
)
def test_parse_nib(text: str) -> None:
    assert parse_nib(text) == "1234567890123"


@pytest.mark.parametrize(
    "text", ["", "123", "123456789012", "12345678901234", "12345678901ab", "NIB", "١٢٣٤٥٦٧٨٩٠١٢٣", "x" * 5000]
)
def test_parse_nib_errors(text: str) -> None:
    err = raises("parse.nib.invalid", parse_nib, text)
    assert err.params["example"] == "1234567890123"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45", Decimal(45)),
        ("45%", Decimal(45)),
        ("45 %", Decimal(45)),
        ("45,5 %", Decimal("45.5")),
        ("45.5", Decimal("45.5")),
        ("45,25%", Decimal("45.25")),
        ("TKDN 40 persen", Decimal(40)),
        ("0", Decimal(0)),
        ("100", Decimal(100)),
        ("100%", Decimal(100)),
    ],
)
def test_parse_tkdn_percent(text: str, value: Decimal) -> None:
    result = parse_tkdn_percent(text)
    assert isinstance(result, Decimal)
    assert result == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "parse.tkdn.invalid"),
        ("abc", "parse.tkdn.invalid"),
        ("belum ada", "parse.tkdn.invalid"),
        ("empat puluh", "parse.tkdn.invalid"),
        ("45%%", "parse.tkdn.invalid"),
        ("NaN", "parse.tkdn.invalid"),
        ("Infinity", "parse.tkdn.invalid"),
        ("1e2", "parse.tkdn.invalid"),
        ("x" * 5000, "parse.tkdn.invalid"),
        ("101", "parse.tkdn.range"),
        ("100,01", "parse.tkdn.range"),
        ("-5", "parse.tkdn.range"),
        ("250%", "parse.tkdn.range"),
    ],
)
def test_parse_tkdn_errors(text: str, key: str) -> None:
    raises(key, parse_tkdn_percent, text)


@pytest.mark.parametrize(
    "text",
    [
        "P-IRT No. 1234567890123-45",
        "P-IRT No.1234567890123-45",
        "PIRT 123456789012345",
        "pirt no: 1234567890123 45",
        "SPP-IRT 1234567890123-45",
        "123456789012345",
        "1234567890123-45",
        "P-IRT Nomor 1234 5678 90123-45",
    ],
)
def test_parse_pirt(text: str) -> None:
    assert parse_pirt(text) == "1234567890123-45"


@pytest.mark.parametrize(
    "text", ["", "P-IRT", "12345", "1234567890123", "1234567890123-456", "P-IRT No. abc", "NIB 1234567890123-45"]
)
def test_parse_pirt_errors(text: str) -> None:
    raises("parse.pirt.invalid", parse_pirt, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ID31110000123450922", "ID31110000123450922"),
        ("id31110000123450922", "ID31110000123450922"),
        ("ID 3111 0000 1234 5092 2", "ID31110000123450922"),
        ("Halal: ID311100001234", "ID311100001234"),
        ("Sertifikat Halal No. ID 00410000123450321", "ID00410000123450321"),
    ],
)
def test_parse_halal(text: str, value: str) -> None:
    assert parse_halal(text) == value


@pytest.mark.parametrize("text", ["", "ID", "ID12", "31110000123450922", "LPPOM-00150012340599", "IDabc", "halal"])
def test_parse_halal_errors(text: str) -> None:
    raises("parse.halal.invalid", parse_halal, text)


# -------------------------------------------------------------------------------------------- yes / no


@pytest.mark.parametrize(
    "text",
    ["ya", "Ya", "YA!", "y", "iya", "yes", "betul", "benar", "sudah", "ada", "ok", "OK", "oke", "ya pak", "sudah ada",
     "👍", "✅"],
)  # fmt: skip
def test_parse_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    ["tidak", "Tidak.", "t", "tdk", "no", "nggak", "gak", "enggak", "belum", "bukan", "tidak ada", "belum ada",
     "gak mau", "👎"],
)  # fmt: skip
def test_parse_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["", "hmm", "mungkin", "ya tidak", "sudah belum", "👍👎", "123", "x" * 5000])
def test_parse_yes_no_errors(text: str) -> None:
    raises("parse.yes_no.invalid", parse_yes_no, text)


# ----------------------------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("pcs", "pcs"),
        ("/pcs", "pcs"),
        ("PCS", "pcs"),
        ("pc", "pcs"),
        ("buah", "buah"),
        ("biji", "buah"),
        ("kotak", "kotak"),
        ("per kotak", "kotak"),
        ("box", "kotak"),
        ("Box", "kotak"),
        ("dus", "dus"),
        ("rim", "rim"),
        ("Kg", "kg"),
        ("kilo", "kg"),
        ("gram", "gram"),
        ("gr", "gram"),
        ("ons", "ons"),
        ("liter", "liter"),
        ("ltr", "liter"),
        ("meter", "meter"),
        ("m2", "m2"),
        ("meter persegi", "m2"),
        ("paket", "paket"),
        ("set", "set"),
        ("lusin", "lusin"),
        ("kodi", "kodi"),
        ("porsi", "porsi"),
        ("/ porsi", "porsi"),
        ("lembar", "lembar"),
        ("lbr", "lembar"),
        ("pasang", "pasang"),
        ("unit", "unit"),
        ("units", "unit"),
        ("orang", "orang"),
        ("pax", "orang"),
        ("hari", "hari"),
        ("jam", "jam"),
        ("botol", "botol"),
        ("bungkus", "bungkus"),
        ("pack", "pack"),
        ("roll", "roll"),
        ("stel", "stel"),
        ("tenda", "tenda"),
        ("Tampah", "tampah"),
    ],
)
def test_parse_unit(text: str, unit: str) -> None:
    assert parse_unit(text) == unit


@pytest.mark.parametrize(
    "text", ["", "/", "123", "per", "dua kotak", "kg!", "😀", "a" * 21, "x" * 5000, "'; DROP TABLE x; --"]
)
def test_parse_unit_errors(text: str) -> None:
    raises("parse.unit.invalid", parse_unit, text)


# -------------------------------------------------------------------------------------------- quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("100", 100),
        ("1.000", 1_000),
        ("1,000", 1_000),
        ("1 000", 1_000),
        ("100 pcs", 100),
        ("100pcs", 100),
        ("100 kg", 100),
        ("50 kotak", 50),
        ("± 500", 500),
        ("±500", 500),
        ("+-500", 500),
        ("kurang lebih 500", 500),
        ("sekitar 200 porsi", 200),
        ("500an", 500),
        ("2rb", 2_000),
        ("1,5 rb", 1_500),
        (str(MAX_QUANTITY), MAX_QUANTITY),
    ],
)
def test_parse_quantity(text: str, value: int) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "parse.quantity.invalid"),
        ("lima", "parse.quantity.invalid"),
        ("1,5", "parse.quantity.invalid"),
        ("100 pcs lagi ya", "parse.quantity.invalid"),
        ("abc", "parse.quantity.invalid"),
        ("x" * 5000, "parse.quantity.invalid"),
        ("0", "parse.quantity.range"),
        ("-5", "parse.quantity.range"),
        ("20000000", "parse.quantity.range"),
        ("9" * 30, "parse.quantity.range"),
    ],
)
def test_parse_quantity_errors(text: str, key: str) -> None:
    raises(key, parse_quantity, text)


def test_parse_quantity_range_names_limits() -> None:
    err = raises("parse.quantity.range", parse_quantity, "0")
    assert err.params["min"] == 1
    assert err.params["max"] == "10.000.000"


# ------------------------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://tokopedia.com/tokosaya", "https://tokopedia.com/tokosaya"),
        ("http://contoh.co.id", "http://contoh.co.id"),
        ("HTTPS://Shopee.co.id/Toko?x=1", "https://shopee.co.id/Toko?x=1"),
        ("www.tokopedia.com/abc", "https://www.tokopedia.com/abc"),
        ("tokopedia.com/tokosaya", "https://tokopedia.com/tokosaya"),
        ("e-katalog.lkpp.go.id", "https://e-katalog.lkpp.go.id"),
        ("instagram.com/keripik.bu.sri.", "https://instagram.com/keripik.bu.sri"),
        ("<https://x.com:8080/a>", "https://x.com:8080/a"),
    ],
)
def test_parse_url(text: str, url: str) -> None:
    assert parse_url(text) == url


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "tokopedia",
        "javascript:alert(1)",
        "ftp://example.com",
        "file:///etc/passwd",
        "https://user:pw@evil.com",
        "https://example.com@evil.com",
        "https://localhost",
        "https://127.0.0.1",
        "https://x.com:99999",
        "https://",
        "toko saya.com",
        "'; DROP TABLE x; --",
        "https://" + "a" * 5000 + ".com",
    ],
)
def test_parse_url_errors(text: str) -> None:
    raises("parse.url.invalid", parse_url, text)


# ------------------------------------------------------------------------------------------------ text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("  Toko   Berkah ", "Toko Berkah"),
        ("Keripik\nPisang", "Keripik Pisang"),
        ("Bu Sri 🍌", "Bu Sri 🍌"),
        ("CV. Maju-Jaya", "CV. Maju-Jaya"),
        ("Ab", "Ab"),
        ("a\x00b", "ab"),
        ("212 Mart", "212 Mart"),
        ("'; DROP TABLE x; --", "'; DROP TABLE x; --"),
    ],
)
def test_parse_name(text: str, value: str) -> None:
    assert parse_name(text) == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "parse.text.too_short"),
        ("   ", "parse.text.too_short"),
        ("\x00", "parse.text.too_short"),
        ("a", "parse.text.too_short"),
        ("😀", "parse.text.no_letters"),
        ("😀😀😀", "parse.text.no_letters"),
        ("...", "parse.text.no_letters"),
        ("123", "parse.text.no_letters"),
        ("!!! ???", "parse.text.no_letters"),
        ("x" * 101, "parse.text.too_long"),
        ("x" * 5000, "parse.text.too_long"),
    ],
)
def test_parse_name_errors(text: str, key: str) -> None:
    err = raises(key, parse_name, text)
    assert err.params["example"]


def test_parse_name_limits_are_params() -> None:
    assert parse_name("abcde", min_len=5, max_len=5) == "abcde"
    assert raises("parse.text.too_short", parse_name, "abcd", min_len=5).params["min"] == 5
    assert raises("parse.text.too_long", parse_name, "abcdef", max_len=5).params["max"] == 5


def test_parse_description() -> None:
    text = "  Keripik   pisang\r\n\n\n\nrenyah  tanpa pengawet  "
    assert parse_description(text) == "Keripik pisang\n\nrenyah tanpa pengawet"
    assert parse_description("y" * 500) == "y" * 500
    raises("parse.text.too_long", parse_description, "y" * 501)
    raises("parse.text.too_long", parse_description, "y" * 101, max_len=100)
    raises("parse.text.no_letters", parse_description, "🍌🍌🍌🍌")
    raises("parse.text.too_short", parse_description, "")


# ------------------------------------------------------------------------------------ hostile input

PARSERS: list[Callable[[str], Any]] = [
    parse_price,
    parse_phone,
    parse_nib,
    parse_tkdn_percent,
    parse_pirt,
    parse_halal,
    parse_yes_no,
    parse_unit,
    parse_quantity,
    parse_url,
    parse_name,
    parse_description,
    format_phone_local,
    wa_me_number,
    parse_kecamatan,
]


@pytest.mark.parametrize("func", PARSERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:12]) + f"x{len(t)}")
def test_hostile_input_only_raises_validation_error(func: Callable[[str], Any], text: str) -> None:
    try:
        result = func(text)
    except ValidationError as err:
        assert err.key in ERROR_KEYS
        assert "example" in err.params
    else:
        assert result is not None
        if isinstance(result, str):
            assert "\x00" not in result
            assert len(result) <= 500


# ------------------------------------------------------------------------------------------- catalogs


def _catalog(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "parsing.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    return {m.id: m.string for m in catalog if m.id}


def _sample_errors() -> dict[str, dict[str, Any]]:
    """One real error per key, so the catalogs are checked against the params the code actually sends."""
    calls: list[tuple[Callable[..., Any], str]] = [
        (parse_price, ""), (parse_price, "lima belas ribu"), (parse_price, "-5"), (parse_price, "99999999999999"),
        (parse_price, "Rp"), (parse_price, "0"), (parse_price, "abc"), (parse_phone, ""), (parse_phone, "abc"),
        (parse_nib, "1"), (parse_tkdn_percent, "x"), (parse_tkdn_percent, "101"), (parse_pirt, "1"),
        (parse_halal, "1"), (parse_yes_no, "?"), (parse_unit, "1"), (parse_quantity, "x"), (parse_quantity, "0"),
        (parse_url, "x"), (parse_name, ""), (parse_name, "x" * 200), (parse_name, "..."), (parse_kecamatan, "x"),
    ]  # fmt: skip
    found: dict[str, dict[str, Any]] = {}
    for func, text in calls:
        with pytest.raises(ValidationError) as info:
            func(text)
        found[info.value.key] = info.value.params
    return found


def test_every_key_is_raised_somewhere() -> None:
    assert set(_sample_errors()) == ERROR_KEYS


def test_error_keys_are_stable_ids() -> None:
    for key in ERROR_KEYS:
        assert re.fullmatch(r"parse(\.[a-z_]+)+", key), key


@pytest.mark.parametrize("locale", ["id", "en"])
def test_catalog_covers_every_key_and_formats(locale: str) -> None:
    catalog = _catalog(locale)
    assert set(catalog) == ERROR_KEYS
    for key, params in _sample_errors().items():
        text = catalog[key]
        assert text, f"{locale}: {key} has no translation"
        placeholders = set(re.findall(r"\{(\w+)\}", text))
        assert placeholders <= set(params), f"{locale}: {key} uses {placeholders - set(params)}"
        rendered = text.format(**params)
        assert "{" not in rendered
        assert rendered.startswith("Maaf," if locale == "id" else "Sorry,")


def test_indonesian_messages_give_an_example_or_the_choices() -> None:
    for key, text in _catalog("id").items():
        if key != "parse.yes_no.invalid":
            assert "contoh" in text.lower(), key
    assert "*ya* atau *tidak*" in _catalog("id")["parse.yes_no.invalid"]


@pytest.mark.parametrize(
    ("locale", "plural"), [("id", "nplurals=1; plural=0;"), ("en", "nplurals=2; plural=(n != 1);")]
)
def test_catalog_headers(locale: str, plural: str) -> None:
    header = (LOCALES_DIR / locale / "LC_MESSAGES" / "parsing.po").read_text(encoding="utf-8")
    assert f'"Language: {locale}\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    assert f'"Plural-Forms: {plural}\\n"' in header


def test_module_documents_the_price_cap() -> None:
    assert MAX_PRICE == 10_000_000_000
    assert "MAX_PRICE" in (parsers.__doc__ or "")
