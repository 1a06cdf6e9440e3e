"""The shipped BPS figures: loaded for all 514, cited, never over a user's or an import's figure."""

import pytest
from sqlalchemy import func, select

from matchmaker.cities import figures, services
from matchmaker.cities.access import get_city
from matchmaker.cities.figures import Origin, city_figure, comparisons, figure_values
from matchmaker.cities.importer import import_profiles, load_city_figures
from matchmaker.cities.models import Indicator
from matchmaker.extensions import db


@pytest.fixture
def loaded(app, now):
    counts = load_city_figures(now)
    db.session.commit()
    return counts


def kendari():
    return get_city("74.71")


def test_kendari_2024_figures_cite_bps(loaded):
    expected = {"sanitation_access_pct": (98.32, "BPS, Susenas 2024"),
                "drinking_water_access_pct": (99.70, "BPS, Susenas 2024"),
                "poverty_pct": (4.23, "BPS, Susenas 2024"), "hdi": (85.97, "BPS, IPM 2024")}
    for key, (value, source) in expected.items():
        found = city_figure(kendari(), key, 2024)
        assert (found.value, found.year, found.source, found.origin) == (
            value, 2024, source, Origin.REFERENCE)


def test_two_years_give_a_trend_and_2021_hdi_is_marked_as_the_old_series(loaded):
    years, table = figures.figure_table(kendari())
    assert years == [2021, 2024]
    assert figures.trend(table["sanitation_access_pct"]) == (2021, 2024, 1.75)  # 96.57 -> 98.32
    assert table["hdi"][2021].source == "BPS, IPM 2021 (seri UHH lama)"


def test_511_cities_have_a_2024_sanitation_figure_and_three_say_none_was_published(loaded):
    values = figure_values("sanitation_access_pct", 2024)
    assert len(values) == 514
    missing = sorted(code for code, f in values.items() if f.is_missing)
    assert missing == ["94.05", "95.04", "95.05"]
    assert sum(not f.is_missing for f in values.values()) == 511
    assert all(f.source == "BPS, Susenas 2024" for f in values.values())
    # Each city's newest figure with a value: Puncak's 2021 one, not a zero.
    assert figure_values("sanitation_access_pct")["94.05"].year == 2021


def test_seven_empty_cells_are_kept_as_not_published(loaded):
    absent = [(i.city.code, i.year, key) for i in db.session.scalars(select(Indicator))
              for key in ("sanitation_access_pct", "drinking_water_access_pct", "poverty_pct", "hdi")
              if getattr(i, key) is None and (i.sources or {}).get(key)]
    assert len(absent) == 7
    assert ("94.08", 2021, "sanitation_access_pct") in absent


def test_loading_twice_changes_nothing(loaded, now):
    assert loaded["created"] == 1028
    again = load_city_figures(now)
    assert again == {"created": 0, "updated": 0, "unchanged": 1028, "kept": 0}
    assert db.session.scalar(select(func.count(Indicator.id))) == 1028


def test_a_figure_set_by_a_user_or_an_import_is_never_overwritten(app, make_user, now):
    facilitator = make_user("facilitator")
    services.set_indicators(facilitator, kendari(), {"year": 2024, "sanitation_access_pct": 91.0},
                            now, change_source="Dinas PUPR Kota Kendari")
    import_profiles({"cities": [{"code": "74.71", "indicators": {
        "year": 2024, "hdi": 80.0, "sources": {"hdi": "Bappeda"}}}]}, now)
    counts = load_city_figures(now)
    db.session.commit()
    assert counts["kept"] == 2
    sanitation = city_figure(kendari(), "sanitation_access_pct", 2024)
    assert (sanitation.value, sanitation.source, sanitation.origin) == (
        91.0, "Dinas PUPR Kota Kendari", Origin.USER)
    hdi = city_figure(kendari(), "hdi", 2024)
    assert (hdi.value, hdi.source, hdi.origin) == (80.0, "Bappeda", Origin.IMPORT)
    water = city_figure(kendari(), "drinking_water_access_pct", 2024)
    assert (water.value, water.origin) == (99.70, Origin.REFERENCE)  # the rest of the year is filled


def test_a_figure_entered_before_origins_were_kept_counts_as_the_users(app, now):
    db.session.add(Indicator(city_id=kendari().id, year=2024, sanitation_access_pct=91.0))
    db.session.commit()
    load_city_figures(now)
    assert city_figure(kendari(), "sanitation_access_pct", 2024).value == 91.0


def test_a_changed_reference_value_is_refreshed(loaded, now):
    row = db.session.scalar(select(Indicator).where(Indicator.city_id == kendari().id,
                                                    Indicator.year == 2024))
    row.sanitation_access_pct = 50.0  # as if an older copy of the shipped file had said so
    db.session.commit()
    assert load_city_figures(now)["updated"] == 1
    assert city_figure(kendari(), "sanitation_access_pct", 2024).value == 98.32


def test_province_and_national_comparisons_use_the_city_figures_year(loaded):
    city = kendari()
    same = comparisons(city, "drinking_water_access_pct", 2021)
    assert same["year"] == 2021 and same["province"] is not None and same["national"] is not None
    later = comparisons(city, "drinking_water_access_pct", 2024)
    assert later["province"] != same["province"]
    # No 2024 sanitation figure was published for Sulawesi Tengah: say so, do not borrow a year.
    palu = get_city("72.71")
    assert comparisons(palu, "sanitation_access_pct", 2024)["province"] is None


def test_before_2024_new_papua_provinces_compare_with_the_province_they_split_from(loaded):
    wamena = get_city("95.01")  # Jayawijaya, Papua Pegunungan since 2022
    result = comparisons(wamena, "drinking_water_access_pct", 2021)
    assert result["province"] is not None
    assert "Papua" in str(result["province_name"])
    assert comparisons(wamena, "drinking_water_access_pct", 2024)["province_name"] == wamena.province_name


def test_the_profile_dict_gives_each_year_its_sources_and_origins(loaded):
    newest = services.city_profile(kendari())["indicators"][0]
    assert newest["year"] == 2024 and newest["hdi"] == 85.97
    assert newest["sources"]["hdi"] == "BPS, IPM 2024"
    assert newest["origins"]["sanitation_access_pct"] == "reference"
    row = services.figure_dict(kendari(), "poverty_pct")
    assert row == {"value": 4.23, "year": 2024, "source": "BPS, Susenas 2024", "origin": "reference"}
