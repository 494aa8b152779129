"""Long messages as OPD staff and residents write them: a price bound said about one thing of a list binds that
thing only, an occasion after a thing does not end the list, a broken thing named before "butuh teknisi" is the
thing to find, a list under a heading ("Rincian kebutuhan ...:") is the need, and a place wished for in a later
sentence ("kalau bisa yang di Metro Timur") is a filter."""

from __future__ import annotations

import pytest

from bot.services.region import load_region
from bot.services.search.query import ParsedQuery, parse_query

METRO = load_region()


def parsed(text: str) -> ParsedQuery:
    return parse_query(text, METRO)


def item_bounds(text: str) -> dict[str, int | None]:
    return {item.normalized: item.filters.max_price for item in parsed(text).items}


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("Bu, kami mau pesan tumpeng mini 5 buah sama snack box 60 kotak, budget snack maks 15rb per kotak",
         {"tumpeng mini": None, "snack box": 15000}),
        ("Pak, butuh nasi kotak 30 dan air mineral 2 dus, nasi kotaknya budget maks 20rb",
         {"nasi kotak": 20000, "air mineral": None}),
        ("kami cari kaos sablon 50 pcs harga maks 60rb per pcs dan spanduk 2 lembar",
         {"kaos sablon": 60000, "spanduk": None}),
    ],
)  # fmt: skip
def test_a_bound_said_about_one_thing_binds_that_thing_only(text: str, bounds: dict[str, int | None]) -> None:
    assert item_bounds(text) == bounds
    assert parsed(text).filters.max_price is None


def test_a_bound_said_of_nothing_in_particular_binds_every_thing() -> None:
    text = "butuh nasi kotak dan snack box, budget maks 25rb per orang"
    assert item_bounds(text) == {"nasi kotak": 25000, "snack box": 25000}
    assert parsed(text).filters.max_price == 25000


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("Selamat siang bu, kami perlu nasi kotak utk makan siang, snack box pagi dan sore, sama air mineral untuk "
         "pelatihan 2 hari", {"nasi kotak", "snack box", "air mineral"}),
        ("Dengan hormat, kami memerlukan sewa tenda untuk peserta, sound system untuk pembicara, serta kursi lipat "
         "100 buah. Demikian, terima kasih", {"tenda", "sound system", "kursi"}),
        ("Untuk pelatihan besok kami butuh snack box untuk pagi, nasi kotak untuk siang, dan air mineral",
         {"snack box", "nasi kotak", "air mineral"}),
    ],
)  # fmt: skip
def test_an_occasion_after_a_thing_does_not_end_the_list(text: str, things: set[str]) -> None:
    labels = {c.label for item in parsed(text).items for c in item.concepts if not c.optional}
    assert things <= labels


def test_an_occasion_followed_by_no_thing_ends_the_need() -> None:
    query = parsed("Selamat pagi, kami butuh nasi kotak untuk rapat tanggal 20, dan mohon dikirim daftar harganya")
    assert [c.label for c in query.concepts if not c.optional] == ["nasi kotak"]
    assert query.items == ()


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("Selamat pagi, AC di ruang rapat kami bocor dan tidak dingin, butuh teknisi secepatnya", "ac"),
        ("Pak, laptop di bagian keuangan mati total sejak kemarin, ada yang bisa memperbaiki hari ini?", "laptop"),
        ("Komputer di loket pelayanan mati, butuh teknisi yang bisa datang", "komputer"),
        ("Pak, AC split di ruang kepala dinas sudah lama tidak dicuci, sekarang berisik dan menetes. Tolong carikan "
         "yang bisa datang", "ac split"),  # its whole name: only the rooms after it rank ("mesin cuci" is no "mesin")
        ("Karpet musholla kantor kotor dan bau, perlu dibersihkan, ada jasa?", "karpet"),
    ],
)  # fmt: skip
def test_the_broken_thing_is_what_a_request_for_a_technician_wants(text: str, thing: str) -> None:
    assert " ".join(c.label for c in parsed(text).concepts if not c.optional) == thing


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("roti sobek", "roti sobek"),  # a trouble word with no one asked to fix it may be a name
        ("Pintu pagar besi kantor patah engselnya, butuh tukang las", "las"),  # the request names the work
        ("AC mobil dinas kami tidak dingin, butuh bengkel mobil", "bengkel mobil"),
    ],
)
def test_a_request_that_names_something_keeps_it(text: str, things: str) -> None:
    assert " ".join(c.label for c in parsed(text).concepts if not c.optional) == things


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("Rincian kebutuhan pelatihan kader:\n- Snack box : 50\n- Spanduk : 1\n- Tas seminar : 50\n"
         "Mohon penawaran segera.", ["snack box", "spanduk", "tas"]),
        ("Daftar belanja posyandu bulan ini:\n- telur 5 tray\n- beras 20 kg\nMohon info yang bisa antar.",
         ["telur", "beras"]),
    ],
)  # fmt: skip
def test_a_heading_over_a_list_asks_for_the_list(text: str, things: list[str]) -> None:
    items = [[c.label for c in item.concepts if not c.optional] for item in parsed(text).items]
    assert [label for item in items for label in item] == things


def test_a_closing_line_after_a_list_is_no_item() -> None:
    text = "Kebutuhan kantor:\n1) Lemari arsip 2 pintu\n2) Kursi lipat\nMohon penyedia yang memenuhi kriteria mengirim."
    assert [item.concepts[0].label for item in parsed(text).items] == ["lemari", "kursi"]


@pytest.mark.parametrize(
    ("text", "kecamatan"),
    [
        ("Pak, kami cari tukang jahit untuk bikin taplak meja. Kalau bisa yang di Metro Timur. Makasih", "Metro Timur"),
        ("Kantor kami di Metro Utara butuh jasa fotokopi rutin. Ada yang dekat di Metro Utara? Terima kasih",
         "Metro Utara"),
    ],
)  # fmt: skip
def test_a_place_wished_for_in_a_later_sentence_filters(text: str, kecamatan: str) -> None:
    assert parsed(text).filters.kecamatan == kecamatan


def test_an_office_address_alone_is_no_wish() -> None:
    text = "Selamat siang. Kantor kami di Metro Utara butuh jasa fotokopi rutin untuk berkas. Terima kasih"
    assert parsed(text).filters.kecamatan is None


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("Halo kak, pimpinan minta dicarikan oleh-oleh khas Lampung. Misalnya keripik pisang atau kopi bubuk.",
         [["keripik", "pisang"], ["kopi", "bubuk"]]),
        ("Bu, kami mau kasih hadiah untuk juara lomba. Contohnya mukena atau tas anyaman. Ada yang jual?",
         [["mukena"], ["tas", "anyaman"]]),
        ("Assalamualaikum, kami mau pesan kue untuk arisan, mungkin brownies atau kue basah. Terima kasih",
         [["brownies"], ["kue basah"]]),
    ],
)  # fmt: skip
def test_examples_after_a_general_request_are_the_things_meant(text: str, things: list[list[str]]) -> None:
    assert [[c.label for c in item.concepts if not c.optional] for item in parsed(text).items] == things


def test_a_later_example_that_asks_something_else_is_no_thing() -> None:
    query = parsed("Kami butuh snack box 30 kotak. Mungkin bisa diantar jam 8?")
    assert [c.label for c in query.concepts if not c.optional] == ["snack box"]


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("Mau tanya kak, ada yg jual keripik tempe gak? Kalau ada saya butuh 20 bungkus buat oleh2.", "keripik tempe"),
        ("Perihal: Permohonan Penawaran Kopi Bubuk\n\nDengan hormat,\nSebagaimana perihal di atas, kami mohon "
         "penawaran harga untuk 30 bungkus ukuran 250 gram.\nDemikian, terima kasih.", "kopi bubuk"),
    ],
)  # fmt: skip
def test_a_request_of_only_a_count_and_an_occasion_leaves_the_thing_to_another_sentence(text: str, thing: str) -> None:
    assert " ".join(c.label for c in parsed(text).concepts if not c.optional) == thing


def test_a_count_per_day_names_nothing() -> None:
    text = "Saya lagi cari pemasok sayur segar dan cabai setiap pagi, kebutuhan sekitar 10 kg sehari."
    assert [item.concepts[0].label for item in parsed(text).items] == ["sayur", "cabai"]


def test_worn_words_before_the_trouble_are_no_thing() -> None:
    text = "Karpet masjid kami sudah lusuh dan kotor, perlu dicuci sebelum Ramadhan."
    assert [c.label for c in parsed(text).concepts if not c.optional] == ["karpet"]


@pytest.mark.parametrize(
    "text",
    ["pesan snack box sama tumpeng, snacknya jangan lebih dari 15 ribu ya",
     "snack box yang gak lebih dari 15rb", "snack box harganya tidak melebihi Rp 15.000"],
)  # fmt: skip
def test_a_negated_floor_is_a_ceiling(text: str) -> None:
    query = parsed(text)
    bounds = [query.filters.max_price, *(i.filters.max_price for i in query.items if "snack" in i.normalized)]
    assert 15000 in bounds
    assert query.filters.min_price is None


def test_a_question_for_a_maker_names_the_need_over_a_weak_verb() -> None:
    text = (
        "Kantor kami mau ngadain buka puasa bersama minggu depan, kira2 100 orang. Ada yang bisa bikin takjil sama "
        "nasi kotak? Makasih"
    )
    assert [c.label for c in parsed(text).concepts if not c.optional] == ["takjil", "nasi kotak"]


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("Perihal : Penawaran Lemari Arsip\n\nDengan hormat,\nBapenda memerlukan lemari arsip besi 4 pintu sebanyak 8 "
         "unit untuk ruang penyimpanan dokumen.\nDemikian, terima kasih.", ["lemari", "arsip"]),
        ("Perihal: Pengadaan Stempel\n\nDengan hormat,\nKelurahan membutuhkan stempel flash gagang kayu 6 buah.\n"
         "Demikian.", ["stempel"]),
    ],
)  # fmt: skip
def test_a_letter_s_subject_names_the_thing_and_its_body_which_one(text: str, required: list[str]) -> None:
    assert [c.label for c in parsed(text).concepts if not c.optional] == required


def test_a_body_that_names_another_thing_than_the_subject_keeps_it() -> None:
    text = "Perihal: Permohonan Penawaran\n\nDengan hormat, kami memerlukan kursi lipat besi 100 buah.\nDemikian."
    assert [c.label for c in parsed(text).concepts if not c.optional] == ["kursi", "lipat", "besi"]


def test_a_maker_s_verb_without_a_question_for_one_names_no_need() -> None:
    query = parsed("Kami akan membuat acara halal bihalal, kami ingin tumpeng")
    assert [c.label for c in query.concepts if not c.optional] == ["tumpeng"]
