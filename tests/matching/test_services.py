"""The recommendation and cohort services on small constructed profiles."""

import threading

import pytest
from sqlalchemy import select

from matchmaker.access import OPERATOR
from matchmaker.cities import services as cities
from matchmaker.cities.access import get_need
from matchmaker.cities.models import Need
from matchmaker.errors import Conflict, Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.matching import services
from matchmaker.matching.cache import current_snapshot, model_cache
from matchmaker.matching.models import CohortProposal, ProposalStatus
from matchmaker.programmes.models import ProgrammeStatus
from tests.matching.conftest import BLITAR, JAYAPURA, KAB_MALANG, KENDARI, MALANG, SEMARANG


@pytest.fixture(autouse=True)
def request_context(app):
    """Reasons are translated, so the services run inside a request (as in the app)."""
    with app.test_request_context():
        yield


def codes(result: dict) -> list[str]:
    return [item["code"] for item in result["recommendations"]]


def test_result_has_the_contract_shape(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)

    assert result["mentee"] == {"code": BLITAR, "name": "Kota Blitar"}
    assert result["topic"] == "wastewater"
    assert result["excluded"] == []
    items = result["recommendations"]
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:
        assert 0.0 <= item["score"] <= 1.0
        assert {"title", "maturity", "started_year"} <= set(item["practice"])
        assert item["name"] == city(item["code"]).name
        assert [r["factor"] for r in item["reasons"]] == [
            "relevance", "maturity", "context", "complementarity"]
        for reason in item["reasons"]:
            assert 0.0 <= reason["value"] <= 1.0 and reason["text"]


def test_blitar_learns_l2t2_from_kendari_with_reasons_in_the_sectors_words(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)

    first = result["recommendations"][0]
    assert first["code"] == KENDARI
    reasons = {r["factor"]: r["text"] for r in first["reasons"]}
    assert reasons["relevance"].startswith("Kendari menjalankan Layanan Lumpur Tinja Terjadwal")
    assert "sejak 2016" in reasons["relevance"]
    assert "'ASN'" in reasons["relevance"] and "kebutuhan Blitar" in reasons["relevance"]
    assert "10 tahun" in reasons["maturity"]
    assert "WITA / WIB" in reasons["context"] and "keduanya kota" in reasons["context"].lower()
    assert reasons["complementarity"] == "Akses sanitasi layak Kendari 91 % vs Blitar 78 %."


def test_mentee_is_never_its_own_mentor(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(KENDARI), "wastewater", "L2T2 ASN IPLT", 10, now)
    assert KENDARI not in codes(result)
    assert set(codes(result)) == {MALANG, SEMARANG}


def test_city_without_a_practice_on_the_topic_never_appears(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(JAYAPURA), "wastewater", None, 50, now)
    assert set(codes(result)) == {KENDARI, MALANG, SEMARANG}
    assert BLITAR not in codes(result)  # Blitar only runs a solid-waste practice


def test_topic_nobody_practises_is_an_empty_answer(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "building", None, 10, now)
    assert result["recommendations"] == [] and result["excluded"] == []


def test_idea_stage_practice_ranks_below_running_ones(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(JAYAPURA), "wastewater", None, 10, now)
    assert codes(result)[-1] == SEMARANG
    reasons = {r["factor"]: r["text"] for r in result["recommendations"][-1]["reasons"]}
    assert "gagasan" in reasons["maturity"]


def test_limit_is_respected_and_checked(profiles, city, now):
    assert len(services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 1, now)[
        "recommendations"]) == 1
    for bad in (0, 101, True):
        with pytest.raises(ValidationError):
            services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, bad, now)


@pytest.mark.parametrize("topic", ["", "sewage", None])
def test_unknown_topic_is_refused(profiles, city, now, topic):
    with pytest.raises(ValidationError) as error:
        services.recommend_mentors(OPERATOR, city(BLITAR), topic, None, 10, now)
    assert error.value.field == "topic"


def test_mentor_at_capacity_is_excluded_with_the_reason(profiles, city, now, make_programme):
    make_programme(KENDARI, JAYAPURA, "wastewater")
    make_programme(KENDARI, KAB_MALANG, "solid_waste", ProgrammeStatus.AGREED)

    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)

    assert KENDARI not in codes(result)
    assert result["excluded"][0]["code"] == KENDARI
    assert result["excluded"][0]["reason_key"] == "capacity"
    assert "2 program terbuka" in result["excluded"][0]["reason"]
    assert result["excluded"][0]["name"] == "Kota Kendari"


def test_closed_programmes_do_not_count_against_capacity(profiles, city, now, make_programme):
    make_programme(KENDARI, JAYAPURA, "wastewater", ProgrammeStatus.COMPLETED)
    make_programme(KENDARI, KAB_MALANG, "wastewater", ProgrammeStatus.DECLINED)
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    assert codes(result)[0] == KENDARI and result["excluded"] == []


def test_capacity_is_a_setting(app, profiles, city, now, make_programme):
    make_programme(KENDARI, JAYAPURA, "solid_waste")
    app.config["MENTOR_CAPACITY"] = 1
    try:
        result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    finally:
        app.config["MENTOR_CAPACITY"] = 2
    assert [e["code"] for e in result["excluded"]] == [KENDARI]


def test_mentor_already_in_an_open_programme_with_the_mentee_is_excluded(
        profiles, city, now, make_programme):
    make_programme(KENDARI, BLITAR, "wastewater", ProgrammeStatus.PROPOSED)

    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)

    assert KENDARI not in codes(result)
    assert [(e["code"], e["reason_key"]) for e in result["excluded"]] == [(KENDARI, "open_programme")]
    # On another topic the same pair is not blocked.
    other = services.recommend_mentors(OPERATOR, city(JAYAPURA), "wastewater", None, 10, now)
    assert KENDARI in codes(other)


def test_explicit_need_text_changes_relevance(profiles, city, now):
    result = services.recommend_mentors(OPERATOR, city(JAYAPURA), "wastewater",
                                        "IPAL komunal permukiman padat KSM", 10, now)
    assert codes(result)[0] == MALANG
    assert "'IPAL komunal'" in result["recommendations"][0]["reasons"][0]["text"]


# ---------------------------------------------------------------- cache

def test_model_is_built_once_and_reused(app, profiles, city, now):
    services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    builds = model_cache(app).builds
    services.recommend_mentors(OPERATOR, city(JAYAPURA), "wastewater", None, 10, now)
    services.could_mentor(city(KENDARI))
    assert model_cache(app).builds == builds


def test_adding_a_practice_changes_the_result_without_a_restart(app, profiles, city, now,
                                                                make_user):
    before = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    assert JAYAPURA not in codes(before)
    builds = model_cache(app).builds

    cities.add_practice(make_user("facilitator"), city(JAYAPURA), {
        "topic": "wastewater", "title": "L2T2 ASN dengan IPLT baru",
        "description": "Layanan lumpur tinja terjadwal bagi ASN, instruksi wali kota.",
        "maturity": "operational", "started_year": 2020}, now)
    db.session.commit()

    after = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    assert JAYAPURA in codes(after)
    assert model_cache(app).builds == builds + 1


def test_changing_indicators_rebuilds_the_model(app, profiles, city, now, make_user):
    services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    builds = model_cache(app).builds
    cities.set_indicators(make_user("facilitator"), city(BLITAR),
                          {"year": 2024, "sanitation_access_pct": 99.0}, now)
    db.session.commit()
    result = services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    assert model_cache(app).builds == builds + 1
    assert "Blitar 99 %" in result["recommendations"][0]["reasons"][3]["text"]


def test_concurrent_requests_build_the_model_once(app, profiles):
    builds = model_cache(app).builds
    seen, errors = [], []

    def work():
        try:
            with app.app_context():
                seen.append(id(current_snapshot()))
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert model_cache(app).builds == builds + 1
    assert len(set(seen)) == 1


# ---------------------------------------------------------------- could mentor

def test_city_profile_lists_needs_its_practices_answer(profiles, city):
    found = services.could_mentor(city(KENDARI))
    assert [(f["mentee"].code, f["rank"]) for f in found][0] == (BLITAR, 1)
    assert JAYAPURA in [f["mentee"].code for f in found]
    assert KENDARI not in [f["mentee"].code for f in found]
    assert services.could_mentor(city(JAYAPURA)) == []  # no practices


def test_could_mentor_costs_the_same_queries_however_many_needs(profiles, city, make_city, now,
                                                               count_queries):
    def cold_queries():
        current_snapshot().memo.clear()
        db.session.expire_all()
        with count_queries() as counted:
            found = services.could_mentor(city(KENDARI))
        return counted.n, len(found)

    few = cold_queries()
    for code in ("11.01", "11.02", "11.03", "11.04"):
        make_city(code, needs=[{"topic": "wastewater", "title": "Layanan lumpur tinja",
                                "priority": "high"}])
    current_snapshot()  # the rebuild after new data is the model cache's, not the panel's
    many = cold_queries()
    assert many[1] == few[1] + 4
    assert many[0] == few[0]


# ---------------------------------------------------------------- cohort

def all_need_ids() -> list[int]:
    return [n.id for n in services.cohort_needs(OPERATOR, services.CohortFilters())]


def test_cohort_pairs_every_need_it_can_and_beats_or_ties_greedy(profiles, make_user, now):
    result = services.run_cohort(make_user("facilitator"), all_need_ids(), now)

    pairs = {(p["mentee"].code, p["need"].topic): p["mentor"].code for p in result["pairs"]}
    assert pairs[(BLITAR, "wastewater")] == KENDARI
    assert pairs[(KENDARI, "solid_waste")] == BLITAR
    assert (JAYAPURA, "wastewater") in pairs
    assert result["total"] >= result["greedy_total"] - 1e-9
    assert result["unpaired"] == []
    assert all(p["candidate"]["reasons"] for p in result["pairs"])


def test_cohort_respects_capacity_left_after_open_programmes(app, profiles, make_user, now,
                                                              make_programme):
    app.config["MENTOR_CAPACITY"] = 1
    try:
        make_programme(MALANG, KAB_MALANG, "wastewater")  # Malang is full
        make_programme(SEMARANG, KAB_MALANG, "wastewater")  # Semarang is full
        result = services.run_cohort(make_user("facilitator"), all_need_ids(), now)
    finally:
        app.config["MENTOR_CAPACITY"] = 2
    wastewater = [p for p in result["pairs"] if p["need"].topic == "wastewater"]
    assert [p["mentor"].code for p in wastewater] == [KENDARI]
    assert [(u["mentee"].code, u["reason_key"]) for u in result["unpaired"]] == [
        (JAYAPURA, "capacity")]
    assert result["unpaired"][0]["reason"]


def test_cohort_filters_by_topic_province_and_priority(profiles):
    by_topic = services.cohort_needs(OPERATOR, services.CohortFilters(topic="solid_waste"))
    assert [n.city.code for n in by_topic] == [KENDARI]
    by_province = services.cohort_needs(OPERATOR, services.CohortFilters(province="35"))
    assert [n.city.code for n in by_province] == [BLITAR]
    by_priority = services.cohort_needs(OPERATOR, services.CohortFilters(priority="medium"))
    assert [n.city.code for n in by_priority] == [JAYAPURA]
    with pytest.raises(ValidationError):
        services.cohort_needs(OPERATOR, services.CohortFilters(priority="urgent"))


def test_only_facilitators_run_and_accept_cohorts(profiles, make_user, now):
    pokja = make_user("pokja", BLITAR)
    with pytest.raises(Forbidden):
        services.run_cohort(pokja, all_need_ids(), now)
    need = get_need(all_need_ids()[0])
    with pytest.raises(Forbidden):
        services.accept_pair(pokja, need.id, KENDARI, now)


def test_accepting_a_pair_keeps_a_proposal_that_counts_against_capacity(
        app, profiles, make_user, city, now):
    facilitator = make_user("facilitator")
    need = db.session.scalar(select(Need).where(Need.title == "Memulai L2T2 untuk ASN"))

    proposal = services.accept_pair(facilitator, need.id, KENDARI, now)
    db.session.commit()

    stored = db.session.scalars(select(CohortProposal)).all()
    assert [(p.need_id, p.mentor.code, p.status) for p in stored] == [
        (need.id, KENDARI, ProposalStatus.ACCEPTED)]
    assert proposal.practice.title.startswith("Layanan Lumpur Tinja")
    assert 0 < proposal.score <= 1 and proposal.created_by == facilitator
    assert proposal.created_at == now
    assert services.mentor_load()[city(KENDARI).id] == 1
    assert need.id in services.proposed_need_ids()
    with pytest.raises(Conflict):
        services.accept_pair(facilitator, need.id, MALANG, now)


def test_accepting_a_mentor_without_a_practice_on_the_topic_is_refused(profiles, make_user, now):
    need = db.session.scalar(select(Need).where(Need.city.has(code=JAYAPURA)))
    with pytest.raises(ValidationError):
        services.accept_pair(make_user("facilitator"), need.id, BLITAR, now)


def test_accept_all_is_all_or_nothing(profiles, make_user, now):
    facilitator = make_user("facilitator")
    ids = all_need_ids()
    with pytest.raises(ValidationError):
        services.accept_pairs(facilitator, [(ids[1], KENDARI), (ids[2], BLITAR)], now)
    db.session.rollback()
    assert db.session.scalars(select(CohortProposal)).all() == []


def test_could_mentor_sees_a_new_need_without_a_restart(profiles, city, make_user, now):
    assert KAB_MALANG not in [f["mentee"].code for f in services.could_mentor(city(KENDARI))]
    cities.add_need(make_user("facilitator"), city(KAB_MALANG), {
        "topic": "wastewater", "title": "L2T2 untuk ASN kabupaten",
        "description": "Lumpur tinja terjadwal, IPLT.", "priority": "high"}, now)
    db.session.commit()
    assert KAB_MALANG in [f["mentee"].code for f in services.could_mentor(city(KENDARI))]


def test_a_change_made_by_another_process_is_seen(app, app_config, profiles, city, now):
    """A second app (its own engine, session and cache) stands in for another worker process."""
    from matchmaker import create_app
    from matchmaker.cities.models import City, Practice

    services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now)
    other = create_app(app_config)
    with other.app_context():
        jayapura = db.session.scalar(select(City).where(City.code == JAYAPURA))
        db.session.add(Practice(city=jayapura, topic="wastewater", title="L2T2 ASN",
                                description="lumpur tinja terjadwal", maturity="pilot"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    db.session.commit()  # end this session's transaction, as the next request would
    assert JAYAPURA in codes(services.recommend_mentors(OPERATOR, city(BLITAR), "wastewater", None, 10, now))


def test_cohort_sets_aside_needs_already_proposed_or_in_an_open_programme(
        profiles, make_user, make_programme, now):
    facilitator = make_user("facilitator")
    blitar = db.session.scalar(select(Need.id).where(Need.title == "Memulai L2T2 untuk ASN"))
    services.accept_pair(facilitator, blitar, KENDARI, now)
    make_programme(MALANG, JAYAPURA, "wastewater")

    result = services.run_cohort(facilitator, all_need_ids(), now)

    assert {(u["mentee"].code, u["reason_key"]) for u in result["unpaired"]} == {
        (BLITAR, "already_proposed"), (JAYAPURA, "open_programme")}
    assert [(p["mentee"].code, p["mentor"].code) for p in result["pairs"]] == [(KENDARI, BLITAR)]
