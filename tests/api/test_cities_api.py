import pytest

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


def test_a_city_profile_has_a_weak_etag_of_its_body(api, make_user):
    reader = api(make_user("viewer"))
    first, again = reader.get("/api/v1/cities/74.71"), reader.get("/api/v1/cities/74.71")
    assert first.headers["ETag"].startswith('W/"') and first.headers["ETag"] == again.headers["ETag"]
