"""Who needs this practice? Ranking candidate mentees from a practice, and proposing to one."""

import pytest
from sqlalchemy import select

from matchmaker.cities.access import get_city
from matchmaker.cities.importer import load_city_figures
from matchmaker.cities.models import Need, Practice
from matchmaker.errors import Conflict, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.matching.cache import current_snapshot
from matchmaker.matching.candidates import FACTORS, practice_of, propose_programme, rank_candidates

L2T2 = {"topic": "wastewater", "title": "Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN",
        "description": "Penyedotan lumpur tinja terjadwal bagi ASN.", "maturity": "institutionalised",
        "started_year": 2016}


@pytest.fixture
def l2t2(app, now, make_city) -> Practice:
    load_city_figures(now)
    db.session.commit()
    make_city("74.71", practices=[L2T2])
    return db.session.scalar(select(Practice).where(Practice.title == L2T2["title"]))


def ranked(facilitator, practice, now, limit=100) -> dict:
    return rank_candidates(facilitator, practice, limit, now)


def test_ranks_the_cities_furthest_behind_on_sanitation_with_reasons(facilitator, l2t2, now):
    result = ranked(facilitator, l2t2, now)
    assert result["practice"] == {"id": l2t2.id, "city": "74.71", "city_name": "Kota Kendari",
                                  "title": L2T2["title"], "topic": "wastewater",
                                  "maturity": "institutionalised"}
    assert result["indicator"]["key"] == "sanitation_access_pct"
    items = result["candidates"]
    assert len(items) == 100 and "74.71" not in {c["code"] for c in items}
    scores = [c["score"] for c in items]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert [c["rank"] for c in items[:3]] == [1, 2, 3]
    for item in items:
        assert [r["factor"] for r in item["reasons"]] == list(FACTORS)
        assert all(r["text"] for r in item["reasons"])
    top = items[0]
    gap = top["reasons"][0]
    assert gap["value"] > 0.8 and "Kendari 98,32 %" in gap["text"] and "BPS, Susenas 2024" in gap["text"]
    assert top["figure"]["value"] < 70 and top["figure"]["source"] == "BPS, Susenas 2024"


def test_context_is_the_engine_context_factor(facilitator, l2t2, now):
    similarity = current_snapshot().model.context_similarity("74.71")
    for item in ranked(facilitator, l2t2, now, limit=5)["candidates"]:
        context = item["reasons"][1]
        assert context["value"] == pytest.approx(similarity[item["code"]], abs=1e-3)
        assert "zona waktu" in context["text"]


def test_a_city_not_behind_the_mentor_gets_no_gap(facilitator, l2t2, now, make_city):
    make_city("74.71", indicators={"year": 2030, "sanitation_access_pct": 10.0})
    items = ranked(facilitator, l2t2, now)["candidates"]
    ahead = [c for c in items if c["figure"] and (c["figure"]["value"] or 0) >= 10.0]
    assert ahead and all(c["reasons"][0]["value"] == 0 for c in ahead)
    assert "sudah setara atau lebih baik dari Kendari (10 %)" in ahead[0]["reasons"][0]["text"]


def test_a_recorded_need_counts_and_is_quoted(facilitator, l2t2, now, make_city):
    make_city("53.17", needs=[{"topic": "wastewater", "title": "Memulai layanan sedot tinja",
                               "priority": "high"}])
    items = {c["code"]: c for c in ranked(facilitator, l2t2, now)["candidates"]}
    sumba = items["53.17"]
    assert sumba["need"]["title"] == "Memulai layanan sedot tinja"
    need = sumba["reasons"][2]
    assert need["value"] == 1.0 and "Memulai layanan sedot tinja" in need["text"]
    assert sumba["rank"] == 1


def test_never_the_mentor_nor_a_city_in_an_open_programme_on_the_topic(facilitator, l2t2, now,
                                                                       make_programme):
    make_programme(mentor="74.71", mentee="53.17")  # with Kendari
    make_programme(mentor="35.72", mentee="53.18", topic="wastewater")  # with someone else
    make_programme(mentor="74.71", mentee="53.19", status="cancelled")  # closed: no longer counts
    result = ranked(facilitator, l2t2, now, limit=100)
    listed = {c["code"] for c in result["candidates"]}
    excluded = {e["code"]: e["reason"] for e in result["excluded"]}
    assert "74.71" not in listed and "74.71" not in excluded
    assert "53.17" not in listed and "program terbuka dengan Kendari" in excluded["53.17"]
    assert "53.18" not in listed and "dari Blitar" in excluded["53.18"]
    assert "53.19" not in excluded


def test_a_city_running_its_own_practice_as_mature_is_left_out(facilitator, l2t2, now, make_city):
    make_city("53.17", practices=[{**L2T2, "title": "LLTT kabupaten", "maturity": "institutionalised"}])
    make_city("53.18", practices=[{**L2T2, "title": "Rencana LLTT", "maturity": "idea"}])
    excluded = {e["code"] for e in ranked(facilitator, l2t2, now)["excluded"]}
    assert "53.17" in excluded and "53.18" not in excluded


def test_only_facilitators_ask(l2t2, now, pokja_blitar):
    with pytest.raises(Forbidden):
        rank_candidates(pokja_blitar, l2t2, 10, now)


def test_proposing_records_the_need_on_the_mentees_behalf(facilitator, l2t2, now):
    sumba = get_city("53.17")
    programme = propose_programme(facilitator, l2t2, sumba, now)
    db.session.commit()
    need = programme.need
    assert programme.status == "proposed" and programme.mentor.code == "74.71"
    assert programme.practice_id == l2t2.id and programme.topic == "wastewater"
    assert need.city_id == sumba.id and need.proposed_by_id == facilitator.id
    assert need.title == f"Belajar {L2T2['title']} dari Kendari"
    with pytest.raises(Conflict):
        propose_programme(facilitator, l2t2, sumba, now)
    assert "53.17" in {e["code"] for e in ranked(facilitator, l2t2, now)["excluded"]}


def test_proposing_uses_the_mentees_own_need_when_it_has_one(facilitator, l2t2, now, make_city):
    make_city("53.17", needs=[{"topic": "wastewater", "title": "Sedot tinja", "priority": "low"}])
    programme = propose_programme(facilitator, l2t2, get_city("53.17"), now)
    assert programme.need.title == "Sedot tinja" and programme.need.proposed_by_id is None
    assert db.session.scalar(select(Need.id).where(Need.proposed_by_id.is_not(None))) is None


def test_a_full_mentor_is_reported_and_cannot_be_proposed(app, facilitator, l2t2, now, make_programme):
    app.config["MENTOR_CAPACITY"] = 1
    make_programme(mentor="74.71", mentee="35.72")
    result = ranked(facilitator, l2t2, now, limit=3)
    assert result["mentor_capacity"] == {"open": 1, "capacity": 1, "is_full": True}
    with pytest.raises(Conflict):
        propose_programme(facilitator, l2t2, get_city("53.17"), now)


def test_from_a_city_and_topic_start_at_its_most_mature_practice(l2t2, make_city):
    kendari = make_city("74.71", practices=[{**L2T2, "title": "Rencana IPAL", "maturity": "idea"},
                                            {"topic": "road", "title": "Jalan", "maturity": "pilot"}])
    assert practice_of(kendari, "wastewater").id == l2t2.id
    with pytest.raises(NotFound):
        practice_of(kendari, "drainage")
