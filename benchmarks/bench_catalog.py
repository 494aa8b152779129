"""Synthetic Kota Metro catalogs and buyer questions for `search_bench.py` (deterministic per seed).

Product names combine a head (what is sold) with modifiers; descriptions draw 10-30 words from a
Zipf-weighted vocabulary of common Indonesian words, product words and a long tail of made-up brand
words, so a few terms are in most products and most terms are rare, as in a real catalog.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from bot.services.region import load_region

HEADS: dict[str, list[str]] = {
    "makanan-minuman": [
        "keripik pisang", "keripik singkong", "keripik tempe", "kue basah", "kue lapis", "lemper ayam", "risol mayo",
        "nasi kotak", "nasi box", "snack box", "tumpeng", "kopi bubuk", "biji kopi robusta", "bolu gulung",
        "brownies kukus", "roti manis", "abon sapi", "kerupuk kemplang", "sambal lingkung", "madu hutan",
        "gula aren", "susu kambing etawa", "jamu kunyit", "air mineral", "kue kering", "donat", "rempeyek",
    ],
    "kerajinan": [
        "kain tapis", "tas tapis", "sulam usus", "selendang", "tas ecoprint", "syal ecoprint", "keranjang bambu",
        "tudung saji", "pot gerabah", "vas bunga", "plakat akrilik", "plakat kayu", "gantungan kunci", "mug",
    ],
    "atk": [
        "kertas hvs", "pulpen", "map plastik", "amplop", "stempel", "tinta printer", "buku agenda", "ordner",
        "spidol", "kertas sertifikat", "penggaris", "stapler",
    ],
    "percetakan": [
        "cetak spanduk", "x banner", "stiker vinyl", "undangan", "kartu nama", "brosur", "cetak buku", "kalender",
        "baliho", "neon box", "sablon kaos",
    ],
    "konveksi": [
        "seragam pdh", "seragam pdl", "kemeja batik", "kain batik", "kaos acara", "polo shirt", "jaket dinas",
        "rompi", "seragam sekolah", "baju pramuka", "topi bordir", "tas seminar", "goodie bag", "kebaya",
    ],
    "furnitur": ["meja kantor", "kursi kantor", "lemari arsip", "rak buku", "meja rapat", "kursi rotan", "rak besi"],
    "pertanian": ["beras premium", "beras merah", "sayur bayam", "cabai merah", "telur ayam", "bibit cabai", "jagung"],
    "jasa": [
        "sewa tenda", "sound system", "dekorasi pelaminan", "dokumentasi foto", "servis printer", "servis laptop",
        "laundry kiloan", "cuci karpet", "kanopi baja ringan", "catering prasmanan",
    ],
    "lainnya": ["gorden", "vertical blind", "karpet", "roller blind"],
}  # fmt: skip
MODIFIERS = [
    "pedas", "manis", "original", "cokelat", "keju", "balado", "jumbo", "mini", "premium", "ekonomis",
    "spesial", "kayu", "jati", "mahoni", "katun", "drill", "motif", "siger", "pucuk", "rebung", "emas", "putih",
    "hitam", "merah", "biru", "hijau", "kuning", "besar", "kecil", "kemasan", "toples", "bungkus", "kotak",
    "paket", "custom", "logo", "instansi", "lengkap", "tebal", "tipis", "lokal", "organik", "segar", "kering",
    "asin", "gurih",
]  # fmt: skip
COMMON = [
    "dan", "untuk", "dengan", "yang", "di", "dari", "bisa", "pesan", "kirim", "harga", "per", "isi", "ukuran",
    "bahan", "kualitas", "kota", "metro", "lampung", "produk", "buatan", "sendiri", "tersedia", "warna",
    "pilihan", "cocok", "acara", "kantor", "sekolah", "rapat", "tamu", "gram", "kg", "meter", "lembar",
    "minimal", "order", "hari", "siap", "antar", "gratis", "ongkir", "dalam", "tanpa", "pengawet", "higienis",
    "tahan", "lama", "halal",
]  # fmt: skip
KECAMATAN = {k.name: list(k.kelurahan) for k in load_region().kecamatan}
NAME_WORDS = [
    "Sari", "Rasa", "Jaya", "Makmur", "Berkah", "Lestari", "Sinar", "Mulia", "Indah", "Putri", "Abadi",
    "Sejahtera", "Karya", "Mandiri", "Barokah",
]  # fmt: skip
_SYLLABLES = [
    "ka", "ri", "pa", "su", "ma", "ta", "lo", "ni", "ba", "go", "de", "wi", "ra", "ju", "sa", "me", "to", "la",
    "na", "bu",
]  # fmt: skip


@dataclass(frozen=True)
class Catalog:
    """Rows ready for a bulk insert."""

    vendors: list[dict[str, object]]
    products: list[dict[str, object]]


def _zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def _long_tail(rng: random.Random, n: int) -> list[str]:
    words = {"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(n * 2)}
    return sorted(words)[:n]


def make_catalog(size: int, seed: int = 42) -> Catalog:
    """`size` products from `size // 20 + 1` vendors over the five kecamatan."""
    rng = random.Random(seed)
    heads = [(cat, head) for cat, items in HEADS.items() for head in items]
    head_weights = _zipf_weights(len(heads), 0.8)
    vocabulary = COMMON + MODIFIERS + [w for _, h in heads for w in h.split()] + _long_tail(rng, 20_000)
    vocab_weights = _zipf_weights(len(vocabulary))
    vendors = []
    for i in range(size // 20 + 1):
        kecamatan = rng.choice(list(KECAMATAN))
        kind = rng.choices(heads, weights=head_weights)[0][1].split()[0].title()
        vendors.append(
            {
                "vendor_ref": f"BV{i:06d}",
                "business_name": f"{kind} {rng.choice(NAME_WORDS)} {rng.choice(NAME_WORDS)}",
                "kecamatan": kecamatan,
                "address": f"Jl. {rng.choice(NAME_WORDS)} {rng.randint(1, 200)}, {rng.choice(KECAMATAN[kecamatan])}",
                "description": " ".join(rng.choices(vocabulary, weights=vocab_weights, k=rng.randint(5, 15))),
                "ekatalog": rng.random() < 0.15,
                "tkdn_certified": rng.random() < 0.10,
                "halal": rng.random() < 0.4,
                "verified": rng.random() < 0.3,
                "search_text": "",
            }
        )
    products = []
    for i in range(size):
        category, head = rng.choices(heads, weights=head_weights)[0]
        name = " ".join([head.title(), *rng.sample(MODIFIERS, rng.randint(0, 3))])
        products.append(
            {
                "product_ref": f"BP{i:07d}",
                "vendor_index": rng.randrange(len(vendors)),
                "name": name[:200],
                "category": category,
                "description": " ".join(rng.choices(vocabulary, weights=vocab_weights, k=rng.randint(10, 30))),
                "price": rng.choice([2500, 5000, 15000, 25000, 35000, 50000, 150000, 1500000]),
                "unit": rng.choice(["pcs", "kotak", "bungkus", "kg", "lembar", "buah"]),
                "tkdn_percent": rng.choice([None] * 9 + [25, 30, 41, 45, 60]),
                "search_text": "",
            }
        )
    return Catalog(vendors, products)


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["drop", "swap", "double"])
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


def make_queries(n: int, seed: int = 7) -> list[str]:
    """Buyer questions: plain, chatty, misspelt, filtered, browse-only, single common words, unanswerable."""
    rng = random.Random(seed)
    heads = [h for items in HEADS.values() for h in items]
    kec = list(KECAMATAN)
    templates = [
        lambda h: h,
        lambda h: f"siapa yang jual {h} ya pak?",
        lambda h: " ".join(_typo(rng, w) for w in h.split()),
        lambda h: f"{h} di {rng.choice(kec)}",
        lambda h: f"{h} tkdn",
        lambda h: f"{h} e-katalog",
        lambda h: f"{h} di bawah {rng.choice([10, 25, 50, 100])} ribu",
        lambda h: f"{h} {rng.choice(MODIFIERS)}",
        lambda h: h.split()[0],
        lambda h: f"kelurahan {rng.choice(KECAMATAN[rng.choice(kec)])} {h}",
    ]
    unanswerable = ["jual mobil bekas", "tiket pesawat", "sewa mobil pengantin", "obat sakit kepala", "iphone 15"]
    browse = ["ATK e-katalog", "kerajinan tkdn", "mebel di metro selatan", "jasa halal"]
    pool = itertools.cycle(templates)
    out = []
    for i in range(n):
        if i % 20 == 19:
            out.append(rng.choice(unanswerable))
        elif i % 25 == 24:
            out.append(rng.choice(browse))
        else:
            out.append(next(pool)(rng.choice(heads)))
    return out
