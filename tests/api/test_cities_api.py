import pytest

from matchmaker.cities.importer import load_city_figures
from matchmaker.cities.services import CityFilters, search_cities
from matchmaker.extensions import db

L2T2 = {"topic": "wastewater", "title": "Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN",
        "description": "Instruksi wali kota", "maturity": "institutionalised", "started_year": 2016}


def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/cities")
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert response.json["message"]


def test_lists_all_514_cities(api, make_user):
    response = api(make_user("viewer")).get("/api/v1/cities")
    assert response.status_code == 200
    assert response.json["count"] == 514 == len(response.json["cities"])


def test_search_and_filters(api, make_user):
    client = api(make_user("viewer"))
    found = client.get("/api/v1/cities?q=blitar").json["cities"]
    assert {c["code"] for c in found} == {"35.05", "35.72"}
    kota = client.get("/api/v1/cities?q=blitar&kind=kota").json["cities"]
    assert [c["name"] for c in kota] == ["Kota Blitar"]
    assert client.get("/api/v1/cities?province=74").json["count"] == 17


def test_unknown_city_is_404(api, make_user):
    response = api(make_user("viewer")).get("/api/v1/cities/99.99")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_pokja_of_blitar_writes_blitar_but_not_kendari(api, make_user):
    client = api(make_user("pokja", "35.72"))
    refused = client.post("/api/v1/cities/74.71/practices", json=L2T2)
    assert refused.status_code == 403
    assert refused.json["error"] == "forbidden"
    created = client.post("/api/v1/cities/35.72/needs",
                          json={"topic": "wastewater", "title": "Memulai L2T2", "priority": "high"})
    assert created.status_code == 201
    profile = client.get("/api/v1/cities/35.72").json
    assert [n["id"] for n in profile["needs"]] == [created.json["id"]]
    assert client.get("/api/v1/cities/74.71").json["practices"] == []


def test_facilitator_adds_practice_and_duplicate_is_409(api, make_user):
    client = api(make_user("facilitator"))
    assert client.post("/api/v1/cities/74.71/practices", json=L2T2).status_code == 201
    again = client.post("/api/v1/cities/74.71/practices", json=L2T2)
    assert again.status_code == 409


def test_viewer_cannot_write(api, make_user):
    assert api(make_user("viewer")).post("/api/v1/cities/74.71/practices",
                                         json=L2T2).status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({**L2T2, "topic": "space_travel"}, "topic"),
    ({**L2T2, "started_year": "2016"}, "started_year"),
    ({**L2T2, "maturity": None}, "maturity"),
    ({**L2T2, "title": 42}, "title"),
])
def test_bad_records_get_400_naming_the_field(api, make_user, body, field):
    response = api(make_user("facilitator")).post("/api/v1/cities/74.71/practices", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "invalid"
    assert response.json["field"] == field
    assert field in response.json["message"]


def test_malformed_json_is_400(api, make_user):
    response = api(make_user("facilitator")).post(
        "/api/v1/cities/74.71/practices", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json) >= {"error", "message"}


def test_revoked_or_wrong_token_is_401(client):
    response = client.get("/api/v1/cities", headers={"Authorization": "Bearer mm_nope"})
    assert response.status_code == 401


def test_unknown_api_path_is_json_404(api, make_user):
    response = api(make_user("viewer")).get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


@pytest.fixture
def figures_loaded(app, now):
    load_city_figures(now)
    db.session.commit()


def test_sorts_and_filters_by_indicator_and_year_like_the_web_list(api, make_user, figures_loaded,
                                                                   make_programme):
    make_programme(mentor="74.71", mentee="53.17", topic="wastewater")  # Sumba Tengah is served
    client = api(make_user("viewer"))
    query = ("province=53&kind=kabupaten&sort=sanitation_access_pct&order=asc&year=2024"
             "&no_programme_topic=wastewater&sanitation_access_pct_max=70")
    body = client.get(f"/api/v1/cities?{query}").json
    filters = CityFilters(province="53", kind="kabupaten", sort="sanitation_access_pct", year=2024,
                          no_programme_topic="wastewater", ranges={"sanitation_access_pct": (None, 70)})
    assert [c["code"] for c in body["cities"]] == [c.code for c in search_cities(filters)]
    assert body["cities"][0]["code"] != "53.17"  # the lowest in NTT (52.51 %), but served
    unfiltered = client.get("/api/v1/cities?province=53&sort=sanitation_access_pct&year=2024").json
    assert unfiltered["cities"][0]["figures"]["sanitation_access_pct"] == {
        "value": 52.51, "year": 2024, "source": "BPS, Susenas 2024"}
    values = [c["figures"]["sanitation_access_pct"]["value"] for c in body["cities"]]
    assert values == sorted(values) and all(v <= 70 for v in values) and body["count"] >= 3


def test_decimal_range_with_a_comma_and_missing_figures_last(api, make_user, figures_loaded):
    client = api(make_user("viewer"))
    body = client.get("/api/v1/cities?sanitation_access_pct_min=98,3&province=74").json
    assert "74.71" in [c["code"] for c in body["cities"]]
    listed = client.get("/api/v1/cities?sort=sanitation_access_pct&year=2024").json["cities"]
    assert [c["figures"]["sanitation_access_pct"]["value"] for c in listed[-3:]] == [None] * 3
    assert listed[-4]["figures"]["sanitation_access_pct"]["value"] is not None


@pytest.mark.parametrize("query", ["hdi_min=abc", "slum_area_ha_max=1e99", "no_programme_topic=x",
                                   "sort=population_pct", "hdi_min=80&hdi_max=70"])
def test_bad_indicator_filters_are_400_naming_the_parameter(api, make_user, query):
    response = api(make_user("viewer")).get(f"/api/v1/cities?{query}")
    assert response.status_code == 400
    assert response.json["error"] == "invalid" and response.json["field"]


def test_openapi_declares_the_indicator_filters(client):
    spec = client.get("/api/v1/openapi.json").json
    names = {p["name"] for p in spec["paths"]["/api/v1/cities"]["get"]["parameters"]}
    assert {"sort", "order", "year", "no_programme_topic", "hdi_min", "poverty_pct_max"} <= names
