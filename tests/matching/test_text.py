import pytest

from matchmaker.matching.text import normalise, terms


def term_list(text: str) -> list[str]:
    return [term for _, term in terms(text)]


@pytest.mark.parametrize(("sms", "formal"), [
    ("blm ada layanan utk rmh yg dkt jln", "belum ada layanan untuk rumah yang dkt jalan"),
    ("sdh disedot dgn truk tdk", "sudah disedot dengan truk tidak"),
    ("gak ada tpa, msy buang smph ke kali", "tidak ada tpa, masyarakat buang sampah ke kali"),
])
def test_sms_forms_read_like_their_standard_words(sms, formal):
    assert normalise(sms) == normalise(formal)


def test_sms_function_words_drop_out_like_stop_words():
    assert term_list("utk yg dgn blm sdh") == []


@pytest.mark.parametrize(("together", "apart"), [
    ("Instruksi Walikota", "Instruksi Wali Kota"),
    ("banksampah", "bank sampah"),
    ("airminum", "air minum"),
    ("sedotwc", "sedot WC"),
    ("septictank", "septic tank"),
])
def test_run_together_words_meet_the_separate_ones(together, apart):
    assert normalise(together) == normalise(apart)


def test_place_names_are_not_split_into_words():
    assert term_list("Kendari Blitar") == ["kendari", "blitar"]


@pytest.mark.parametrize(("colloquial", "root"), [
    ("nyedot", "sedot"), ("ngangkut", "angkut"), ("ngolah", "olah"), ("bersihin", "bersih")])
def test_colloquial_verbs_get_the_root_of_their_formal_form(colloquial, root):
    assert term_list(colloquial) == [root]


def test_acronyms_and_english_words_of_the_glossary_are_not_stemmed():
    # Sastrawi alone reads "perwali" as "wali" and "sewerage" as "wage".
    assert term_list("Perwali sewerage") == ["perwali", "sewerage"]


def test_english_plurals_of_glossary_words_meet_the_singular():
    assert term_list("septic tanks") == term_list("septic tank")


def test_english_function_words_are_stop_words():
    assert term_list("the desludging of our septic tanks") == ["desludging", "septic", "tank"]


def test_negation_joins_the_next_word():
    assert term_list("air tak berekening") == ["air", "tidak_rekening"]
    assert term_list("tdk berekening") == term_list("tidak berekening")
    assert "rekening" in term_list("rekening air")


def test_negation_before_a_stop_word_is_dropped():
    assert term_list("tidak ada jadwal") == ["jadwal"]


def test_content_word_whose_root_is_a_stop_word_stays():
    # Sastrawi's root of "berkala" is "kala", a stop word: the word would vanish.
    assert term_list("sedot berkala") == ["sedot", "berkala"]


def test_sector_words_are_not_stop_words():
    assert term_list("buang air besar") == ["buang", "air", "besar"]
    assert term_list("mata air") == ["mata", "air"]


def test_hyphenated_one_letter_suffix_stays_on_the_acronym():
    assert term_list("SPALD-S dan SPALD-T") == ["spalds", "spaldt"]
    assert term_list("gorong-gorong") == ["gorong", "gorong"]


def test_surface_word_is_the_token_as_written_for_every_term_it_gives():
    assert terms("Walikota") == [("walikota", "wali")]
    assert terms("banksampah") == [("banksampah", "bank"), ("banksampah", "sampah")]
