"""Calendar checks next to warnings when planning and moving sessions, and generated meeting links."""

import pytest

from matchmaker.extensions import db
from matchmaker.programmes.models import Programme


@pytest.fixture
def facilitator(api, make_user):
    return api(make_user("facilitator"))


def _programme(facilitator, mentor="74.71", mentee="35.72") -> int:
    response = facilitator.post("/api/v1/programmes",
                                json={"mentor": mentor, "mentee": mentee, "topic": "wastewater"})
    assert response.status_code == 201, response.json
    return response.json["id"]


@pytest.mark.parametrize("first_start", ["2028-12-11T09:00", "2031-12-11T09:00"])
def test_a_weekly_series_over_christmas_flags_exactly_that_session(facilitator, first_start):
    programme_id = _programme(facilitator)
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json={
        "count": 3, "first_start": first_start, "timezone": "Asia/Jakarta", "interval_days": 7})
    assert response.status_code == 201, response.json
    checks = response.json["checks"]
    assert [(c["session"], c["code"], c["name"]) for c in checks] == [(3, "holiday", "Hari Raya Natal")]
    (check,) = checks
    assert check["date"].endswith("-12-25") and check["city"] is None
    assert check["session_id"] == response.json["sessions"][2]["id"]
    assert check["suggestion"].endswith("T02:00:00Z") and check["suggestion"] > check["date"]
    assert response.json["warnings"] == []


def test_an_estimated_holiday_is_flagged(facilitator):
    programme_id = _programme(facilitator)
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/sessions",
                                json={"starts_at": "2027-03-10T09:00", "timezone": "Asia/Jakarta"})
    (check,) = response.json["checks"]
    assert check["code"] == "holiday" and "(perkiraan)" in check["name"]
    assert check["suggestion"] == "2027-03-12T02:00:00Z"


def test_friday_1130_wib_gets_a_friday_prayer_check(facilitator):
    programme_id = _programme(facilitator)
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/sessions",
                                json={"starts_at": "2027-01-08T11:30", "timezone": "Asia/Jakarta"})
    checks = response.json["checks"]
    assert {c["code"] for c in checks} == {"friday_prayer"}
    assert all(c["suggestion"] == "2027-01-11T04:30:00Z" for c in checks)


def test_1530_wib_for_a_wib_wit_pair_is_outside_office_hours_in_the_wit_city(facilitator):
    programme_id = _programme(facilitator, mentor="91.71")
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/sessions", json={
        "starts_at": "2027-01-12T15:30", "timezone": "Asia/Jakarta", "duration_minutes": 30})
    (check,) = response.json["checks"]
    assert check["code"] == "outside_office_hours" and check["city"] == "91.71"
    assert "Jayapura" in check["message"] and check["suggestion"]


def test_moving_a_session_returns_its_checks_and_taking_the_suggestion_clears_them(facilitator):
    programme_id = _programme(facilitator)
    created = facilitator.post(f"/api/v1/programmes/{programme_id}/sessions",
                               json={"starts_at": "2027-01-11T09:00"}).json
    assert created["checks"] == []
    session_id = created["sessions"][0]["id"]
    moved = facilitator.patch(f"/api/v1/sessions/{session_id}", json={"starts_at": "2027-01-08T11:30"})
    assert moved.status_code == 200
    suggestion = moved.json["checks"][0]["suggestion"]
    again = facilitator.patch(f"/api/v1/sessions/{session_id}", json={"starts_at": suggestion})
    assert again.json["checks"] == [] and again.json["starts_at"] == suggestion


def test_a_generated_meeting_link_has_one_random_room_per_programme(facilitator, app):
    programme_id = _programme(facilitator)
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json={
        "count": 2, "first_start": "2027-01-11T09:00", "generate_meeting_url": True}).json
    urls = {s["meeting_url"] for s in first["sessions"]}
    (url,) = urls
    room = db.session.get(Programme, programme_id).meeting_room
    assert url == f"https://meet.jit.si/matchmaker-{room}" and len(room) >= 16
    typed = facilitator.post(f"/api/v1/programmes/{programme_id}/sessions", json={
        "starts_at": "2027-02-08T09:00", "meeting_url": "https://zoom.example.id/j/1",
        "generate_meeting_url": True}).json
    assert typed["sessions"][0]["meeting_url"] == "https://zoom.example.id/j/1"
    other = _programme(facilitator, mentor="91.71")
    second = facilitator.post(f"/api/v1/programmes/{other}/sessions", json={
        "starts_at": "2027-02-09T09:00", "generate_meeting_url": True}).json
    assert second["sessions"][0]["meeting_url"] not in urls
    app.config["MEETING_LINK_TEMPLATE"] = "https://jitsi.example.id/{room}"
    session_id = first["sessions"][0]["id"]
    kept = facilitator.patch(f"/api/v1/sessions/{session_id}", json={"generate_meeting_url": True})
    assert kept.json["meeting_url"] == url
