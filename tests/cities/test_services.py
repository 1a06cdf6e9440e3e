"""The city list by the numbers: sort, order, year, ranges, open programmes, safe search."""

import pytest
from sqlalchemy import event

from matchmaker.cities import services
from matchmaker.cities.access import get_city
from matchmaker.cities.importer import import_profiles, load_city_figures
from matchmaker.cities.services import CityFilters, search_cities
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.programmes import services as programmes

NTT = "53"


@pytest.fixture
def loaded(app, now):
    load_city_figures(now)
    db.session.commit()


def codes(**filters) -> list[str]:
    return [c.code for c in search_cities(CityFilters(**filters))]


def test_lowest_sanitation_kabupaten_in_ntt_without_an_open_programme(loaded, make_user, now):
    ntt = codes(province=NTT, kind="kabupaten", sort="sanitation_access_pct", order="asc")
    assert len(ntt) == 21
    values = [get_city(c).indicators[0].sanitation_access_pct for c in ntt]
    assert values == sorted(values)  # 2024 is every NTT kabupaten's newest year
    lowest = ntt[0]
    programmes.create_programme(make_user("facilitator"), "74.71", lowest, "wastewater", now)
    db.session.commit()
    free = codes(province=NTT, kind="kabupaten", sort="sanitation_access_pct",
                 no_programme_topic="wastewater")
    assert free == ntt[1:]
    assert lowest in codes(province=NTT, kind="kabupaten", no_programme_topic="solid_waste")
    assert "74.71" not in codes(province="74", no_programme_topic="wastewater")  # the mentor too


def test_a_closed_programme_does_not_count(loaded, make_user, now):
    facilitator = make_user("facilitator")
    programme = programmes.create_programme(facilitator, "74.71", "53.17", "wastewater", now)
    programmes.cancel_programme(facilitator, programme, "tidak jadi", now)
    db.session.commit()
    assert "53.17" in codes(province=NTT, no_programme_topic="wastewater")


def test_cities_without_the_figure_come_last_in_either_order(loaded):
    for order in ("asc", "desc"):
        papua = codes(province="95", sort="sanitation_access_pct", order=order, year=2024)
        assert papua[-2:] == ["95.04", "95.05"]  # Tolikara, Mamberamo Tengah: not published
    desc = codes(province="95", sort="sanitation_access_pct", order="desc", year=2024)
    first = get_city(desc[0])
    assert first.code not in ("95.04", "95.05")


def test_sort_by_a_given_year_and_by_each_citys_latest(loaded, now):
    import_profiles({"cities": [{"code": "53.71", "indicators": {"year": 2025,
                                                                  "sanitation_access_pct": 1.0}}]}, now)
    assert codes(province=NTT, sort="sanitation_access_pct")[0] == "53.71"  # its newest: 2025
    assert codes(province=NTT, sort="sanitation_access_pct", year=2024)[0] != "53.71"
    assert codes(province=NTT, sort="sanitation_access_pct", year=2025) [0] == "53.71"


def test_range_filters_keep_only_cities_with_the_figure_in_range(loaded):
    found = search_cities(CityFilters(ranges={"hdi": (80.0, None), "poverty_pct": (None, 5.0)},
                                      year=2024, sort="hdi", order="desc"))
    assert found and all(c.indicators[0].hdi >= 80 and c.indicators[0].poverty_pct <= 5
                         for c in found)
    assert "74.71" in [c.code for c in found]
    assert codes(province="94", year=2024, ranges={"sanitation_access_pct": (0.0, 100.0)}).count(
        "94.05") == 0  # Puncak: no 2024 figure, so not "in range"


def test_sort_by_name_population_and_fiscal_capacity(app, now):
    by_name = search_cities(CityFilters(province="35", sort="name"))
    assert [c.name for c in by_name] == sorted(c.name for c in by_name)
    assert by_name[0].name == "Kabupaten Bangkalan"
    by_people = search_cities(CityFilters(province="35", sort="population", order="desc"))
    assert by_people[0].code == "35.78"  # Kota Surabaya
    import_profiles({"cities": [{"code": "35.72", "indicators": {"year": 2024, "fiscal_capacity": "low"}},
                                {"code": "35.73", "indicators": {"year": 2024,
                                                                 "fiscal_capacity": "very_high"}}]}, now)
    assert codes(province="35", sort="fiscal_capacity", order="desc")[:2] == ["35.73", "35.72"]


@pytest.mark.parametrize("text", ["%", "_", "Kota_", "100%"])
def test_like_wildcards_in_the_search_are_taken_literally(app, text):
    assert codes(q=text) == []


def test_search_still_finds_by_name_and_code(app):
    assert codes(q="kendari") == ["74.71"]
    assert codes(q="74.71") == ["74.71"]
    assert codes(q="74.7") == ["74.71", "74.72"]


@pytest.mark.parametrize("filters, field", [
    ({"sort": "colour"}, "sort"), ({"order": "sideways"}, "order"), ({"year": 1800}, "year"),
    ({"kind": "desa"}, "kind"), ({"no_programme_topic": "space"}, "no_programme_topic"),
    ({"ranges": {"fiscal_capacity": (1.0, 2.0)}}, "fiscal_capacity"),
    ({"ranges": {"hdi": (90.0, 10.0)}}, "hdi_min")])
def test_bad_filters_are_refused_naming_the_parameter(app, filters, field):
    with pytest.raises(ValidationError) as error:
        search_cities(CityFilters(**filters))
    assert error.value.field == field


def test_the_list_takes_a_bounded_number_of_queries(loaded, make_user, now):
    facilitator = make_user("facilitator")
    for code in ("53.01", "53.02", "53.03"):
        services.add_practice(facilitator, get_city(code),
                              {"topic": "wastewater", "title": "L2T2", "maturity": "pilot"}, now)
        services.add_need(facilitator, get_city(code), {"topic": "drainage", "title": "X"}, now)
    db.session.commit()
    db.session.expire_all()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = services.list_page(CityFilters(sort="hdi", no_programme_topic="wastewater"), 1, 200)
        shown = [(c.practices, c.needs, c.indicators) for c in page.items]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(shown) == 200
    assert len(statements) <= 5  # count, page, practices, needs, indicators
