"""Reasons explain matches through glossary concepts, in the viewer's language, and say when
relevance was a near-tie."""

import pytest
from flask_babel import force_locale

from matchmaker.access import OPERATOR
from matchmaker.matching import services
from tests.matching.conftest import BLITAR, JAYAPURA, KENDARI

NEED = "Sedot WC berkala untuk rumah ASN"


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def two_desludging_services(profiles, make_city):
    make_city(JAYAPURA, practices=[{
        "topic": "wastewater", "title": "Uji coba layanan lumpur tinja terjadwal",
        "description": "Penyedotan tangki septik terjadwal bagi pegawai ASN di dua distrik.",
        "maturity": "pilot", "started_year": 2024}])


def item_of(result: dict, code: str) -> dict:
    return next(i for i in result["recommendations"] if i["code"] == code)


def test_relevance_is_explained_through_concepts_in_the_needs_own_words(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", NEED, 10, now)

    kendari = item_of(result, KENDARI)
    lltt = next(c for c in kendari["concepts"] if c["id"] == "lltt")
    assert lltt == {"id": "lltt", "label": "Layanan lumpur tinja terjadwal (LLTT / L2T2)",
                    "need_words": "Sedot WC berkala",
                    "practice_words": "Layanan Lumpur Tinja Terjadwal"}
    text = kendari["reasons"][0]["text"]
    assert text.startswith("Kendari menjalankan Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN "
                           "(terlembagakan, sejak 2016), yang menjawab kebutuhan Blitar: ")
    assert "layanan lumpur tinja terjadwal (LLTT / L2T2) ('Layanan Lumpur Tinja Terjadwal' ≈ " \
           "'Sedot WC berkala')" in text
    assert "('ASN')" in text


def test_concepts_are_named_in_the_viewers_language(profiles, city, now):
    with force_locale("en"):
        result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", NEED, 10, now)
    kendari = item_of(result, KENDARI)
    labels = {c["id"]: c["label"] for c in kendari["concepts"]}
    assert labels["lltt"] == "scheduled desludging (LLTT / L2T2)"
    assert "scheduled desludging (LLTT / L2T2) ('Layanan Lumpur Tinja Terjadwal' ≈ 'Sedot WC " \
           "berkala')" in kendari["reasons"][0]["text"]


def test_near_tie_is_said_and_maturity_decides(two_desludging_services, city, now):
    # The need copies the pilot's words; the institutionalised service still comes first.
    need = "Penyedotan tangki septik terjadwal bagi pegawai ASN"
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", need, 10, now)

    first, second = result["recommendations"][:2]
    assert (first["code"], second["code"]) == (KENDARI, JAYAPURA)
    assert first["near_tie"] and second["near_tie"]
    assert first["factors"]["relevance"] == second["factors"]["relevance"]
    assert "Relevansinya setara dengan praktik kota lain" in first["reasons"][0]["text"]
    assert not item_of(result, "35.73")["near_tie"]  # Malang's IPAL komunal answers something else


def test_words_without_a_concept_are_still_quoted(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater",
                                        "IPAL komunal di permukiman padat", 10, now)
    malang = item_of(result, "35.73")
    assert [c["id"] for c in malang["concepts"]] == ["ipal_komunal"]
    assert "juga kata 'permukiman', 'padat'" in malang["reasons"][0]["text"]
