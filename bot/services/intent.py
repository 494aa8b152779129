"""What a free message is, before anything searches it: a chat, a question about the bot, a vendor's
request in free words, an unknown command, or a real search.

Only a real search reaches the catalog (and the search log, and the "Catat kebutuhan" offer). The rules
are plain word rules, no model: a message is a chat when *every* word is a chat word (`p`, `wkwk`,
`makasih pak`, 👍); a question about using the bot needs a how-word *and* a bot topic ("gimana caranya
lihat nomor hp penjual?"); a price change needs a change word *and* "harga" ("ganti harga jadi 17rb");
a registration needs a wish or registration word *and* selling words ("mau daftar jualan keripik").
Everything else is a search: when in doubt, search (a missed search costs more than a missed chat).

`read_intent` needs no database and returns a plain value; handlers decide what to say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.errors import ValidationError
from bot.services import words
from bot.services.parsers import parse_price

SEARCH = "search"
CHAT = "chat"
THANKS = "thanks"
YES_NO = "yes_no"
HOWTO = "howto"
EDIT_PRICE = "edit_price"
REGISTER = "register"
ADD_PRODUCT = "add_product"
COMMAND = "command"

# How-to topics (each has its answer in search.po as `intent.howto_<topic>`).
TOPIC_CONTACT = "contact"
TOPIC_REGISTER = "register"
TOPIC_PRODUCT = "product"
TOPIC_SEARCH = "search"
TOPIC_DATA = "data"
TOPIC_GENERAL = "general"

_WORD_RE = re.compile(r"[^\W_]+")

_CHAT_WORDS = frozenset(
    {
        "p", "pp", "ping", "tes", "test", "testing", "halo", "hallo", "helo", "hello", "hai", "hi", "hay", "hey",
        "wkwk", "wkwkwk", "wkwkwkwk", "haha", "hahaha", "hehe", "hehehe", "hihi", "xixi", "lol", "wk",
        "mantap", "mantul", "sip", "sipp", "siip", "oke", "ok", "okay", "okey", "okee", "noted", "nice", "good",
        "keren", "bagus", "assalamualaikum", "assalamu", "alaikum", "waalaikumsalam", "salam", "selamat",
        "pagi", "siang", "sore", "malam", "met", "permisi", "punten", "maaf", "pak", "bu", "kak", "mas", "mbak",
        "min", "admin", "gan", "bang", "sis", "bro", "om", "dek", "ya", "yaa", "iya", "iyaa", "y",
        "baik", "siap", "yuk", "ayo", "dong", "deh", "kok", "sih", "aja", "nih", "tuh", "lah", "kah", "ah",
        "eh", "oh", "oo", "ooh", "hmm", "hm", "gitu", "begitu", "morning", "afternoon", "evening",
        "night", "bot", "there",
    }
)  # fmt: skip
_THANK_WORDS = frozenset(
    {"makasih", "makasi", "mksh", "mks", "trims", "trimakasih", "terimakasih", "thanks", "thank", "thx", "tq",
     "ty", "suwun", "nuwun", "matur", "hatur", "nuhun", "tengkyu", "banyak", "kasih", "terima", "you", "much"}
)  # fmt: skip
_THANK_PARTS = frozenset({"banyak", "you", "much", "kasih", "terima"})  # thanks only next to a thanks word
_HOW_WORDS = frozenset(
    {"gimana", "bagaimana", "gmn", "gmana", "bgmn", "bgaimana", "cara", "caranya", "how", "bisakah", "bisa",
     "kenapa", "mengapa", "apakah", "dimana", "mana"}
)  # fmt: skip
_TOPICS: tuple[tuple[str, frozenset[str]], ...] = (
    (TOPIC_CONTACT, frozenset({"nomor", "no", "nomer", "hp", "wa", "whatsapp", "kontak", "telepon", "telpon",
                               "menghubungi", "hubungi", "contact", "phone", "number", "call"})),
    (TOPIC_DATA, frozenset({"privasi", "privacy", "hapus", "delete"})),
    (TOPIC_REGISTER, frozenset({"daftar", "mendaftar", "mendaftarkan", "registrasi", "register", "gabung",
                                "bergabung", "sign"})),
    (TOPIC_SEARCH, frozenset({"cari", "mencari", "nyari", "search", "find", "menemukan", "pakai", "memakai",
                              "menggunakan", "pake", "use"})),
    (TOPIC_PRODUCT, frozenset({"produk", "produkku", "product", "dagangan", "harga", "foto"})),
)  # fmt: skip
_ABOUT_BOT = frozenset({"bot", "aplikasi", "ini", "sini", "penjual", "seller", "vendor", "produk", "product",
                        "saya", "i", "my"})  # fmt: skip
_CHANGE_WORDS = frozenset(
    {"ganti", "ubah", "ubahkan", "gantikan", "update", "perbarui", "naikkan", "naikin", "turunkan", "turunin",
     "edit", "koreksi", "change", "set", "jadikan", "rubah", "revisi"}
)  # fmt: skip
_PRICE_WORDS = frozenset({"harga", "hrg", "price", "harganya"})
_PRICE_LINK = frozenset({"jadi", "menjadi", "jd", "ke", "to", "sekarang", "skrg", "="})
_WISH_WORDS = frozenset({"mau", "ingin", "pengen", "pingin", "want", "hendak", "akan", "bisa", "boleh",
                         "gimana", "cara", "caranya", "bagaimana"})  # fmt: skip
_REGISTER_WORDS = frozenset({"daftar", "mendaftar", "mendaftarkan", "registrasi", "register", "gabung",
                             "bergabung", "terdaftar"})  # fmt: skip
_SELLING_WORDS = frozenset(
    {"jualan", "berjualan", "usaha", "umkm", "toko", "penjual", "vendor", "pelaku", "seller", "dagang",
     "berdagang", "lapak", "bisnis", "business", "sell", "selling", "jual", "menjual", "produk", "produkku"}
)  # fmt: skip
_ADD_WORDS = frozenset({"tambah", "tambahkan", "menambah", "menambahkan", "upload", "unggah", "pasang", "posting",
                        "masukkan", "masukin", "add"})  # fmt: skip
_PRODUCT_WORDS = frozenset({"produk", "barang", "dagangan", "jualan", "jualanku", "product", "menu"})
_MAX_CHAT_WORDS = 8
_MAX_REQUEST_WORDS = 14  # a vendor's request in free words is short; a long text is a buyer's letter


@dataclass(frozen=True)
class Intent:
    """What a message asks for: `kind` (one of the constants above), a how-to `topic`, a `price` in rupiah
    for a price change, and `rest`, the words left when the request words are taken out (a product name)."""

    kind: str
    topic: str | None = None
    price: int | None = None
    rest: str = ""
    command: str | None = None


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _collapse(word: str) -> str:
    """`makasiiih` -> `makasih`, `wkwkwkwk` stays a laugh, `pppp` -> `p`."""
    squeezed = re.sub(r"(.)\1{2,}", r"\1", word)
    if re.fullmatch(r"(wk)+w?k?|(ha)+h?|(he)+h?|(hi)+h?|(xi)+|p+|a?w?k+w?k*", squeezed):
        return "wkwk" if "w" in squeezed or "k" in squeezed else squeezed[:4]
    return squeezed


def _is_chat(ws: list[str], raw: str) -> bool:
    if not ws:  # emoji, stickers as text, punctuation: a reaction
        return bool(raw.strip())
    return len(ws) <= _MAX_CHAT_WORDS and all(w in _CHAT_WORDS or w in _THANK_WORDS for w in ws)


def _is_thanks(ws: list[str]) -> bool:
    """`makasih`, `terima kasih bu 🙏`, `thank you so much`: thanks words and polite words only."""
    if not ws or len(ws) > _MAX_CHAT_WORDS or not all(w in _THANK_WORDS or w in _CHAT_WORDS for w in ws):
        return False
    return bool(set(ws) & (_THANK_WORDS - _THANK_PARTS)) or {"terima", "kasih"} <= set(ws)


def _price_in(text: str) -> int | None:
    for m in re.finditer(r"(?:rp\.?\s*)?\d[\d.,]*\s*(?:rb|ribu|rebu|k|jt|juta)?\b", text):
        try:
            amount = parse_price(m.group(0)).amount
        except ValidationError:
            continue
        if amount and amount >= 100:
            return amount
    return None


def _rest(ws: list[str], drop: frozenset[str]) -> str:
    return " ".join(w for w in ws if w not in drop and not any(ch.isdigit() for ch in w))


def read_intent(text: str) -> Intent:
    """The intent of one free message (no conversation was waiting for it)."""
    raw = (text or "").strip()
    folded = _folded(raw)
    if folded.startswith("/"):
        return Intent(COMMAND, command=folded[1:].split(maxsplit=1)[0].split("@")[0] if len(folded) > 1 else "")
    ws = [_collapse(w) for w in _WORD_RE.findall(folded)]
    if _is_thanks(ws) or words.said(raw) in words.THANKS:
        return Intent(THANKS)
    if ws and len(ws) <= 3 and words.yes_no(raw) is not None and not (set(ws) - words.YES - words.NO - words.FILLER):
        return Intent(YES_NO)
    if not ws and words.yes_no(raw) is not None:
        return Intent(YES_NO)
    if _is_chat(ws, raw):
        return Intent(CHAT)
    wordset = set(ws)
    if len(ws) <= _MAX_REQUEST_WORDS:
        if wordset & _CHANGE_WORDS and wordset & _PRICE_WORDS:
            drop = (
                _CHANGE_WORDS
                | _PRICE_WORDS
                | _PRICE_LINK
                | words.FILLER
                | {"rp", "rb", "ribu", "k", "produk", "yang", "untuk", "buat", "tolong"}
            )
            return Intent(EDIT_PRICE, price=_price_in(folded), rest=_rest(ws, frozenset(drop)))
        if wordset & _REGISTER_WORDS and wordset & (_SELLING_WORDS | {"sebagai", "jadi"}):
            return Intent(REGISTER)
        if wordset & _WISH_WORDS and wordset & {"jualan", "berjualan", "berdagang", "dagang", "sell"}:
            return Intent(REGISTER)
        if wordset & _ADD_WORDS and wordset & _PRODUCT_WORDS and not wordset & _HOW_WORDS:
            return Intent(ADD_PRODUCT)
    if wordset & _HOW_WORDS and len(ws) <= 20:
        about_bot = bool(wordset & _ABOUT_BOT) or "cara" in wordset or "caranya" in wordset or "how" in wordset
        for topic, topic_words in _TOPICS:
            if wordset & topic_words and about_bot:
                return Intent(HOWTO, topic=topic)
        if wordset & {"bot", "aplikasi"}:
            return Intent(HOWTO, topic=TOPIC_GENERAL)
    return Intent(SEARCH)
