"""Facilitators' "not a good match": recorded with a reason, it excludes the pair for that need."""

import pytest
from sqlalchemy import select

from matchmaker.access import OPERATOR
from matchmaker.cities.models import Need, Practice
from matchmaker.errors import Conflict, Forbidden, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.matching import services
from matchmaker.matching.feedback import (
    flagged_mentors,
    list_feedback,
    record_feedback,
    withdraw_feedback,
)
from matchmaker.matching.models import FeedbackReason
from tests.matching.conftest import BLITAR, JAYAPURA, KENDARI, MALANG


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def need_of(title: str) -> Need:
    return db.session.scalar(select(Need).where(Need.title == title))


def codes(result: dict) -> list[str]:
    return [item["code"] for item in result["recommendations"]]


def test_flagged_pair_is_excluded_for_that_need_with_the_reason(profiles, city, facilitator, now):
    need = need_of("Memulai L2T2 untuk ASN")
    practice = db.session.scalar(select(Practice).where(Practice.city_id == city(KENDARI).id))
    feedback = record_feedback(facilitator, city(BLITAR), city(KENDARI), "wastewater",
                               "unwilling", "  Pokja sedang berganti  ", now, need=need,
                               practice=practice)
    db.session.commit()
    assert feedback.reason == FeedbackReason.UNWILLING and feedback.note == "Pokja sedang berganti"
    assert feedback.created_by == facilitator

    result = services.recommend_for_need(facilitator, need, 10, now)

    assert KENDARI not in codes(result)
    (excluded,) = result["excluded"]
    assert excluded["reason_key"] == "feedback"
    assert excluded["reason"] == ("Fasilitator menandai Kendari bukan pasangan yang cocok "
                                  "(2026-12-02): kota tidak bersedia (Pokja sedang berganti).")


def test_feedback_on_one_need_leaves_other_searches_alone(profiles, city, facilitator, now):
    need = need_of("Memulai L2T2 untuk ASN")
    record_feedback(facilitator, city(BLITAR), city(KENDARI), "wastewater", "already_tried", "",
                    now, need=need)
    other = services.recommend_mentors(facilitator, city(BLITAR), "wastewater", "IPAL komunal", 10, now)
    assert KENDARI in codes(other)
    assert flagged_mentors(city(BLITAR), "wastewater", None) == {}


def test_feedback_without_a_need_applies_to_every_search_of_the_mentee_on_the_topic(
        profiles, city, facilitator, now):
    record_feedback(facilitator, city(BLITAR), city(MALANG), "wastewater", "other",
                    "IPAL komunal tidak relevan untuk kota ini", now)
    by_text = services.recommend_mentors(facilitator, city(BLITAR), "wastewater", "IPAL", 10, now)
    by_need = services.recommend_for_need(facilitator, need_of("Memulai L2T2 untuk ASN"), 10, now)
    for result in (by_text, by_need):
        assert MALANG not in codes(result)
        assert result["excluded"][0]["reason"].endswith(": IPAL komunal tidak relevan untuk kota ini.")
    jayapura = services.recommend_mentors(facilitator, city(JAYAPURA), "wastewater", None, 10, now)
    assert MALANG in codes(jayapura)  # another mentee


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"reason": "boring"}, "reason"),
    ({"reason": "other", "note": "  "}, "note"),
    ({"reason": "unwilling", "note": "x" * 1001}, "note"),
    ({"topic": "space"}, "topic"),
    ({"mentor": BLITAR}, "mentor"),
    ({"need": "Membangun IPAL komunal"}, "need_id"),  # Jayapura's need
])
def test_bad_feedback_is_refused(profiles, city, facilitator, now, kwargs, field):
    args = {"reason": "unwilling", "note": "", "topic": "wastewater", "mentor": KENDARI} | kwargs
    need = need_of(args["need"]) if "need" in args else None
    with pytest.raises(ValidationError) as error:
        record_feedback(facilitator, city(BLITAR), city(args["mentor"]), args["topic"],
                        args["reason"], args["note"], now, need=need)
    assert error.value.field == field


def test_a_pair_is_flagged_once_per_need(profiles, city, facilitator, now):
    record_feedback(facilitator, city(BLITAR), city(KENDARI), "wastewater", "unwilling", "", now)
    with pytest.raises(Conflict):
        record_feedback(facilitator, city(BLITAR), city(KENDARI), "wastewater", "not_comparable",
                        "", now)


def test_only_facilitators_give_and_read_feedback(profiles, city, make_user, now):
    pokja = make_user("pokja", BLITAR)
    with pytest.raises(Forbidden):
        record_feedback(pokja, city(BLITAR), city(KENDARI), "wastewater", "unwilling", "", now)
    with pytest.raises(Forbidden):
        list_feedback(pokja)
    record_feedback(OPERATOR, city(BLITAR), city(KENDARI), "wastewater", "unwilling", "", now)
    assert [f.created_by for f in list_feedback(OPERATOR)] == [None]


def test_cohort_never_pairs_a_flagged_pair(profiles, city, facilitator, now):
    need = need_of("Memulai L2T2 untuk ASN")
    record_feedback(facilitator, city(BLITAR), city(KENDARI), "wastewater", "unwilling", "", now,
                    need=need)
    result = services.run_cohort(facilitator, [need.id], now)
    (pair,) = result["pairs"]
    assert pair["mentor"].code != KENDARI


def test_withdrawn_feedback_brings_the_pair_back(profiles, city, facilitator, make_user, now):
    feedback = record_feedback(facilitator, city(BLITAR), city(KENDARI), "wastewater", "unwilling",
                               "", now)
    result = services.recommend_mentors(facilitator, city(BLITAR), "wastewater", None, 10, now)
    assert result["excluded"][0]["feedback_id"] == feedback.id
    with pytest.raises(Forbidden):
        withdraw_feedback(make_user("pokja", BLITAR), feedback.id)

    withdraw_feedback(facilitator, feedback.id)

    result = services.recommend_mentors(facilitator, city(BLITAR), "wastewater", None, 10, now)
    assert KENDARI in codes(result) and result["excluded"] == []
    with pytest.raises(NotFound):
        withdraw_feedback(facilitator, feedback.id)
