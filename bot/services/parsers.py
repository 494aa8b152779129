"""Parsers for what a vendor or buyer types in a chat: prices, phone numbers, permit numbers, units, text.

How stored values are shown again (Rp15.000, 0812-3456-7890) is `bot/services/formatting.py`.

Every parser takes any string (empty, 5,000 characters, emoji, NUL, SQL) and either returns a normalised
value or raises `ValidationError(key, **params)`. Keys are locale ids beginning `parse.`; every error carries an
`example` param (a right answer, language-neutral; fixed-format messages also spell it out in the text), plus
`min`/`max`/`options` where the message names them, so show errors as `t(err.key, **err.params)`. The catalogs
are `locales/<lang>/LC_MESSAGES/parsing.po`; `ERROR_KEYS` lists every key raised here and in `region.py`.
Input longer than 100 characters is never a valid structured value (price, phone, NIB...).

Limits: a price is at most `MAX_PRICE` (Rp10.000.000.000, ten billion rupiah: far above any single UMKM
item or direct purchase, low enough to catch a mistyped extra zero pasted twice); a quantity is 1 to
`MAX_QUANTITY` (10,000,000).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit, urlunsplit

import phonenumbers

from bot.errors import ValidationError
from bot.services import words
from bot.services.formatting import format_rupiah

MAX_PRICE = 10_000_000_000
MAX_QUANTITY = 10_000_000
MAX_TKDN = Decimal(100)

# Structured values (price, phone, NIB...) are short; anything longer than this is rejected unread.
_MAX_FIELD_CHARS = 100
_MAX_URL_CHARS = 2048

ERROR_KEYS: frozenset[str] = frozenset(
    {
        "parse.price.empty",
        "parse.price.words",
        "parse.price.negative",
        "parse.price.too_large",
        "parse.price.no_number",
        "parse.price.zero",
        "parse.price.invalid",
        "parse.phone.empty",
        "parse.phone.invalid",
        "parse.nib.invalid",
        "parse.tkdn.invalid",
        "parse.tkdn.range",
        "parse.pirt.invalid",
        "parse.halal.invalid",
        "parse.yes_no.invalid",
        "parse.unit.invalid",
        "parse.quantity.invalid",
        "parse.quantity.range",
        "parse.url.invalid",
        "parse.text.too_short",
        "parse.text.too_long",
        "parse.text.no_letters",
        "parse.kecamatan.invalid",
    }
)

PRICE_EXAMPLE = "Rp15.000"
PHONE_EXAMPLE = "0812-3456-7890"
NIB_EXAMPLE = "1234567890123"
TKDN_EXAMPLE = "45%"
PIRT_EXAMPLE = "P-IRT No. 1234567890123-45"
HALAL_EXAMPLE = "ID31110000123450922"
UNIT_EXAMPLE = "pcs"
QUANTITY_EXAMPLE = "100"
URL_EXAMPLE = "https://tokopedia.com/tokosaya"
EKATALOG_URL_EXAMPLE = "https://e-katalog.lkpp.go.id/katalog/produk/detail/12345678"
NAME_EXAMPLE = "Keripik Pisang Bu Sri"
DESCRIPTION_EXAMPLE = "Keripik pisang renyah, tanpa pengawet, kemasan 250 gram."


# --------------------------------------------------------------------------------------------- helpers


_PLAIN_TEXT_RE = re.compile(r"[\x20-\x7e\n\t]*")  # printable ASCII, line breaks, tabs: nothing to drop


def _strip_invisible(text: str) -> str:
    """Drop control and format characters (NUL, zero-width, bidi overrides); keep line breaks and tabs."""
    if _PLAIN_TEXT_RE.fullmatch(text):
        return text  # the common case, without a look at each character
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
        elif ch == "\r":
            continue
        elif ch == "\u200d":  # zero-width joiner keeps composed emoji whole
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def _clean(text: str) -> str:
    """Compatibility-normalise (full-width digits become ASCII), drop invisibles, collapse spaces, strip."""
    text = unicodedata.normalize("NFKC", _strip_invisible(text or ""))
    return " ".join(text.split())


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def _to_decimal(num: str) -> Decimal | None:
    """Read `15.000`, `1.250.000,00`, `1,5`, `15,000`, `1.5`: dot is the Indonesian thousands separator.

    A single separator followed by exactly three digits groups thousands; otherwise it is the decimal mark.
    With both separators the last one is the decimal mark. Returns None if the grouping is inconsistent.
    """
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)*", num):
        return None
    seps = [c for c in num if c in ".,"]
    if not seps:
        whole, frac = num, ""
    elif len(set(seps)) == 2:
        dec = seps[-1]
        if seps.count(dec) != 1:
            return None
        whole, frac = num.rsplit(dec, 1)
        grouped = whole.split("," if dec == "." else ".")
        if not _valid_groups(grouped):
            return None
        whole = "".join(grouped)
    else:
        sep = seps[0]
        parts = num.split(sep)
        if len(parts) > 2 or len(parts[-1]) == 3:
            if not _valid_groups(parts):
                return None
            whole, frac = "".join(parts), ""
        else:
            whole, frac = parts
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return None


def _valid_groups(parts: list[str]) -> bool:
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


_MULTIPLIERS: dict[str, int] = {
    "rb": 1_000,
    "ribu": 1_000,
    "rebu": 1_000,
    "k": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
    "jta": 1_000_000,
    "miliar": 1_000_000_000,
    "milyar": 1_000_000_000,
}
_MULT_RE = "rb|ribu|rebu|k|jt|juta|jta|miliar|milyar"  # no bare "m": it is metre (and "1,5m" is ambiguous)


# ----------------------------------------------------------------------------------------------- price


@dataclass(frozen=True, slots=True)
class Price:
    """A price in whole rupiah; `amount` is None when the vendor only said it is negotiable ("nego")."""

    amount: int | None
    negotiable: bool = False


_NUMBER_WORDS = frozenset(
    {
        "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
        "sebelas", "belas", "puluh", "ratus", "ribu", "juta", "miliar", "milyar", "seratus", "seribu",
        "sejuta", "rb", "jt", "rebu", "setengah", "one", "two", "three", "four", "five", "six", "seven",
        "eight", "nine", "ten", "fifteen", "twenty", "hundred", "thousand", "million",
    }
)  # fmt: skip
_NEGO_RE = re.compile(r"\b(?:(?:harga|bisa|boleh|masih)\s+)*(?:nego(?:siasi|tiable|siable)?|negoable)\b")
_PRICE_PREFIX_RE = re.compile(r"^(?:harga\s*:?\s*)?(?P<neg>[-−]\s*)?(?P<cur>rp\.?|idr\.?)?\s*")
_PRICE_RE = re.compile(rf"^(?P<neg>[-−]\s*)?(?P<num>[0-9][0-9.,]*)\s*(?P<mult>{_MULT_RE})?\.?\s*(?:rupiah|rp\.?)?$")
_PER_UNIT_RE = re.compile(r"\s*(?:/|\bper\b|@)\s*[a-z][a-z0-9 ]{0,20}$")


def parse_price(text: str) -> Price:
    """Read a rupiah price such as `Rp15.000`, `15rb`, `1,5 jt` or `nego`."""
    s = _clean(text).lower()
    if not s:
        raise ValidationError("parse.price.empty", example=PRICE_EXAMPLE)
    if len(s) > _MAX_FIELD_CHARS:
        raise ValidationError("parse.price.invalid", example=PRICE_EXAMPLE)
    negotiable = False
    if _NEGO_RE.search(s):
        negotiable = True
        s = _NEGO_RE.sub(" ", s)
        s = " ".join(re.sub(r"[();:!]|,(?![0-9])", " ", s).split()).rstrip(" -.")
        if not s or s in ("harga", "rp", "rp."):
            return Price(amount=None, negotiable=True)
    s = _PER_UNIT_RE.sub("", s)
    s = re.sub(r"(?<=[0-9]) (?=[0-9]{3}\b)", "", s)  # "1 250 000"
    s = re.sub(r"[,.]?\s*-+$", "", s)  # "Rp 1.250.000,-"
    s = s.rstrip(".")
    prefix = _PRICE_PREFIX_RE.match(s)
    assert prefix is not None  # every part of the pattern is optional
    neg = bool(prefix["neg"])
    rest = s[prefix.end() :].strip()
    if not rest:
        if prefix["cur"] or s.startswith("harga"):
            raise ValidationError("parse.price.no_number", example=PRICE_EXAMPLE)
        raise ValidationError("parse.price.invalid", example=PRICE_EXAMPLE)
    if neg:
        rest = "-" + rest
    m = _PRICE_RE.match(rest)
    if m is None:
        words = set(re.findall(r"[a-z]+", rest))
        if not re.search(r"[0-9]", rest) and (words & _NUMBER_WORDS or any(w.endswith("belas") for w in words)):
            raise ValidationError("parse.price.words", example=PRICE_EXAMPLE)
        raise ValidationError("parse.price.invalid", example=PRICE_EXAMPLE)
    num = m["num"].rstrip(".,")
    if len(_digits(num)) > 18:
        raise ValidationError("parse.price.too_large", example=PRICE_EXAMPLE, max=format_rupiah(MAX_PRICE))
    value = _to_decimal(num)
    if value is None or (not m["mult"] and re.fullmatch(r"[0-9]+\.(?:[0-9]{1,2}|[0-9]{4,})", num)):
        # without rb/jt a lone dot is a thousands separator: "15.00" is a typo, not fifteen rupiah
        raise ValidationError("parse.price.invalid", example=PRICE_EXAMPLE)
    amount = value * _MULTIPLIERS[m["mult"]] if m["mult"] else value
    if amount != amount.to_integral_value():
        raise ValidationError("parse.price.invalid", example=PRICE_EXAMPLE)
    if amount == 0:
        raise ValidationError("parse.price.zero", example=PRICE_EXAMPLE)
    if m["neg"]:
        raise ValidationError("parse.price.negative", example=PRICE_EXAMPLE)
    if amount > MAX_PRICE:
        raise ValidationError("parse.price.too_large", example=PRICE_EXAMPLE, max=format_rupiah(MAX_PRICE))
    return Price(amount=int(amount), negotiable=negotiable)


def unit_in_price(text: str) -> str | None:
    """The unit written with a price (`Rp 25.000/bungkus`, `15rb per kotak`), or None."""
    s = _clean(text).lower().rstrip(" .,-")
    m = _PER_UNIT_RE.search(s)
    if m is None:
        return None
    try:
        return parse_unit(m.group(0))
    except ValidationError:
        return None


# ----------------------------------------------------------------------------------------------- phone

_PHONE_LABEL_RE = re.compile(r"^(?:(?:no|nomor|nomer|hp|wa|whatsapp|telp|telpon|telepon|tel)\b[\s.:]*)+")
_PHONE_CHARS_RE = re.compile(r"[0-9+\-\s().]+")


def parse_phone(text: str) -> str:
    """Read an Indonesian phone number (mobile or landline) and return it in E.164, e.g. `+6281234567890`."""
    s = _clean(text).lower()
    if not s:
        raise ValidationError("parse.phone.empty", example=PHONE_EXAMPLE)
    s = _PHONE_LABEL_RE.sub("", s).strip()
    if len(s) > 40 or not _PHONE_CHARS_RE.fullmatch(s) or len(_digits(s)) < 6:
        raise ValidationError("parse.phone.invalid", example=PHONE_EXAMPLE)
    number = _parse_number(s)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError("parse.phone.invalid", example=PHONE_EXAMPLE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_number(s: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(s, "ID")
    except phonenumbers.NumberParseException:
        return None


# ------------------------------------------------------------------------------------ permit numbers

_LABEL_NO_RE = r"(?:(?:no|nomor|nomer)\b[\s.:]*)?"
_NIB_PREFIX_RE = re.compile(rf"^(?:nib\b[\s.:]*)?{_LABEL_NO_RE}")
_PIRT_PREFIX_RE = re.compile(rf"^(?:(?:sp[\s\-.]*)?p[\s\-.]*irt\b[\s.:]*)?{_LABEL_NO_RE}")
_HALAL_PREFIX_RE = re.compile(rf"^(?:(?:sertifikat\s+)?halal\b[\s.:]*)?{_LABEL_NO_RE}")
_DIGIT_RUN_RE = re.compile(r"[0-9][0-9\s\-.]*")


def parse_nib(text: str) -> str:
    """Read a 13-digit NIB (Nomor Induk Berusaha); spaces, dots and dashes are ignored."""
    s = _NIB_PREFIX_RE.sub("", _clean(text).lower())
    if len(s) > _MAX_FIELD_CHARS or not _DIGIT_RUN_RE.fullmatch(s) or len(_digits(s)) != 13:
        raise ValidationError("parse.nib.invalid", example=NIB_EXAMPLE)
    return _digits(s)


_TKDN_RE = re.compile(
    r"^(?:tkdn\b[\s.:]*)?(?P<neg>[-−]\s*)?(?P<int>[0-9]{1,6})(?:[.,](?P<frac>[0-9]{1,4}))?\s*(?:%|persen)?$"
)


def parse_tkdn_percent(text: str) -> Decimal:
    """Read a TKDN percentage from 0 to 100: `45`, `45%`, `45,5 %`, `45.5`."""
    s = _clean(text).lower()
    m = _TKDN_RE.match(s) if len(s) <= _MAX_FIELD_CHARS else None
    if m is None:
        raise ValidationError("parse.tkdn.invalid", example=TKDN_EXAMPLE)
    value = Decimal(f"{m['int']}.{m['frac']}" if m["frac"] else m["int"])
    if (m["neg"] and value != 0) or value > MAX_TKDN:
        raise ValidationError("parse.tkdn.range", example=TKDN_EXAMPLE)
    return value


def parse_pirt(text: str) -> str:
    """Read a P-IRT number (15 digits, the last two the expiry year) and return `1234567890123-45`."""
    s = _PIRT_PREFIX_RE.sub("", _clean(text).lower())
    if len(s) > _MAX_FIELD_CHARS or not _DIGIT_RUN_RE.fullmatch(s) or len(_digits(s)) != 15:
        raise ValidationError("parse.pirt.invalid", example=PIRT_EXAMPLE)
    digits = _digits(s)
    return f"{digits[:13]}-{digits[13:]}"


_HALAL_RE = re.compile(r"^id[\s\-.]*(?P<num>[0-9][0-9\s\-.]*)$")
_HALAL_MIN_DIGITS = 8
_HALAL_MAX_DIGITS = 24


def parse_halal(text: str) -> str:
    """Read a BPJPH halal certificate number, `ID` followed by digits, and return it as `ID3111...`."""
    s = _HALAL_PREFIX_RE.sub("", _clean(text).lower())
    m = _HALAL_RE.match(s) if len(s) <= _MAX_FIELD_CHARS else None
    if m is None or not _HALAL_MIN_DIGITS <= len(_digits(m["num"])) <= _HALAL_MAX_DIGITS:
        raise ValidationError("parse.halal.invalid", example=HALAL_EXAMPLE)
    return "ID" + _digits(m["num"])


# -------------------------------------------------------------------------------------------- yes / no


def parse_yes_no(text: str) -> bool:
    """Read a yes/no answer in Indonesian or English (`ya`, `sudah`, `ok` / `tidak`, `belum`, `gak`)."""
    answer = words.yes_no(_clean(text))
    if answer is None:
        raise ValidationError("parse.yes_no.invalid", example="ya")
    return answer


# ----------------------------------------------------------------------------------------------- units

UNITS: tuple[str, ...] = (
    "pcs", "buah", "kotak", "dus", "rim", "kg", "gram", "ons", "liter", "ml", "meter", "cm", "m2", "m3",
    "paket", "set", "lusin", "kodi", "porsi", "lembar", "pasang", "unit", "orang", "hari", "jam", "bulan",
    "botol", "bungkus", "pack", "roll", "stel", "eksemplar", "cup", "gelas", "ekor", "ikat", "karung",
    "sak", "batang", "kali", "kegiatan", "tabung", "toples", "sachet",
)  # fmt: skip
_UNIT_ALIASES: dict[str, str] = {
    "pc": "pcs", "piece": "pcs", "pieces": "pcs", "psc": "pcs", "bh": "buah", "biji": "buah",
    "box": "kotak", "boks": "kotak", "kotakan": "kotak", "kardus": "dus", "dos": "dus", "karton": "dus",
    "kilo": "kg", "kilogram": "kg", "kgs": "kg", "gr": "gram", "grm": "gram", "g": "gram",
    "l": "liter", "lt": "liter", "ltr": "liter", "litre": "liter", "mililiter": "ml",
    "m": "meter", "mtr": "meter", "metre": "meter", "centimeter": "cm", "sentimeter": "cm",
    "m²": "m2", "meterpersegi": "m2", "mpersegi": "m2", "m³": "m3", "meterkubik": "m3", "kubik": "m3",
    "pkt": "paket", "package": "paket", "lsn": "lusin", "dozen": "lusin", "porsian": "porsi",
    "lbr": "lembar", "sheet": "lembar", "helai": "lembar", "psg": "pasang", "pair": "pasang",
    "org": "orang", "pax": "orang", "person": "orang", "peserta": "orang", "hr": "hari", "day": "hari",
    "hour": "jam", "bln": "bulan", "btl": "botol", "bottle": "botol", "bks": "bungkus", "bgks": "bungkus",
    "pak": "pack", "pck": "pack", "rol": "roll", "gulung": "roll", "setel": "stel", "stell": "stel",
    "exemplar": "eksemplar", "eks": "eksemplar", "exp": "eksemplar", "buku": "eksemplar",
    "saset": "sachet", "stoples": "toples",
}  # fmt: skip
_UNIT_PREFIX_RE = re.compile(r"^(?:/|@|per\b|satuan\b|tiap\b|setiap\b)[\s:/.-]*")
_UNIT_MAX_CHARS = 20


def _lookup_unit(s: str) -> str | None:
    key = re.sub(r"[\s.\-]", "", s)
    if key in UNITS:
        return key
    if key in _UNIT_ALIASES:
        return _UNIT_ALIASES[key]
    if key.endswith("s") and key[:-1] in UNITS:  # "sets", "units", "packs"
        return key[:-1]
    return None


def parse_unit(text: str) -> str:
    """Normalise a unit of sale (`/pcs`, `per kotak`, `Kg`, `box`) to a canonical name such as `kotak`."""
    s = _clean(text).lower()
    s = _UNIT_PREFIX_RE.sub("", s).strip().rstrip(".")
    unit = _lookup_unit(s) if len(s) <= 40 else None
    if unit is not None:
        return unit
    if re.fullmatch(rf"[a-z]{{1,{_UNIT_MAX_CHARS}}}", s):
        return s
    raise ValidationError("parse.unit.invalid", example=UNIT_EXAMPLE)


# -------------------------------------------------------------------------------------------- quantity

_QTY_PREFIX_RE = re.compile(
    r"^(?:(?:min(?:imal|imum)?|paling\s+sedikit|at\s+least)\b[\s:.]*)?"
    r"(?:±|\+/-|\+-|~|kurang\s+lebih|kurleb|kira-kira|kira2|kira|sekitar|approx|sebanyak|jumlah|qty)?[\s:.]*"
)
_QTY_RE = re.compile(
    rf"^(?P<neg>[-−]\s*)?(?P<num>[0-9][0-9.,]*)\s*(?:(?P<mult>{_MULT_RE})(?![a-z]))?(?:an(?![a-z]))?\s*(?P<rest>.*)$"
)


def parse_quantity(text: str) -> int:
    """Read a whole positive quantity: `100`, `1.000`, `100 pcs`, `± 500`, `2rb`, `min 10 bungkus`."""
    s = _clean(text).lower()
    if len(s) > _MAX_FIELD_CHARS:
        raise ValidationError("parse.quantity.invalid", example=QUANTITY_EXAMPLE)
    s = _QTY_PREFIX_RE.sub("", s)
    s = re.sub(r"(?<=[0-9]) (?=[0-9]{3}\b)", "", s)
    m = _QTY_RE.match(s)
    if m is None:
        raise ValidationError("parse.quantity.invalid", example=QUANTITY_EXAMPLE)
    if m["rest"]:
        try:
            parse_unit(m["rest"])
        except ValidationError:
            raise ValidationError("parse.quantity.invalid", example=QUANTITY_EXAMPLE) from None
    num = m["num"].rstrip(".,")
    value = _to_decimal(num) if len(_digits(num)) <= 18 else Decimal(MAX_QUANTITY + 1)
    if value is None:
        raise ValidationError("parse.quantity.invalid", example=QUANTITY_EXAMPLE)
    if m["mult"]:
        value *= _MULTIPLIERS[m["mult"]]
    if value != value.to_integral_value():
        raise ValidationError("parse.quantity.invalid", example=QUANTITY_EXAMPLE)
    if m["neg"] or not 1 <= value <= MAX_QUANTITY:
        raise ValidationError(
            "parse.quantity.range", example=QUANTITY_EXAMPLE, min=1, max=f"{MAX_QUANTITY:,}".replace(",", ".")
        )
    return int(value)


# ------------------------------------------------------------------------------------------------ URLs

_HOST_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def parse_url(text: str) -> str:
    """Read a web link; `www.x.com` or `tokopedia.com/toko` gets `https://` in front."""
    s = _clean(text).strip("<>\"'").rstrip(".,;:!?")
    if not s or len(s) > _MAX_URL_CHARS or " " in s:
        raise ValidationError("parse.url.invalid", example=URL_EXAMPLE)
    if not _SCHEME_RE.match(s):
        s = "https://" + s
    try:
        parts = urlsplit(s)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ValidationError("parse.url.invalid", example=URL_EXAMPLE) from None
    scheme = parts.scheme.lower()
    if (
        scheme not in ("http", "https")
        or not host
        or parts.username is not None
        or "@" in parts.netloc
        or not _HOST_RE.fullmatch(host)
    ):
        raise ValidationError("parse.url.invalid", example=URL_EXAMPLE)
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


# ------------------------------------------------------------------------------------------------ text


def _has_letter(s: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in s)


def _check_text(s: str, min_len: int, max_len: int, example: str) -> str:
    if not s:
        raise ValidationError("parse.text.too_short", min=min_len, example=example)
    if not _has_letter(s):
        raise ValidationError("parse.text.no_letters", example=example)
    if len(s) < min_len:
        raise ValidationError("parse.text.too_short", min=min_len, example=example)
    if len(s) > max_len:
        raise ValidationError("parse.text.too_long", max=max_len, length=len(s), example=example)
    return s


def parse_name(text: str, *, min_len: int = 2, max_len: int = 100, example: str = NAME_EXAMPLE) -> str:
    """Tidy a name (business, product, person): trim, one space between words, must contain a letter."""
    s = " ".join(unicodedata.normalize("NFC", _strip_invisible(text or "")).split())
    return _check_text(s, min_len, max_len, example)


def parse_description(text: str, max_len: int = 500, *, min_len: int = 3, example: str = DESCRIPTION_EXAMPLE) -> str:
    """Tidy a free-text description: trim, collapse spaces, keep at most one blank line between paragraphs."""
    s = unicodedata.normalize("NFC", _strip_invisible(text or "")).replace("\t", " ")
    lines = [" ".join(line.split()) for line in s.split("\n")]
    s = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return _check_text(s, min_len, max_len, example)
