"""Long messages read as people write them: a request letter's subject line names the need, its number, NIP,
address, date and signature name none; the request verb that means it wins; a list after "sebagai berikut:"
or a heading with a colon gives its items; brackets, "berupa", "rencananya" and "warna ..." say which one; the
fiscal year is no price; a place wished for in another sentence still holds."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.region import load_region
from bot.services.search import search
from bot.services.search.query import letter_parts, need_items, parse_query, strip_frame

METRO = load_region()

LETTER = (
    "KOP SURAT\nDINAS KESEHATAN\nJl. Jend. Sudirman No. 15 Metro Telp. (0725) 41234\n\n"
    "Nomor : 027/145/D.3/2026\nLampiran : 1 (satu) berkas\nPerihal : Permohonan Penawaran Harga Kertas HVS\n\n"
    "Kepada Yth.\nPimpinan Usaha\ndi -\nTempat\n\nDengan hormat,\n"
    "Dalam rangka kegiatan Triwulan III Tahun Anggaran 2026 kami mohon informasi.\n\n"
    "Demikian disampaikan, atas perhatiannya diucapkan terima kasih.\n\n"
    "Metro, 12 Agustus 2026\nKepala Bagian Umum\n\nDrs. Suparman, M.Si\nNIP 19680512 199003 1 004"
)


def required(text: str) -> list[str]:
    return [c.label for c in parse_query(text, METRO).concepts if not c.optional]


def listed(text: str) -> list[str]:
    """The things of a message's list, each as its required words."""
    items = parse_query(text, METRO).items
    return [" ".join(c.label for c in item.concepts if not c.optional) for item in items]


def optional(text: str) -> list[str]:
    return [c.label for c in parse_query(text, METRO).concepts if c.optional]


def test_a_letters_subject_names_the_need_and_its_administrative_lines_name_none() -> None:
    subject, body = letter_parts(LETTER)
    assert subject == ("kertas", "hvs")
    for gone in ("027/145", "Lampiran", "Jl. Jend", "NIP", "Suparman", "Kepala Bagian", "12 Agustus", "Demikian"):
        assert gone not in body, gone
    assert "Triwulan III" in body
    assert required(LETTER) == ["kertas hvs"]
    assert parse_query(LETTER, METRO).filters.max_price is None  # "Tahun Anggaran 2026" is a year


def test_a_request_sentence_in_the_body_wins_over_the_subject() -> None:
    letter = (
        "Perihal: Permohonan Penawaran Konsumsi Rapat\n\nDengan hormat, kami membutuhkan:\n"
        "- Nasi kotak : 60 kotak\n- Snack box : 60 kotak\n- Air mineral gelas : 5 dus\nTerima kasih"
    )
    assert listed(letter) == ["nasi kotak", "snack box", "air mineral gelas"]


def test_a_list_after_sebagai_berikut_and_an_offer_asked_for() -> None:
    letter = (
        "Dengan hormat, bersama ini kami mohon penawaran harga untuk barang-barang sebagai berikut:\n"
        "1. Kertas HVS : 25 rim\n2. Pulpen : 10 lusin\n3. Stopmap folio : 200 buah"
    )
    assert listed(letter) == ["kertas hvs", "pulpen", "stopmap folio"]
    bullets = "Dinas PPKB membutuhkan:\n✅ Kaos polos warna putih 120 pcs\n✅ Spanduk 3x1 meter"
    assert listed(bullets) == ["kaos polos", "spanduk"]


def test_the_strong_request_verb_of_a_sentence_wins() -> None:
    text = "Kami mau menata ruang arsip yang baru, jadi rencananya butuh lemari arsip sekitar 6 unit."
    assert required(text) == ["lemari", "arsip"]
    assert (
        strip_frame("saya dari sekolah mau pakai susu kambing etawa buat 50 balita")
        == "susu kambing etawa untuk 50 balita"
    )


def test_an_office_name_is_no_request() -> None:
    text = (
        "Selamat siang,\nKami dari Bagian Pengadaan Barang dan Jasa Setda Kota Metro. "
        "Kami sedang mencari penyedia meja kantor. Terima kasih."
    )
    assert required(text) == ["meja"]


def test_wish_words_name_the_thing_after_an_occasion() -> None:
    assert required("Bu, kami mau kasih hadiah untuk pemenang lomba MTQ, rencananya mukena katun 9 buah.") == [
        "mukena",
        "katun",
    ]
    text = "Selamat sore. Pimpinan minta disiapkan oleh-oleh khas Metro. Rencananya madu hutan 20 botol."
    assert required(text) == ["madu", "hutan"]
    assert required("Kami ingin memberikan cenderamata untuk narasumber berupa syal ecoprint, 8 buah.") == [
        "syal",
        "ecoprint",
    ]


def test_brackets_give_examples_and_numbers_in_words_say_nothing() -> None:
    text = "Kami bermaksud memesan kue kering (nastar, kastengel) sebanyak 40 (empat puluh) toples"
    assert required(text) == ["kue", "kering"]
    assert {"nastar", "kastengel"} <= set(optional(text))
    assert "empat" not in optional(text) + required(text)


def test_a_quality_after_the_thing_ranks_but_is_not_required() -> None:
    assert required("butuh kaos polos warna putih") == ["kaos", "polos"]
    assert required("plakat kenang-kenangan 12 buah, bahan akrilik") == ["plakat", "kenang kenangan"]
    assert required("fotokopi warna") == ["fotokopi", "warna"]  # nothing after it: the word itself


def test_either_and_as_well_split_a_list() -> None:
    assert need_items("cari gula aren cair atau cetak") == ["gula aren cair", "gula aren cetak"]
    assert need_items("cari dekorasi pelaminan sekalian tenda terop") == ["dekorasi pelaminan", "tenda terop"]
    # "..., untuk kedai": what for is no item
    assert need_items("butuh gula aren, kopi bubuk, untuk kedai") == ["gula aren", "kopi bubuk"]


def test_a_place_wished_in_another_sentence_holds_but_an_office_place_does_not() -> None:
    wished = "Kami mau pakai susu kambing buat balita. Ada penjual susu kambing di sekitar Metro Selatan?"
    assert parse_query(wished, METRO).filters.kecamatan == "Metro Selatan"
    office = "Kami dari Kecamatan Metro Barat. Kami perlu nasi kotak 80 kotak. Terima kasih."
    assert parse_query(office, METRO).filters.kecamatan is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LETTER, "Kertas HVS"),
        (
            "Nomor: 800/1/BPKAD/2026\nHal: Pengadaan Meubelair\n\nDengan hormat, dalam rangka rehabilitasi ruang "
            "rapat, kami memerlukan:\n1. Meja rapat : 2 unit\n2. Kursi kantor : 20 unit\nDemikian, terima kasih.\n"
            "Sekretaris\nNIP 19800101 200501 1 009",
            "Meja Rapat",
        ),
        (
            "Assalamualaikum wr wb. Perkenalkan saya Rina dari bagian umum Dinas Perpustakaan. Kami mau menata "
            "ruang arsip yang baru, jadi rencananya butuh lemari arsip sekitar 6 unit. Terima kasih banyak",
            "Lemari Arsip",
        ),
    ],
)
async def test_long_letters_find_their_need(demo_session: AsyncSession, text: str, expected: str) -> None:
    names = [h.product_name for h in (await search(demo_session, text, limit=5, log=False)).results]
    assert any(expected in n for n in names), names


async def test_a_letter_for_what_nobody_sells_stays_unanswered(demo_session: AsyncSession) -> None:
    letter = (
        "Nomor : 090/77/Dishub/2026\nPerihal : Permohonan Penawaran Sewa Bus\n\nDengan hormat,\n"
        "Dalam rangka studi tiru pegawai, kami bermaksud menyewa 2 (dua) unit bus pariwisata 45 seat beserta sopir.\n"
        "Demikian, atas perhatiannya kami ucapkan terima kasih.\nSekretaris Dinas\nNIP 19720304 199803 1 005"
    )
    assert (await search(demo_session, letter, log=False)).results == ()


def test_a_question_for_a_seller_names_the_need_and_what_the_seller_should_do_only_ranks() -> None:
    text = (
        "Assalamualaikum bu, mohon maaf mengganggu. Mau tanya, ibu tahu ga yang jual jamu kunyit asam di sekitar sini?"
    )
    assert required(text) == ["jamu", "kunyit", "asam"]
    text = "Kami dari posyandu. Ada peternak atau penjual susu kambing yang bisa antar rutin?"
    assert required(text) == ["susu kambing"]
    assert {"antar", "rutin"} <= set(optional(text))


def test_chat_endings_and_a_letters_invitation_name_nothing() -> None:
    assert required("Selamat siang pak. Kami butuhnya tenda 2 unit, kursi 200. Acaranya tanggal 17.") == [
        "tenda",
        "kursi",
    ]
    assert required("butuh takjil dan nasi kotak 150 porsi, yang halal tentunya") == ["takjil", "nasi kotak"]
    letter = "Kami mengundang UMKM untuk menyampaikan penawaran pengadaan parsel natal sebanyak 40 paket."
    assert required(letter) == ["parsel", "natal"]


def test_a_gift_is_what_for_and_its_example_is_the_thing() -> None:
    text = "Besok ada lomba, saya butuh hadiah untuk 30 anak, mungkin boneka rajut kecil. Ada yang jual?"
    assert required(text) == ["boneka", "rajut"]


def test_after_an_offer_asked_for_untuk_names_the_object() -> None:
    letter = "Dengan hormat, kami mengajukan permohonan penawaran harga untuk pembuatan stempel kelurahan dan plakat."
    assert listed(letter) == ["stempel", "plakat"]


def test_an_example_marker_with_nothing_named_before_it_names_nothing() -> None:
    # the list's first item is a need (oleh-oleh) whose contents follow "isinya": the marker is no thing to find
    text = (
        "Minggu depan ada tamu dari provinsi, kami perlu oleh-oleh khas Lampung 30 paket, "
        "isinya keripik pisang dan kopi bubuk."
    )
    assert listed(text) == ["keripik pisang", "kopi bubuk"]


def test_asking_for_help_is_the_request_not_the_thing() -> None:
    assert required("mohon bantuan informasi penyedia spanduk flexi") == ["spanduk", "flexi"]
    assert "bantuan" not in parse_query("bisa dibantu carikan tenda?", METRO).normalized


def test_a_needs_heading_with_a_colon_asks_like_a_verb() -> None:
    text = (
        "Kepada penyedia, kami dari Bappeda akan mengadakan FGD penyusunan RPJMD. Kebutuhan kami: sewa proyektor "
        "1 hari, sound system kecil. Mohon info harga."
    )
    assert listed(text)[:2] == ["sewa proyektor", "sewa sound system"]


def test_thinking_of_names_the_wish() -> None:
    text = "kami mau ada lomba masak, butuh hadiah buat pemenang, kepikiran parsel atau hampers gitu. makasih"
    assert listed(text) == ["parsel", "hampers"]


def test_a_condition_names_nothing() -> None:
    assert required("butuh tenda kalau bisa hari ini") == ["tenda"]
    assert required("klo ada yang jual kopi bubuk") == ["kopi", "bubuk"]
