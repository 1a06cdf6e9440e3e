"""History: programmes a mentor completed on the topic mark and explain its recommendations."""

import pytest
from sqlalchemy import select

from matchmaker.access import OPERATOR
from matchmaker.cities.models import Need
from matchmaker.extensions import db
from matchmaker.matching import services
from matchmaker.matching.history import topic_history
from matchmaker.programmes import services as programmes
from matchmaker.programmes.models import ProgrammeStatus
from tests.matching.conftest import BLITAR, JAYAPURA, KENDARI, MALANG, SEMARANG


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def completed(make_programme, facilitator, now):
    """A completed programme with a replication outcome ("none": not adopted)."""

    def make(mentor: str, mentee: str, outcome: str = "none", topic: str = "wastewater"):
        programme = make_programme(mentor, mentee, topic)
        programmes.complete_programme(facilitator, programme, outcome, now,
                                      outcome_on=None if outcome == "none" else "2020-04-06")
        db.session.commit()
        return programme

    return make


def item_of(result: dict, code: str) -> dict:
    return next(i for i in result["recommendations"] if i["code"] == code)


def test_completed_programme_without_adoption_marks_the_mentor(profiles, city, now, completed):
    programme = completed(KENDARI, BLITAR)

    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)

    kendari = item_of(result, KENDARI)
    assert kendari["history"] == {"programme_id": programme.id, "outcome": "none",
                                  "outcome_label": "Belum diadopsi", "adopted": False,
                                  "closed_at": now.isoformat()}
    history = next(r for r in kendari["reasons"] if r["factor"] == "history")
    assert f"pernah menjalankan program tentang topik ini (#{programme.id}, selesai 2026)" in history["text"]
    assert "belum diadopsi" in history["text"]
    assert "Kendari telah membimbing 1 kota tentang topik ini; 0 mengadopsi." in history["text"]
    assert "history" not in item_of(result, MALANG)


def test_adoption_moves_the_pair_under_excluded_with_the_reason(profiles, city, now, completed):
    programme = completed(KENDARI, BLITAR, outcome="regulation")

    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)

    assert KENDARI not in [i["code"] for i in result["recommendations"]]
    (excluded,) = result["excluded"]
    assert excluded["code"] == KENDARI and excluded["reason_key"] == "adopted"
    assert excluded["reason"] == (f"Blitar sudah mengadopsi praktik Kendari lewat program "
                                  f"#{programme.id} (diatur dalam regulasi).")


def test_mentor_record_counts_mentees_and_adoptions_among_the_reasons(
        profiles, city, now, completed, make_city):
    completed(KENDARI, JAYAPURA, outcome="plan")
    completed(KENDARI, SEMARANG, outcome="budget")
    completed(KENDARI, MALANG)
    completed(KENDARI, MALANG, outcome="none", topic="solid_waste")  # another topic: not counted

    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)

    kendari = item_of(result, KENDARI)
    assert "history" not in kendari  # never with Blitar
    history = kendari["reasons"][-1]
    assert history["factor"] == "history"
    assert history["text"] == "Kendari telah membimbing 3 kota tentang topik ini; 2 mengadopsi."
    assert history["value"] == pytest.approx(0.667)
    assert [r["factor"] for r in item_of(result, MALANG)["reasons"]] == [
        "relevance", "maturity", "context", "complementarity"]


def test_open_and_cancelled_programmes_are_not_history(profiles, city, make_programme):
    make_programme(KENDARI, BLITAR, status=ProgrammeStatus.CANCELLED)
    make_programme(MALANG, BLITAR, status=ProgrammeStatus.ACTIVE)
    assert topic_history("wastewater").programmes == []


def test_the_latest_completed_programme_of_a_pair_counts(profiles, city, completed):
    completed(KENDARI, BLITAR, outcome="none")
    latest = completed(KENDARI, BLITAR, outcome="operation")
    history = topic_history("wastewater")
    assert {m: p.id for m, p in history.with_mentee(city(BLITAR).id).items()} == {
        city(KENDARI).id: latest.id}
    record = history.records()[city(KENDARI).id]
    assert (record.mentees, record.adopted) == (1, 1)


def test_cohort_never_pairs_a_mentee_with_a_mentor_it_already_adopted_from(
        profiles, city, now, completed, facilitator):
    completed(KENDARI, BLITAR, outcome="budget")
    need = db.session.scalar(select(Need).where(Need.title == "Memulai L2T2 untuk ASN"))
    (pair,) = services.run_cohort(facilitator, [need.id], now)["pairs"]
    assert pair["mentor"].code == MALANG
