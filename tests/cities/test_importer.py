import json

import pytest
from sqlalchemy import func, select

from matchmaker.cities.importer import export_profiles, import_profiles, load_regions
from matchmaker.cities.models import City, Indicator, Need, Practice, ProfileChange
from matchmaker.errors import ValidationError
from matchmaker.extensions import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def practice(city="74.71", n=0, **kw):
    return {"city": city, "topic": "wastewater", "title": f"Praktik {n}",
            "description": "Layanan lumpur tinja terjadwal", "maturity": "operational",
            "started_year": 2018, **kw}


def test_load_regions_twice_gives_exactly_514_cities(app):
    first = load_regions()
    second = load_regions()
    assert first["created"] == 0 and first["unchanged"] == 514  # loaded once by the fixture
    assert second == {"created": 0, "updated": 0, "unchanged": 514}
    assert count(City) == 514
    kendari = db.session.scalar(select(City).where(City.code == "74.71"))
    assert (kendari.name, kendari.kind, kendari.timezone) == ("Kota Kendari", "kota", "Asia/Makassar")


def test_import_creates_records_and_records_history(app, now):
    payload = {"cities": [{"code": "74.71", "indicators": {"year": 2024, "sanitation_access_pct": 91.0,
                                                            "fiscal_capacity": "medium"}}],
               "practices": [practice()],
               "needs": [{"city": "35.72", "topic": "wastewater", "title": "Memulai L2T2",
                          "priority": "high"}]}
    counts = import_profiles(payload, now)
    db.session.commit()
    assert counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert count(Indicator) == count(Practice) == count(Need) == 1
    assert count(ProfileChange) == 3


def test_reimporting_the_same_file_changes_nothing(app, now):
    payload = {"practices": [practice(n=i) for i in range(20)]}
    import_profiles(payload, now)
    db.session.commit()
    changes = count(ProfileChange)
    assert import_profiles(payload, now) == {"created": 0, "updated": 0, "unchanged": 20}
    db.session.commit()
    assert count(ProfileChange) == changes and count(Practice) == 20


def test_one_bad_record_among_thousands_refuses_the_whole_file(app, now):
    good = [practice(city=code, n=i) for i, code in enumerate(["74.71", "35.72", "33.72"] * 1000)]
    bad = practice(n=99999, maturity="legendary")
    payload = {"practices": good[:1500] + [bad] + good[1500:]}
    with pytest.raises(ValidationError) as error:
        import_profiles(payload, now)
    db.session.rollback()
    assert error.value.errors == [{"section": "practices", "record": 1501, "field": "maturity",
                                   "message": "harus salah satu dari: idea, pilot, operational, "
                                              "institutionalised (bukan 'legendary')"}]
    assert count(Practice) == 0


def test_every_problem_is_reported_with_record_and_field(app, now):
    payload = {"cities": [{"code": "00.00", "indicators": {"year": 2024}},
                          {"code": "74.71", "indicators": {"year": 2024,
                                                           "sanitation_access_pct": 140}}],
               "practices": [practice(topic="space_travel"), practice(started_year="2016")],
               "needs": [{"city": "35.72", "topic": "wastewater", "title": ""}]}
    with pytest.raises(ValidationError) as error:
        import_profiles(payload, now)
    found = {(p["section"], p["record"], p["field"]) for p in error.value.errors}
    assert found == {("cities", 1, "code"), ("cities", 2, "indicators.sanitation_access_pct"),
                     ("practices", 1, "topic"), ("practices", 2, "started_year"),
                     ("needs", 1, "title")}


def test_unknown_keys_are_ignored(app, now):
    import_profiles({"practices": [practice(colour="blue")], "comment": "x"}, now)
    assert count(Practice) == 1


def test_export_round_trips(app, now):
    payload = {"cities": [{"code": "35.72", "indicators": {"year": 2023, "sanitation_access_pct": 78.0}}],
               "practices": [practice()],
               "needs": [{"city": "35.72", "topic": "wastewater", "title": "Memulai L2T2",
                          "description": "", "priority": "high"}]}
    import_profiles(payload, now)
    exported = json.loads(json.dumps(export_profiles()))
    assert import_profiles(exported, now) == {"created": 0, "updated": 0, "unchanged": 3}
    assert exported["cities"] == payload["cities"]
    assert exported["needs"] == payload["needs"]


def test_indicator_sources_are_kept_and_exported(app, now):
    payload = {"cities": [{"code": "74.71", "indicators": {
        "year": 2024, "poverty_pct": 4.23, "hdi": 85.97,
        "sources": {"poverty_pct": "BPS, Susenas 2024", "hdi": "BPS, IPM 2024"}}}]}
    import_profiles(payload, now)
    assert export_profiles()["cities"] == payload["cities"]
    assert import_profiles(payload, now) == {"created": 0, "updated": 0, "unchanged": 1}


def test_a_new_value_without_a_source_drops_the_old_source(app, now):
    first = {"code": "74.71", "indicators": {"year": 2024, "hdi": 85.97, "sources": {"hdi": "BPS"}}}
    import_profiles({"cities": [first]}, now)
    import_profiles({"cities": [{"code": "74.71", "indicators": {"year": 2024, "hdi": 80.0}}]}, now)
    indicator = db.session.scalar(select(Indicator))
    assert indicator.hdi == 80.0 and not (indicator.sources or {}).get("hdi")
    assert indicator.origins == {"hdi": "import"}


def test_bad_sources_and_a_repeated_city_year_are_reported(app, now):
    payload = {"cities": [
        {"code": "74.71", "indicators": {"year": 2024, "sources": {"colour": "x", "hdi": 5}}},
        {"code": "35.72", "indicators": {"year": 2024, "poverty_pct": 7.0}},
        {"code": "35.72", "indicators": {"year": 2024, "hdi": 75.0}}]}
    with pytest.raises(ValidationError) as error:
        import_profiles(payload, now)
    found = {(p["record"], p["field"]) for p in error.value.errors}
    assert found == {(1, "indicators.sources.colour"), (1, "indicators.sources.hdi"),
                     (3, "indicators.year")}
