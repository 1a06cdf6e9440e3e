"""GET /api/v1/cities/CODE/recommendations."""

import pytest

from tests.matching.conftest import BLITAR, KENDARI, MALANG, PROFILES  # noqa: F401


@pytest.fixture
def profiles(app, now):
    from matchmaker.cities.importer import import_profiles
    from matchmaker.extensions import db

    import_profiles(PROFILES, now)
    db.session.commit()


URL = f"/api/v1/cities/{BLITAR}/recommendations"


def test_facilitator_gets_the_contract_shape(api, make_user, profiles):
    response = api(make_user("facilitator")).get(URL + "?topic=wastewater&limit=2")

    assert response.status_code == 200
    body = response.get_json()
    assert body["mentee"] == {"code": BLITAR, "name": "Kota Blitar"}
    assert body["topic"] == "wastewater"
    assert [item["rank"] for item in body["recommendations"]] == [1, 2]
    first = body["recommendations"][0]
    assert first["code"] == KENDARI and first["name"] == "Kota Kendari"
    assert 0 <= first["score"] <= 1
    assert first["practice"]["maturity"] == "institutionalised"
    assert {r["factor"] for r in first["reasons"]} == {
        "relevance", "maturity", "context", "complementarity"}
    assert body["excluded"] == []


def test_admin_is_a_facilitator_too(api, make_user, profiles):
    assert api(make_user("admin")).get(URL + "?topic=wastewater").status_code == 200


@pytest.mark.parametrize("role, city", [("pokja", BLITAR), ("viewer", None)])
def test_other_roles_are_forbidden(api, make_user, profiles, role, city):
    response = api(make_user(role, city)).get(URL + "?topic=wastewater")
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_anonymous_gets_401(api, profiles):
    response = api().get(URL + "?topic=wastewater")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("query", ["", "?topic=", "?topic=sewage", "?topic=wastewater&limit=0",
                                   "?topic=wastewater&limit=x"])
def test_bad_input_is_400(api, make_user, profiles, query):
    response = api(make_user("facilitator")).get(URL + query)
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_unknown_city_is_404(api, make_user, profiles):
    response = api(make_user("facilitator")).get("/api/v1/cities/99.99/recommendations?topic=wastewater")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_topic_without_practices_is_an_empty_list(api, make_user, profiles):
    body = api(make_user("facilitator")).get(URL + "?topic=building").get_json()
    assert body["recommendations"] == []


def test_need_text_can_be_given(api, make_user, profiles):
    body = api(make_user("facilitator")).get(
        URL + "?topic=wastewater&text=IPAL+komunal+permukiman+padat").get_json()
    assert body["recommendations"][0]["code"] == MALANG
