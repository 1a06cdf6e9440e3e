from datetime import UTC, datetime

import pytest

from matchmaker.access import OPERATOR
from matchmaker.extensions import db
from matchmaker.notes import search, services
from matchmaker.notes.search import LessonFilters
from matchmaker.notes.text import highlight
from matchmaker.programmes.models import ProgrammeSession

NOW = datetime(2021, 1, 1, tzinfo=UTC)
BANK = "Bank sampah dikelola kelompok perempuan"
LESSONS = [
    ("Advokasi kepada kepala daerah untuk meraih komitmen wali kota", "improved_consensus", "governance"),
    ("Mulai uji coba layanan lumpur tinja dengan ASN", "new_action", "wastewater"),
    ("Memperkuat uji coba dengan instruksi wali kota dan sanksi bagi ASN", "new_knowledge", "wastewater"),
]


@pytest.fixture
def lessons(make_programme, blitar_pokja, make_user):
    kendari_blitar = make_programme()
    services.log_notes(blitar_pokja, kendari_blitar.sessions[0], "", [],
                       [{"text": t, "outcome": o, "topic": p} for t, o, p in LESSONS], [], NOW)
    other = make_programme(mentor="35.72", mentee="91.71", topic="solid_waste",
                           first=datetime(2023, 5, 2, 1, 0, tzinfo=UTC))
    services.log_notes(make_user("facilitator"), other.sessions[0], "", [],
                       [{"text": BANK, "outcome": "enhanced_skill"}],
                       [], NOW)
    db.session.commit()
    return {lesson.text: lesson for lesson in db.session.scalars(db.select(services.Lesson))}


def _texts(found) -> list[str]:
    return [lesson.text for lesson in found]


def test_a_word_of_the_lesson_finds_it(lessons):
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(q="advokasi"))) == [LESSONS[0][0]]


def test_any_query_word_matches_and_lessons_holding_more_of_them_come_first(lessons):
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(q="uji coba instruksi"))) == [
        LESSONS[2][0], LESSONS[1][0]]
    assert set(_texts(search.search_lessons(OPERATOR, LessonFilters(q="advokasi sampah")))) == {
        LESSONS[0][0], BANK}
    assert search.search_lessons(OPERATOR, LessonFilters(q="pariwisata")) == []


def test_walikota_and_wali_kota_find_each_other(lessons, blitar_pokja, make_programme):
    session = make_programme(mentor="35.72", mentee="74.71", topic="governance").sessions[0]
    services.log_notes(blitar_pokja, session, "", [], [{"text": "Surat edaran Walikota untuk OPD",
                                                        "outcome": "new_action"}], [], NOW)
    db.session.commit()
    both = {LESSONS[0][0], LESSONS[2][0], "Surat edaran Walikota untuk OPD"}
    assert set(_texts(search.search_lessons(OPERATOR, LessonFilters(q="walikota")))) == both
    found = _texts(search.search_lessons(OPERATOR, LessonFilters(q="wali kota")))
    assert set(found[:3]) == both  # each holds both words, however written


def test_matches_are_marked_in_the_escaped_text():
    marked = highlight("Instruksi <b>Wali Kota</b> dan walikota memperkuat", "walikota diperkuat")
    assert str(marked) == ("Instruksi &lt;b&gt;<mark>Wali Kota</mark>&lt;/b&gt; dan <mark>walikota</mark> "
                           "<mark>memperkuat</mark>")
    assert str(highlight("<i>apa saja</i>", "")) == "&lt;i&gt;apa saja&lt;/i&gt;"


def test_inflected_and_partial_words_match(lessons):
    # "diperkuat" and "memperkuat" share the Sastrawi stem "kuat"; "advok" is a prefix.
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(q="diperkuat"))) == [LESSONS[2][0]]
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(q="ADVOK"))) == [LESSONS[0][0]]


def test_a_word_in_several_lessons_finds_them_all(lessons):
    found = _texts(search.search_lessons(OPERATOR, LessonFilters(q="asn")))
    assert set(found) == {LESSONS[1][0], LESSONS[2][0]}


def test_filters_by_topic_outcome_city_and_year(lessons):
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(topic="governance"))) == [LESSONS[0][0]]
    found = search.search_lessons(OPERATOR, LessonFilters(q="asn", outcome="new_action"))
    assert _texts(found) == [LESSONS[1][0]]
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(city="91.71"))) == [BANK]
    assert len(search.search_lessons(OPERATOR, LessonFilters(city="35.72"))) == 4
    assert len(search.search_lessons(OPERATOR, LessonFilters(year=2020))) == 3
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(year=2023))) == [BANK]
    assert search.lesson_years() == [2023, 2020]
    assert {c.code for c in search.lesson_cities()} == {"91.71", "35.72", "74.71"}


def test_an_edited_lesson_is_found_by_its_new_words_only(lessons, blitar_pokja):
    lesson = lessons[LESSONS[1][0]]
    services.edit_lesson(blitar_pokja, lesson, {"text": "Pelanggan pertama adalah pegawai negeri"}, NOW)
    db.session.commit()
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(q="pegawai"))) == [lesson.text]
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(q="lumpur"))) == []
    # Words kept across an edit stay indexed once.
    services.edit_lesson(blitar_pokja, lesson, {"text": "Pelanggan pertama adalah pegawai daerah"}, NOW)
    db.session.commit()
    assert _texts(search.search_lessons(OPERATOR, LessonFilters(q="pegawai daerah")))[0] == lesson.text


def test_similar_lessons_share_words(lessons):
    similar = search.similar_lessons(OPERATOR, lessons[LESSONS[1][0]])
    assert [lesson.text for lesson, _score in similar][0] == LESSONS[2][0]
    assert all(0 < score <= 1 for _lesson, score in similar)
    assert BANK not in [lesson.text for lesson, _s in similar]


def test_lessons_of_sessions_keep_the_session_year(lessons):
    years = {lesson.session.starts_at.year for lesson in lessons.values()}
    assert years == {2020, 2023}
    assert isinstance(next(iter(lessons.values())).session, ProgrammeSession)
