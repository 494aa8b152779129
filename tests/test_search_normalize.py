"""Unit tests of the search text pipeline: normalisation, query parsing, safe FTS builders, typo correction."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from bot.services.categories import category_slug
from bot.services.region import load_region
from bot.services.search.index import Vocabulary, max_edits
from bot.services.search.query import correct_concepts, is_stopword_typo, parse_query, word_forms
from bot.services.search.retrieval import fts5_match, pg_tsquery
from bot.services.search.text import (
    _stemmer,
    content_words,
    fold,
    index_terms,
    index_text,
    load_lexicon,
    normalize,
    raw_words,
    stem,
)

METRO = load_region()  # the bundled Kota Metro region

NASTY = [
    '"',
    'keripik"',
    "AND (",
    "NEAR(",
    "NEAR(keripik pisang, 2)",
    "*",
    ":*",
    "-keripik",
    "keripik OR OR",
    "NOT",
    "'; DROP TABLE products; --",
    "(((",
    "^keripik",
    "kue:*",
    "a & b | !c",
    "\x00keripik\x00",
    "🍌🍌 keripik 🍌",
    "\u200b\u200d",
    "{col}: x",
    "",
    "   ",
]


def test_fold_nfkc_diacritics_case_punctuation() -> None:
    assert fold("ＫＥＲＩＰＩＫ") == "keripik"
    assert raw_words("Kéripik   Pisang!!! (Bu-Sri)") == ["keripik", "pisang", "bu", "sri"]
    assert raw_words("kopi\tbubuk\n250gr, 1/2 kg") == ["kopi", "bubuk", "250gr", "1", "2", "kg"]


@pytest.mark.parametrize("text", ["kue2", "kue-kue", "Kue - kue", "kue kue", "KUE2"])
def test_reduplication_collapses(text: str) -> None:
    assert raw_words(text) == ["kue"]


def test_spelling_variants_fold() -> None:
    assert normalize("kripik pisang") == "keripik pisang"
    assert normalize("nasbox") == "nasi box"
    assert normalize("sambel krupuk") == normalize("sambal kerupuk")


def test_stop_and_asking_words_go() -> None:
    assert content_words("siapa yang jual keripik pisang ya pak?") == ["keripik", "pisang"]
    assert content_words("tolong carikan penjual madu dong kak") == ["madu"]
    assert content_words("Mohon info yang jualan kue di mana ya bu") == ["kue"]


@pytest.mark.parametrize("word", ["penjual", "jualan", "dijual", "menjual", "penjualan", "pembelian", "kebutuhan"])
def test_derived_forms_of_stop_roots_go(word: str) -> None:
    assert content_words(f"{word} keripik") == ["keripik"]


def test_stop_root_forms_that_name_things_stay() -> None:
    assert content_words("jasa pengacara") == ["jasa", "pengacara"]


def test_stemming_and_one_cached_stemmer() -> None:
    assert stem("bordiran") == "bordir"
    assert stem("percetakan") == "cetak"
    assert stem("keripik") == "keripik"
    assert stem("a4") == "a4"
    assert _stemmer() is _stemmer()
    before = stem.cache_info().hits
    stem("bordiran")
    assert stem.cache_info().hits == before + 1


def test_index_keeps_surface_and_stem() -> None:
    terms = index_terms("Jasa Bordiran Kaos")
    assert {"bordiran", "bordir", "kaos", "jasa"} <= set(terms)
    assert "jual" not in index_terms("Penjualan keripik")


def test_synonyms_expand_in_the_index() -> None:
    assert {"atk", "alat", "tulis", "kantor"} <= set(index_terms("Toko ATK lengkap"))
    assert {"nasibox", "nasi", "box", "kotak"} <= set(index_terms("Nasi Kotak Ayam Bakar"))
    assert {"pdh", "pakaian", "harian"} <= set(index_terms("Kemeja PDH"))
    assert "pdl" not in index_terms("Kemeja PDH")  # daily and field uniforms are different things
    assert index_text("") == ""


def test_lexicon_files_load_and_reject_bad_lines(tmp_path: Path) -> None:
    lexicon = load_lexicon()
    assert "siapa" in lexicon.stopwords and "jual" in lexicon.stop_roots
    assert lexicon.variants["kripik"] == ("keripik",)
    (tmp_path / "variants.txt").write_text("kripik keripik\n", encoding="utf-8")
    (tmp_path / "stopwords.txt").write_text("siapa\n", encoding="utf-8")
    (tmp_path / "synonyms.txt").write_text("atk = alat tulis kantor\n", encoding="utf-8")
    with pytest.raises(ValueError, match="variant"):
        load_lexicon(tmp_path)
    (tmp_path / "variants.txt").write_text("# none\n", encoding="utf-8")
    (tmp_path / "synonyms.txt").write_text("atk\n", encoding="utf-8")
    with pytest.raises(ValueError, match="two members"):
        load_lexicon(tmp_path)


def test_category_slug_accepts_slug_and_label() -> None:
    assert category_slug("makanan-minuman") == "makanan-minuman"
    assert category_slug("Makanan & Minuman") == "makanan-minuman"
    assert category_slug(" ATK ") == "atk"
    assert category_slug("mobil") is None


# ------------------------------------------------------------------------------------------ query parsing


def test_place_filters_leave_the_text() -> None:
    parsed = parse_query("siapa yang jual keripik di Metro Utara?", METRO)
    assert parsed.filters.kecamatan == "Metro Utara"
    assert parsed.normalized == "keripik"
    parsed = parse_query("kue di Yosodadi", METRO)
    assert (parsed.filters.kecamatan, parsed.filters.kelurahan) == ("Metro Timur", "Yosodadi")
    assert parse_query("sablon ganjar agung", METRO).filters.kelurahan == "Ganjaragung"
    assert parse_query("keripik kecamatan utara", METRO).filters.kecamatan == "Metro Utara"


@pytest.mark.parametrize(
    ("text", "kecamatan", "kelurahan"),
    [("katering metro utr", "Metro Utara", None), ("katering mtr utara", "Metro Utara", None),
     ("katering di metro sel", "Metro Selatan", None), ("katering in north metro", "Metro Utara", None),
     ("katering central metro", "Metro Pusat", None), ("katering hadimulyo brt", "Metro Pusat", "Hadimulyo Barat")],
)  # fmt: skip
def test_short_and_english_directions_complete_a_place(text: str, kecamatan: str, kelurahan: str | None) -> None:
    parsed = parse_query(text, METRO)
    assert (parsed.filters.kecamatan, parsed.filters.kelurahan) == (kecamatan, kelurahan)
    assert parsed.normalized == "katering"


def test_a_direction_word_that_completes_no_place_stays() -> None:
    assert parse_query("sel surya", METRO).normalized == "sel surya"
    assert not parse_query("tim sepak bola", METRO).filters.any()


def test_bare_city_word_is_no_filter() -> None:
    parsed = parse_query("UMKM Kota Metro yang jual kopi", METRO)
    assert not parsed.filters.any()
    assert parsed.normalized == "kopi"


@pytest.mark.parametrize(
    "text", ["kopi TKDN", "kopi sudah tkdn", "kopi bersertifikat TKDN", "kopi yang ber-TKDN", "kopi sertifikat tkdn"]
)
def test_tkdn_filter(text: str) -> None:
    parsed = parse_query(text, METRO)
    assert parsed.filters.tkdn
    assert parsed.normalized == "kopi"


@pytest.mark.parametrize(
    "text",
    ["kopi TKDN minimal 25 persen", "kopi tkdn di atas 40%", "kopi produk dalam negeri", "kopi P3DN", "kopi PDN"],
)
def test_tkdn_share_and_national_product_words(text: str) -> None:
    """The share after TKDN is not a thing asked for; "produk dalam negeri" / P3DN is what TKDN certifies."""
    parsed = parse_query(text, METRO)
    assert parsed.filters.tkdn
    assert parsed.normalized == "kopi"


def test_a_count_after_tkdn_stays_a_quantity() -> None:
    parsed = parse_query("snack box tkdn 100 box", METRO)
    assert (parsed.filters.tkdn, parsed.quantity, parsed.normalized) == (True, 100, "snack box")


@pytest.mark.parametrize(
    ("text", "flag"),
    [("batik e-catalogue", "ekatalog"), ("batik katalog lokal", "ekatalog"), ("batik on e-catalog", "ekatalog"),
     ("batik berlabel halal", "halal"), ("batik certified halal", "halal")],
)  # fmt: skip
def test_more_flag_spellings(text: str, flag: str) -> None:
    parsed = parse_query(text, METRO)
    assert getattr(parsed.filters, flag)
    assert parsed.normalized == "batik"


def test_food_is_generic_next_to_a_thing() -> None:
    parsed = parse_query("halal food catering", METRO)
    assert parsed.filters.halal
    assert [(c.label, c.optional) for c in parsed.concepts] == [("food", True), ("katering", False)]


@pytest.mark.parametrize("text", ["batik e-katalog", "batik ekatalog", "batik e katalog", "batik tayang di E-Catalog"])
def test_ekatalog_filter(text: str) -> None:
    parsed = parse_query(text, METRO)
    assert parsed.filters.ekatalog
    assert parsed.normalized == "batik"


def test_halal_filter() -> None:
    parsed = parse_query("abon sapi bersertifikat halal", METRO)
    assert parsed.filters.halal and parsed.normalized == "abon sapi"


@pytest.mark.parametrize(
    ("text", "ceiling"),
    [
        ("nasi kotak di bawah 20 ribu", 20_000),
        ("nasi kotak dibawah 20rb", 20_000),
        ("nasi kotak maks 50rb", 50_000),
        ("nasi kotak maksimal Rp 25.000", 25_000),
        ("nasi kotak < 100.000", 100_000),
        ("nasi kotak budget 1,5 juta", 1_500_000),
        ("nasi kotak kurang dari 30k", 30_000),
    ],
)
def test_price_ceiling(text: str, ceiling: int) -> None:
    parsed = parse_query(text, METRO)
    assert parsed.filters.max_price == ceiling
    assert parsed.normalized == "nasi kotak"


@pytest.mark.parametrize(
    "text", ["kirim sampai 2 hari", "nasi kotak maksimal 200 porsi", "kertas a4 hingga 500", "cetak katalog produk"]
)
def test_numbers_and_words_that_are_no_filters(text: str) -> None:
    parsed = parse_query(text, METRO)
    assert parsed.filters.max_price is None and not parsed.filters.ekatalog


def test_category_words_are_filters_but_not_inside_a_synonym() -> None:
    parsed = parse_query("kerajinan tapis", METRO)
    assert parsed.filters.category == "kerajinan" and parsed.category_from_words
    # The category's words only rank (so they still count when the filter has to go).
    assert [(c.label, c.optional) for c in parsed.concepts] == [("tapis", False), ("kerajinan", True)]
    assert parse_query("ATK", METRO).filters.category == "atk"
    assert parse_query("makanan ringan", METRO).filters.category is None


def test_quantities_and_purpose_words_leave_the_text() -> None:
    assert parse_query("butuh 200 kotak nasi kotak untuk rapat dinas", METRO).normalized == "nasi kotak"
    assert parse_query("beras 25 kg untuk dapur", METRO).normalized == "beras dapur"


def test_synonym_phrase_is_one_concept_with_alternatives() -> None:
    (concept,) = parse_query("nasi kotak", METRO).concepts
    assert concept.alternatives == (("nasibox",), ("nasi", "kotak"))


@pytest.mark.parametrize("text", [*NASTY, "x" * 5000, "keripik " * 2000])
def test_parse_query_never_raises(text: str) -> None:
    parsed = parse_query(text, METRO)
    assert len(parsed.concepts) <= 8


# ------------------------------------------------------------------------------------------ safe builders


def test_builders_quote_every_token() -> None:
    conj = [[(("nasibox",), ("nasi", "kotak")), (("ayam",),)]]
    assert fts5_match(conj) == '(("nasibox" OR ("nasi" AND "kotak")) AND "ayam")'
    assert pg_tsquery(conj) == "(('nasibox' | ('nasi' & 'kotak')) & 'ayam')"
    assert fts5_match([[(('a"b',),)]]) is None
    assert pg_tsquery([[(("a'b",),)]]) is None
    assert fts5_match([]) is None


def _sqlite_fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('keripik pisang near and not')")
    return conn


def _match(conn: sqlite3.Connection, text: str) -> list[tuple[str]]:
    expression = fts5_match([[c.alternatives for c in parse_query(text, METRO).concepts]])
    if expression is None:
        return []
    return conn.execute("SELECT x FROM t WHERE t MATCH ?", (expression,)).fetchall()


@pytest.mark.parametrize("text", NASTY)
def test_nasty_input_never_breaks_match(text: str) -> None:
    _match(_sqlite_fts(), text)


def test_operator_words_are_plain_words() -> None:
    assert _match(_sqlite_fts(), "NEAR( keripik") == [("keripik pisang near and not",)]


def test_fuzzed_input_never_breaks_match() -> None:
    conn = _sqlite_fts()
    rng = random.Random(7)
    alphabet = "abcdeKéü \"*^:(){}[]-+!&|'\\\x00\u200b🍌ANDORNOTNEAR0123456789"
    for _ in range(2000):
        _match(conn, "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))))


# ------------------------------------------------------------------------------------------ typo correction


def test_max_edits_grow_with_length() -> None:
    assert [max_edits(w) for w in ("kue", "kopi", "sragam", "kerajnan")] == [0, 1, 1, 2]


def test_correction_prefers_fewest_edits_then_frequency() -> None:
    vocab = Vocabulary(df={"keripik": 9, "kerupuk": 2, "seragam": 4, "ragam": 1, "kopi": 3, "kapi": 8})
    assert vocab.correct("keripk") == "keripik"
    assert vocab.correct("sragam") == "seragam"
    assert vocab.correct("kipi") == "kapi"  # both one edit away; the more frequent wins
    assert vocab.correct("kerupu") == "kerupuk"
    assert vocab.correct("serag") == "seragam"  # too far for an edit, but a cut-off word is completed
    assert vocab.correct("kue") is None
    assert vocab.correct("bekas") is None  # a real word the catalog lacks is no typo


def test_an_unknown_agent_noun_next_to_a_known_thing_is_not_required() -> None:
    """`pembudidaya lele`, `pengolahan kopi`: the work or the worker around a thing ranks; alone, or next to
    nothing the catalog knows, it stays required (no answer rather than a guess)."""
    vocab = Vocabulary(df={"lele": 5, "kopi": 4, "kantor": 3})

    def optional(text: str) -> dict[str, bool]:
        return {c.label: c.optional for c in correct_concepts(parse_query(text, METRO).concepts, vocab)[0]}

    assert optional("pembudidaya lele") == {"pembudidaya": True, "lele": False}
    assert optional("pengolahan kopi") == {"pengolahan": True, "kopi": False}
    assert optional("pembudidaya") == {"pembudidaya": False}
    assert optional("pengacara kantor") == {"pengacara": False, "kantor": True}  # "kantor" is generic
    assert optional("pelatih renang") == {"pelatih": False, "renang": False}


def test_penge_comes_before_one_syllable_roots_only() -> None:
    assert word_forms("pengelasan").index("las") < word_forms("pengelasan").index("gelas")
    assert "cat" in word_forms("pengecatan")
    assert word_forms("pengemasan")[0] == "kemasan"  # a longer root: peng-, not penge-


def test_english_plurals_in_es_find_their_singular_entry() -> None:
    """ "rice boxes" is a "rice box" (nasi kotak), not "rice boxe"; "plantain" is a banana."""
    (boxes,) = parse_query("rice boxes", METRO).concepts
    assert ("nasi", "kotak") in boxes.alternatives
    assert ("pisang",) in parse_query("plantain chips", METRO).concepts[0].alternatives


def test_incremental_vocabulary_add() -> None:
    vocab = Vocabulary(df={"keripik": 1})
    assert vocab.correct("sempol") is None
    vocab.add(["sempol", "sempol", "ayam"])
    assert vocab.frequency("sempol") == 1
    assert vocab.correct("sempoll") == "sempol"


def test_stopword_typos() -> None:
    assert is_stopword_typo("lampng")
    assert not is_stopword_typo("keripik")
