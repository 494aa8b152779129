# ruff: noqa: E501  (the kinds and trades are data tables, one row a line)
"""A realistic catalog of ~880 products from ~180 Kota Metro UMKM, for the search quality set.

    .venv/bin/python benchmarks/quality_catalog.py      # (re)writes benchmarks/data/quality/*.csv

Deterministic (fixed seed). Each product has a *kind* (what it is: `keripik_pisang`) and a *variant*
(its flavour or model), written to `kinds.csv` beside the import files, so that questions are judged
by kinds, not by product ids: a question's relevant products are those of the kinds it names.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "quality"
KECAMATAN = ("Metro Pusat", "Metro Barat", "Metro Timur", "Metro Utara", "Metro Selatan")
STREETS = ("Jl. Jend. Sudirman", "Jl. AH Nasution", "Jl. Imam Bonjol", "Jl. Ki Hajar Dewantara", "Jl. Sumbawa",
           "Jl. Pattimura", "Jl. Hasanuddin", "Jl. Kartini", "Jl. Veteran", "Jl. Brigjen Sutiyoso")  # fmt: skip
OWNERS = ("Sri Wahyuni", "Siti Aminah", "Budi Santoso", "Agus Salim", "Dewi Lestari", "Rina Marlina", "Joko Susilo",
          "Ani Rahmawati", "Hendra Saputra", "Yuli Astuti", "Wayan Sudarta", "Made Ariani", "Rudi Hartono",
          "Nur Hidayah", "Eko Prasetyo", "Fitri Handayani", "Bambang Irawan", "Lina Marlina", "Teguh Wibowo",
          "Sari Wulandari")  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """A kind of product: names (with `{v}` for the variant), variants, category, price range, unit, words."""

    key: str
    names: tuple[str, ...]
    variants: tuple[str, ...]
    category: str
    price: tuple[int, int]
    unit: str
    words: str  # a description fragment


K = Kind
KINDS: tuple[Kind, ...] = (
    K("keripik_pisang", ("Keripik Pisang {v}",), ("Cokelat", "Original", "Balado", "Keju", "Manis", "Asin"), "makanan-minuman", (15000, 35000), "bungkus", "pisang kepok renyah, kemasan 250 gram"),
    K("keripik_singkong", ("Keripik Singkong {v}", "Kripik Singkong {v}"), ("Pedas", "Original", "Balado", "Bawang"), "makanan-minuman", (10000, 25000), "bungkus", "singkong pilihan digoreng renyah"),
    K("keripik_tempe", ("Keripik Tempe {v}",), ("Sagu", "Original", "Pedas"), "makanan-minuman", (12000, 22000), "bungkus", "tempe tipis renyah"),
    K("kemplang", ("Kerupuk Kemplang {v}", "Kemplang Ikan {v}"), ("Panggang", "Goreng", "Tenggiri"), "makanan-minuman", (15000, 40000), "bungkus", "kerupuk ikan khas Lampung"),
    K("kerupuk", ("Kerupuk {v}",), ("Udang", "Bawang", "Rambak", "Kulit"), "makanan-minuman", (10000, 30000), "bungkus", "kerupuk mentah dan matang"),
    K("rempeyek", ("Rempeyek {v}",), ("Kacang", "Teri", "Kedelai"), "makanan-minuman", (12000, 25000), "toples", "rempeyek renyah buatan rumahan"),
    K("snack_box", ("Snack Box {v}", "Kotak Snack {v}"), ("Rapat", "Isi 3", "Isi 4", "Premium", "Hemat"), "makanan-minuman", (7000, 20000), "kotak", "kue basah dan kue kering dalam kotak untuk rapat dan acara"),
    K("nasi_kotak", ("Nasi Kotak {v}", "Nasi Box {v}"), ("Ayam Bakar", "Ayam Goreng", "Rendang", "Ikan", "Ayam Geprek"), "makanan-minuman", (15000, 40000), "kotak", "nasi putih, lauk, sayur, sambal dan buah"),
    K("tumpeng", ("Nasi Tumpeng {v}", "Tumpeng {v}"), ("Kuning", "Mini", "Komplit"), "makanan-minuman", (150000, 750000), "paket", "tumpeng untuk syukuran dan peresmian"),
    K("katering", ("Katering {v}", "Paket Prasmanan {v}"), ("Harian", "Pernikahan", "Kantor"), "jasa", (25000, 60000), "porsi", "katering untuk acara, rapat dan pernikahan"),
    K("kue_basah", ("Kue {v}",), ("Lapis Legit", "Lemper", "Risol", "Klepon", "Nagasari", "Dadar Gulung", "Onde-onde"), "makanan-minuman", (2000, 5000), "pcs", "jajanan pasar kue basah segar setiap pagi"),
    K("kue_kering", ("Kue Kering {v}",), ("Nastar", "Kastengel", "Putri Salju", "Lidah Kucing"), "makanan-minuman", (60000, 120000), "toples", "kue kering toples untuk lebaran dan hantaran"),
    K("roti", ("Roti {v}",), ("Manis Isi Cokelat", "Tawar", "Sobek", "Abon"), "makanan-minuman", (5000, 25000), "pcs", "roti lembut dipanggang setiap hari"),
    K("brownies", ("Brownies {v}",), ("Kukus", "Panggang", "Lumer"), "makanan-minuman", (40000, 70000), "loyang", "brownies cokelat lembut"),
    K("kue_ulang_tahun", ("Kue Ulang Tahun {v}", "Kue Tart {v}"), ("Custom", "Karakter", "Buttercream"), "makanan-minuman", (150000, 450000), "pcs", "kue tart hiasan sesuai pesanan"),
    K("kopi", ("Kopi Robusta {v}", "Kopi Bubuk {v}"), ("Lampung", "Premium", "Original"), "makanan-minuman", (30000, 90000), "bungkus", "kopi robusta Lampung sangrai"),
    K("madu", ("Madu {v}",), ("Hutan", "Kelulut", "Randu"), "makanan-minuman", (80000, 200000), "botol", "madu murni dari peternak lebah"),
    K("gula_aren", ("Gula Aren {v}", "Gula Semut {v}"), ("Cetak", "Organik"), "makanan-minuman", (20000, 45000), "kg", "gula aren asli tanpa campuran"),
    K("air_mineral", ("Air Mineral {v}",), ("Gelas 240 ml", "Botol 600 ml", "Galon 19 L"), "makanan-minuman", (18000, 45000), "dus", "air minum dalam kemasan untuk rapat dan acara"),
    K("sambal", ("Sambal {v}",), ("Lingkung", "Bawang", "Ikan Teri", "Roa"), "makanan-minuman", (20000, 40000), "botol", "sambal botol tanpa pengawet"),
    K("abon", ("Abon {v}",), ("Sapi", "Ikan Tuna", "Ayam"), "makanan-minuman", (35000, 80000), "bungkus", "abon gurih kemasan"),
    K("frozen_food", ("{v} Frozen",), ("Nugget Ayam", "Dimsum", "Siomay", "Pempek"), "makanan-minuman", (25000, 60000), "pak", "makanan beku siap goreng"),
    K("jamu", ("Jamu {v}",), ("Kunyit Asam", "Beras Kencur", "Temulawak"), "makanan-minuman", (8000, 20000), "botol", "jamu tradisional segar"),
    K("tapis", ("Kain Tapis {v}", "Tapis Lampung {v}"), ("Motif Pucuk Rebung", "Motif Kapal", "Benang Emas"), "kerajinan", (750000, 3500000), "lembar", "tenun tapis khas Lampung"),
    K("sulam_usus", ("{v} Sulam Usus",), ("Kebaya", "Selendang", "Bros", "Tas"), "kerajinan", (25000, 650000), "pcs", "sulaman usus khas Lampung"),
    K("anyaman", ("{v} Anyaman Bambu", "{v} Anyaman Rotan"), ("Keranjang", "Tudung Saji", "Tas", "Hiasan Dinding"), "kerajinan", (25000, 150000), "pcs", "kerajinan anyaman tangan"),
    K("gerabah", ("Gerabah {v}", "Pot Tanah Liat {v}"), ("Hias", "Kecil", "Besar"), "kerajinan", (15000, 120000), "pcs", "gerabah tanah liat dibakar"),
    K("suvenir", ("Suvenir {v}",), ("Gantungan Kunci Siger", "Miniatur Siger", "Magnet Kulkas", "Pin Lampung"), "kerajinan", (5000, 50000), "pcs", "cenderamata khas Lampung untuk tamu"),
    K("ecoprint", ("{v} Ecoprint",), ("Kain", "Syal", "Tas Kulit"), "kerajinan", (150000, 450000), "pcs", "pewarna alami daun"),
    K("seragam_sekolah", ("Seragam Sekolah {v}",), ("SD Merah Putih", "SMP Biru Putih", "SMA Abu-abu"), "konveksi", (100000, 180000), "stel", "jahitan rapi bahan drill"),
    K("seragam_dinas", ("Seragam {v}", "Baju Dinas {v}"), ("PDH", "PDL", "Korpri", "Linmas"), "konveksi", (150000, 300000), "stel", "penjahit seragam kantor dan instansi"),
    K("batik", ("Batik {v}", "Kemeja Batik {v}"), ("Tulis Lampung", "Cap Siger", "Motif Gajah", "Sekolah"), "konveksi", (90000, 450000), "pcs", "batik khas Lampung"),
    K("kaos", ("Kaos {v}",), ("Sablon Custom", "Polos Cotton Combed", "Kegiatan"), "konveksi", (35000, 85000), "pcs", "kaos sablon untuk acara dan komunitas"),
    K("bordir", ("Bordir {v}",), ("Logo Instansi", "Nama Dada", "Emblem"), "konveksi", (5000, 35000), "pcs", "bordir komputer rapi"),
    K("mukena", ("Mukena {v}",), ("Katun", "Rayon Bali", "Anak"), "konveksi", (90000, 250000), "pcs", "mukena jahitan sendiri"),
    K("jahit", ("Jasa Jahit {v}", "Permak {v}"), ("Baju", "Celana", "Kebaya"), "jasa", (25000, 150000), "pcs", "penjahit berpengalaman, terima permak dan jahit baru"),
    K("rajutan", ("{v} Rajut",), ("Tas", "Topi", "Syal", "Boneka"), "kerajinan", (30000, 150000), "pcs", "rajutan tangan benang katun"),
    K("tenun", ("Kain Tenun {v}",), ("Ikat", "Songket", "Lurik"), "kerajinan", (250000, 1500000), "lembar", "tenunan tangan alat tenun bukan mesin"),
    K("atk", ("{v}",), ("Kertas HVS A4 70 gram", "Bolpoin Hitam 1 Lusin", "Map Plastik", "Stopmap Folio", "Amplop Coklat", "Buku Tulis 38 Lembar"), "atk", (3000, 60000), "pak", "alat tulis kantor grosir dan eceran"),
    K("tinta", ("Tinta Printer {v}",), ("Refill 100 ml", "Original Hitam", "Warna Set"), "atk", (25000, 150000), "botol", "tinta printer untuk kantor"),
    K("stempel", ("Stempel {v}",), ("Flash", "Kayu", "Otomatis"), "atk", (35000, 120000), "pcs", "pembuatan stempel cepat jadi"),
    K("fotokopi", ("Fotokopi {v}", "Jasa Fotokopi {v}"), ("Hitam Putih", "Warna"), "percetakan", (200, 1500), "lembar", "fotokopi dan jilid dokumen"),
    K("jilid", ("Jilid {v}",), ("Spiral", "Hard Cover", "Soft Cover"), "percetakan", (5000, 40000), "buku", "penjilidan laporan dan skripsi"),
    K("spanduk", ("Spanduk {v}", "Banner {v}"), ("Flexi", "Kegiatan", "X-Banner"), "percetakan", (25000, 150000), "lembar", "cetak spanduk dan banner cepat"),
    K("undangan", ("Undangan {v}",), ("Pernikahan", "Rapat", "Khitanan"), "percetakan", (1500, 8000), "lembar", "cetak undangan"),
    K("stiker", ("Stiker {v}",), ("Label Produk", "Vinyl", "Cutting"), "percetakan", (500, 5000), "lembar", "cetak stiker label kemasan UMKM"),
    K("kartu_nama", ("Kartu Nama {v}",), ("Art Carton", "Premium"), "percetakan", (35000, 80000), "kotak", "cetak kartu nama"),
    K("plakat", ("Plakat {v}", "Vandel {v}"), ("Akrilik", "Kayu", "Kuningan"), "percetakan", (75000, 350000), "pcs", "plakat penghargaan dan kenang-kenangan"),
    K("meja", ("Meja {v}",), ("Kantor Kayu Jati", "Rapat", "Belajar"), "furnitur", (350000, 2500000), "unit", "meja kayu buatan pengrajin mebel"),
    K("kursi", ("Kursi {v}",), ("Kantor", "Tamu Jati", "Lipat"), "furnitur", (150000, 1800000), "unit", "kursi kayu dan besi"),
    K("lemari", ("Lemari {v}",), ("Arsip", "Pakaian", "Buku"), "furnitur", (600000, 2500000), "unit", "lemari kayu pesanan"),
    K("beras", ("Beras {v}",), ("Premium", "Organik", "Pandan Wangi"), "pertanian", (12000, 18000), "kg", "beras petani Metro"),
    K("sayur", ("Sayur {v}", "{v} Segar"), ("Bayam", "Kangkung", "Sawi", "Kacang Panjang"), "pertanian", (3000, 8000), "ikat", "sayuran segar hasil kebun"),
    K("cabai", ("Cabai {v}",), ("Merah Keriting", "Rawit", "Hijau"), "pertanian", (30000, 80000), "kg", "cabai segar dari petani"),
    K("telur", ("Telur {v}",), ("Ayam Negeri", "Ayam Kampung", "Bebek"), "pertanian", (25000, 60000), "tray", "telur segar peternak"),
    K("lele", ("Lele {v}",), ("Segar Konsumsi", "Bibit"), "pertanian", (20000, 30000), "kg", "ikan lele kolam sendiri"),
    K("susu_kambing", ("Susu Kambing {v}",), ("Etawa Segar", "Etawa Bubuk"), "pertanian", (20000, 90000), "botol", "susu kambing etawa"),
    K("tenda", ("Sewa Tenda {v}",), ("Dekor", "Kerucut", "Terop"), "jasa", (500000, 3000000), "paket", "penyewaan tenda untuk hajatan dan acara"),
    K("sound_system", ("Sewa Sound System {v}",), ("Kecil", "Lengkap", "Panggung"), "jasa", (500000, 2500000), "paket", "sound system dan operator untuk acara"),
    K("proyektor", ("Sewa Proyektor {v}", "Rental LCD Proyektor {v}"), ("Harian", "Plus Layar"), "jasa", (150000, 400000), "hari", "proyektor untuk rapat dan presentasi"),
    K("dekorasi", ("Dekorasi {v}",), ("Pelaminan", "Panggung", "Ulang Tahun"), "jasa", (1000000, 6000000), "paket", "dekorasi acara"),
    K("dokumentasi", ("Jasa {v}",), ("Foto Acara", "Video Dokumentasi", "Foto Produk"), "jasa", (300000, 2500000), "paket", "fotografer dan videografer"),
    K("laundry", ("Laundry {v}", "Cuci {v}"), ("Kiloan", "Karpet", "Gorden dan Sofa"), "jasa", (7000, 30000), "kg", "laundry dan cuci bersih"),
    K("cleaning", ("Jasa {v}",), ("Cleaning Service Kantor", "Bersih Rumah", "Kebersihan Gedung"), "jasa", (150000, 1500000), "paket", "tenaga kebersihan harian dan bulanan"),
    K("servis_komputer", ("Servis {v}",), ("Laptop", "Printer", "Komputer"), "jasa", (50000, 250000), "unit", "perbaikan komputer dan printer"),
    K("servis_ac", ("Servis AC {v}", "Cuci AC {v}"), ("Split", "Kantor"), "jasa", (75000, 250000), "unit", "servis dan isi freon AC"),
    K("bengkel_las", ("{v} Besi", "Pembuatan {v}"), ("Kanopi", "Pagar", "Teralis"), "jasa", (350000, 5000000), "meter", "bengkel las pembuatan kanopi dan pagar"),
    K("sabun", ("Sabun {v}",), ("Cuci Piring", "Cair Lantai", "Cuci Tangan"), "lainnya", (10000, 35000), "jeriken", "sabun cair produksi UMKM"),
    K("parsel", ("Parsel {v}", "Hampers {v}"), ("Lebaran", "Buah", "Natal"), "lainnya", (150000, 600000), "paket", "parsel dan hampers hari raya"),
    K("tas_seminar", ("Tas Seminar {v}", "Goodie Bag {v}"), ("Spunbond", "Kanvas", "Furing"), "konveksi", (8000, 45000), "pcs", "tas seminar sablon logo"),
)  # fmt: skip

TRADES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Keripik {o}", ("keripik_pisang", "keripik_singkong", "keripik_tempe", "rempeyek"), ("Sari", "Dua Putri", "Barokah", "Mekar", "Renyah")),
    ("Oleh-oleh {o}", ("keripik_pisang", "kemplang", "kopi", "suvenir", "gula_aren"), ("Siger", "Khas Metro", "Ruwa Jurai")),
    ("Kerupuk {o}", ("kerupuk", "kemplang", "abon"), ("Mbok Darmi", "Bahari", "Nelayan")),
    ("Katering {o}", ("nasi_kotak", "snack_box", "tumpeng", "katering"), ("Berkah Rasa", "Griya Boga", "Dapur Ibu", "Sedap Malam", "Rizki")),
    ("Kue {o}", ("kue_basah", "snack_box", "kue_kering", "brownies", "roti", "kue_ulang_tahun"), ("Bu Ratmi", "Cinta", "Manis", "Lestari")),
    ("Toko Roti {o}", ("roti", "brownies", "kue_ulang_tahun"), ("Harum", "Sentosa")),
    ("Kopi {o}", ("kopi", "gula_aren", "madu"), ("Tani Makmur", "Way Seputih")),
    ("Lebah {o}", ("madu", "gula_aren", "jamu"), ("Lestari", "Alami")),
    ("Segar {o}", ("air_mineral", "jamu", "sambal"), ("Metro Minuman", "Tirta")),
    ("Dapur {o}", ("sambal", "abon", "frozen_food"), ("Mama Ika", "Nusantara", "Bunda")),
    ("Tapis {o}", ("tapis", "sulam_usus", "tenun", "suvenir"), ("Siger Emas", "Cahaya", "Jurai")),
    ("Sulam Usus {o}", ("sulam_usus", "tapis", "rajutan"), ("Putri", "Sebambangan")),
    ("Anyam {o}", ("anyaman", "gerabah", "suvenir"), ("Lestari", "Rotan Jaya", "Bambu Indah")),
    ("Ecoprint {o}", ("ecoprint", "batik", "tas_seminar"), ("Daun Lestari", "Alam")),
    ("Rajut {o}", ("rajutan", "mukena"), ("Kasih", "Ibu Ani")),
    ("Konveksi {o}", ("seragam_dinas", "seragam_sekolah", "kaos", "bordir", "tas_seminar"), ("Maju", "Rapi Jahit", "Sinar", "Amanah", "Jaya Abadi")),
    ("Batik {o}", ("batik", "tapis", "kaos"), ("Siger", "Lampung Indah")),
    ("Penjahit {o}", ("jahit", "seragam_dinas", "mukena", "bordir"), ("Pak Darto", "Bu Sum", "Rapi")),
    ("Toko {o}", ("atk", "tinta", "stempel", "fotokopi"), ("Sinar Kantor", "Sumber Ilmu", "Pena Mas")),
    ("Percetakan {o}", ("spanduk", "undangan", "stiker", "kartu_nama", "plakat", "jilid", "fotokopi"), ("Cahaya Grafika", "Metro Print", "Cetak Kilat", "Prima")),
    ("Mebel {o}", ("meja", "kursi", "lemari"), ("Jati Makmur", "Kayu Indah", "Sumber Jaya")),
    ("Tani {o}", ("beras", "sayur", "cabai"), ("Makmur", "Subur", "Hijau")),
    ("Ternak {o}", ("telur", "lele", "susu_kambing"), ("Etawa Jaya", "Barokah")),
    ("Sewa {o}", ("tenda", "sound_system", "proyektor", "dekorasi"), ("Mitra Acara", "Karya Tenda", "Pesta Jaya")),
    ("Studio {o}", ("dokumentasi",), ("Lensa", "Momen")),
    ("Bersih {o}", ("laundry", "cleaning", "sabun"), ("Kilat", "Wangi", "Ceria")),
    ("{o} Tekno", ("servis_komputer", "servis_ac", "tinta"), ("Solusi", "Mitra", "Cepat")),
    ("Las {o}", ("bengkel_las",), ("Sinar Baja", "Mandiri")),
    ("Parsel {o}", ("parsel", "kue_kering"), ("Cantik", "Hampers Metro")),
)  # fmt: skip


def build(seed: int = 13) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, str]]]:
    """Vendors, products and the kinds sidecar, deterministic for a seed."""
    rng = random.Random(seed)
    vendors: list[dict[str, object]] = []
    products: list[dict[str, object]] = []
    kinds: list[dict[str, str]] = []
    by_key = {k.key: k for k in KINDS}
    seen_names: set[str] = set()
    for copy in range(3):
        for pattern, trade_kinds, others in TRADES:
            for other in others:
                name = pattern.format(o=other) + ("" if copy == 0 else f" {['', 'Dua', 'Tiga'][copy]}")
                if name in seen_names:
                    continue
                seen_names.add(name)
                ref = f"Q{len(vendors) + 1:03d}"
                kec = rng.choice(KECAMATAN)
                ekatalog, tkdn, halal = rng.random() < 0.3, rng.random() < 0.25, rng.random() < 0.6
                vendors.append(
                    {
                        "vendor_ref": ref, "business_name": name, "owner_name": rng.choice(OWNERS),
                        "phone": f"+62812{rng.randrange(10**7, 10**8)}", "kecamatan": kec,
                        "address": f"{rng.choice(STREETS)} No. {rng.randrange(1, 200)}", "nib": "",
                        "ekatalog": "Ya" if ekatalog else "Tidak", "tkdn_certified": "Ya" if tkdn else "Tidak",
                        "halal": "Ya" if halal else "Tidak",
                        "description": f"Usaha {pattern.format(o='').strip().lower()} di {kec}, melayani pesanan instansi dan umum.",
                    }
                )  # fmt: skip
                picked = rng.sample(trade_kinds, k=min(len(trade_kinds), rng.randrange(2, 5)))
                for key in picked:
                    kind = by_key[key]
                    for variant in rng.sample(kind.variants, k=min(len(kind.variants), rng.randrange(1, 3))):
                        pname = rng.choice(kind.names).format(v=variant)
                        low, high = kind.price
                        price = round(rng.randrange(low, high + 1) / 500) * 500 or low
                        pref = f"QP{len(products) + 1:04d}"
                        tk = rng.choice(("", "", "", "25", "42", "60")) if tkdn else ""
                        products.append(
                            {
                                "product_ref": pref, "vendor_ref": ref, "name": pname, "category": kind.category,
                                "description": f"{pname}: {kind.words}.", "price": price, "unit": kind.unit,
                                "tkdn_percent": tk,
                            }
                        )  # fmt: skip
                        kinds.append({"product_ref": pref, "kind": key, "variant": variant})
    return vendors, products, kinds


def write(out: Path = OUT) -> tuple[int, int]:
    """Write vendors.csv, products.csv and kinds.csv; returns (vendors, products)."""
    vendors, products, kinds = build()
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("vendors.csv", vendors), ("products.csv", products), ("kinds.csv", kinds)):
        with (out / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return len(vendors), len(products)


if __name__ == "__main__":
    print("vendors, products:", write())
