"""GET and POST /api/v1/practices/ID/candidates."""

import pytest
from sqlalchemy import select

from matchmaker.cities.models import Practice
from matchmaker.extensions import db

L2T2 = {"topic": "wastewater", "title": "L2T2 bagi ASN", "maturity": "institutionalised"}


@pytest.fixture
def practice_id(app, make_city) -> int:
    make_city("74.71", practices=[L2T2])
    return db.session.scalar(select(Practice.id).where(Practice.title == L2T2["title"]))


def test_facilitator_gets_the_contract_shape(api, make_user, practice_id, make_programme):
    make_programme(mentor="74.71", mentee="35.72")
    response = api(make_user("facilitator")).get(f"/api/v1/practices/{practice_id}/candidates?limit=3")
    assert response.status_code == 200
    body = response.json
    assert body["practice"]["id"] == practice_id and body["practice"]["city"] == "74.71"
    assert body["practice"]["title"] == L2T2["title"] and body["practice"]["topic"] == "wastewater"
    assert [c["rank"] for c in body["candidates"]] == [1, 2, 3]
    for item in body["candidates"]:
        assert set(item) >= {"rank", "code", "name", "score", "reasons"}
        assert item["code"] not in ("74.71", "35.72") and 0 <= item["score"] <= 1
        assert {r["factor"] for r in item["reasons"]} == {"gap", "context", "need"}
    assert [(e["code"], e["name"]) for e in body["excluded"]] == [("35.72", "Kota Blitar")]
    assert "Kendari" in body["excluded"][0]["reason"]


@pytest.mark.parametrize(("role", "status"), [("pokja", 403), ("viewer", 403)])
def test_only_facilitators(api, make_user, practice_id, role, status):
    user = make_user(role, "74.71" if role == "pokja" else None)
    response = api(user).get(f"/api/v1/practices/{practice_id}/candidates")
    assert response.status_code == status and response.json["error"] == "forbidden"


def test_unknown_practice_is_404_and_bad_limit_400(api, make_user):
    client = api(make_user("facilitator"))
    assert client.get("/api/v1/practices/999999/candidates").status_code == 404
    response = client.get("/api/v1/practices/1/candidates?limit=0")
    assert response.status_code == 400 and response.json["field"] == "limit"


def test_propose_to_a_candidate_then_it_is_excluded(api, make_user, practice_id):
    client = api(make_user("facilitator"))
    url = f"/api/v1/practices/{practice_id}/candidates"
    created = client.post(url, json={"mentee": "53.17"})
    assert created.status_code == 201
    programme = client.get(f"/api/v1/programmes/{created.json['id']}").json
    assert programme["status"] == "proposed"
    needs = client.get("/api/v1/cities/53.17").json["needs"]
    assert [n["proposed_by_facilitator"] for n in needs] == [True]
    assert client.post(url, json={"mentee": "53.17"}).status_code == 409
    assert client.post(url, json={"mentee": "74.71"}).status_code == 400
    assert "53.17" in {e["code"] for e in client.get(url).json["excluded"]}


def test_from_a_city_and_topic(api, make_user, practice_id):
    client = api(make_user("facilitator"))
    body = client.get("/api/v1/cities/74.71/candidates?topic=wastewater&limit=2").json
    assert body["practice"]["id"] == practice_id and len(body["candidates"]) == 2
    assert client.get("/api/v1/cities/74.71/candidates?topic=road").status_code == 404
    assert client.get("/api/v1/cities/74.71/candidates").status_code == 400
