"""Bad input from the review of issue 8: each once answered 500, now a 400 naming the problem."""

import pytest
from sqlalchemy import func, select

from matchmaker.cities.models import Practice
from matchmaker.extensions import db
from matchmaker.programmes.models import Programme

PRACTICE = {"topic": "wastewater", "title": "L2T2", "maturity": "pilot"}
PROGRAMME = {"mentor": "74.71", "mentee": "35.72", "topic": "wastewater"}


@pytest.fixture
def facilitator(api, make_user):
    return api(make_user("facilitator"))


@pytest.fixture
def programme_id(facilitator):
    return facilitator.post("/api/v1/programmes", json=PROGRAMME).json["id"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _assert_invalid(response, field: str | None = None):
    assert response.status_code == 400, response.text
    body = response.json
    assert body["error"] in ("invalid", "bad_request") and body["message"]
    if field is not None:
        assert body["field"] == field
        assert field in {e["field"] for e in body["errors"]}


@pytest.mark.parametrize(("change", "field"), [
    ({"topic": ["wastewater"]}, "topic"),
    ({"title": "L2T2 \ud800"}, "title"),
    ({"title": "L2T2\x00"}, "title"),
    ({"title": "L2T2\r\nBcc: x@example.id"}, "title"),
    ({"description": "baris satu\n\x00"}, "description"),
    ({"started_year": 9999}, "started_year"),
    ({"started_year": 2016.0}, "started_year"),
    ({"started_year": True}, "started_year"),
    ({"title": "x" * 201}, "title"),
])
def test_bad_practice_fields_are_400_and_nothing_is_written(facilitator, change, field):
    response = facilitator.post("/api/v1/cities/74.71/practices", json={**PRACTICE, **change})
    _assert_invalid(response, field)
    assert _count(Practice) == 0


def test_multi_line_text_keeps_newlines_and_tabs(facilitator):
    record = {**PRACTICE, "description": "Langkah:\r\n\t1. ASN\r\n\t2. Perwali"}
    assert facilitator.post("/api/v1/cities/74.71/practices", json=record).status_code == 201
    practice = db.session.scalar(select(Practice))
    assert practice.description == "Langkah:\n\t1. ASN\n\t2. Perwali"


@pytest.mark.parametrize("body", [
    b"{not json", b"[1, 2]", b'"text"', b"null", b'{"title": NaN}', b"\xff\xfe{}",
    b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
])
def test_malformed_bodies_are_400(facilitator, body):
    response = facilitator.post("/api/v1/cities/74.71/practices", data=body,
                                content_type="application/json")
    _assert_invalid(response)
    assert _count(Practice) == 0


def test_a_body_that_is_not_json_is_400(facilitator):
    response = facilitator.post("/api/v1/programmes", data="mentor=74.71",
                                content_type="application/x-www-form-urlencoded")
    _assert_invalid(response)
    assert _count(Programme) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"need_id": 2**70}, "need_id"),
    ({"need_id": 2**31}, "need_id"),
    ({"need_id": 0}, "need_id"),
    ({"practice_id": "1"}, "practice_id"),
    ({"mentor": "74.71\x00"}, "mentor"),
    ({"mentee": {"code": "35.72"}}, "mentee"),
])
def test_bad_programme_ids_and_codes_are_400(facilitator, change, field):
    _assert_invalid(facilitator.post("/api/v1/programmes", json={**PROGRAMME, **change}), field)
    assert _count(Programme) == 0


@pytest.mark.parametrize("path", ["/api/v1/programmes/99999999999999999999999",
                                  "/api/v1/programmes/2147483648", "/api/v1/programmes/0",
                                  "/api/v1/sessions/" + "9" * 5000, "/api/v1/cities/74.71%00",
                                  "/api/v1/cities/%ED%A0%80"])
def test_ids_and_codes_out_of_range_in_the_path_are_404(facilitator, path):
    response = facilitator.get(path)
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


@pytest.mark.parametrize(("query", "field"), [
    ("status=bogus", "status"), ("status=proposed%00", "status"),
])
def test_unknown_programme_status_filter_is_400(facilitator, programme_id, query, field):
    response = facilitator.get(f"/api/v1/programmes?{query}")
    _assert_invalid(response, field)
    assert "proposed" in response.json["message"]  # names the allowed values


def test_known_programme_status_filters(facilitator, programme_id):
    assert facilitator.get("/api/v1/programmes?status=proposed").json["count"] == 1
    assert facilitator.get("/api/v1/programmes?status=active").json["count"] == 0
    assert facilitator.get("/api/v1/programmes?status=").json["count"] == 1


@pytest.mark.parametrize(("query", "field"), [
    ("q=%00", "q"), ("kind=desa", "kind"), ("province=7", "province"), ("year=9999", "year"),
    ("year=x", "year"), ("sort=population%3Bdrop", "sort"), ("order=up", "order"),
    ("practice_topic=space", "practice_topic"),
])
def test_bad_city_queries_are_400(api, make_user, query, field):
    _assert_invalid(api(make_user("viewer")).get(f"/api/v1/cities?{query}"), field)


@pytest.mark.parametrize(("query", "field"), [
    ("year=9999", "year"), ("limit=0", "limit"), ("limit=" + "9" * 40, "limit"), ("city=%00", "city"),
    ("outcome=wisdom", "outcome"), ("q=" + "a" * 201, "q"),
])
def test_bad_lesson_queries_are_400(api, make_user, query, field):
    _assert_invalid(api(make_user("viewer")).get(f"/api/v1/lessons?{query}"), field)


def test_deep_series_fields(facilitator, programme_id):
    series = {"count": 2, "first_start": "9999-01-04T09:00"}
    _assert_invalid(facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=series),
                    "first_start")
    series = {"count": 2, "first_start": "2027-01-04T09:00", "agendas": ["a", {"x": 1}]}
    _assert_invalid(facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=series),
                    "agendas.1")


@pytest.mark.parametrize(("language", "start"), [("en", "topic: must be one of: building, road"),
                                                  ("id", "topic: harus salah satu dari: building, road")])
def test_messages_follow_the_users_language(api, make_user, language, start):
    client = api(make_user("facilitator", language=language))
    response = client.post("/api/v1/cities/74.71/practices", json={**PRACTICE, "topic": "space"})
    assert response.json["message"].startswith(start)
