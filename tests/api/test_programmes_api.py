"""The programme, series, session and calendar endpoints of INTERFACES.md."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeSession

SERIES = {"count": 6, "first_start": "2027-01-04T09:00", "timezone": "Asia/Jakarta",
          "interval_days": 14, "duration_minutes": 90, "meeting_url": "https://meet.example.id/abc"}


@pytest.fixture
def facilitator(api, make_user):
    return api(make_user("facilitator"))


@pytest.fixture
def programme_id(facilitator):
    response = facilitator.post("/api/v1/programmes",
                                json={"mentor": "74.71", "mentee": "35.72", "topic": "wastewater"})
    assert response.status_code == 201, response.json
    return response.json["id"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_programme_returns_its_id(facilitator, programme_id):
    body = facilitator.get(f"/api/v1/programmes/{programme_id}").json
    assert body["mentor"]["code"] == "74.71" and body["mentee"]["code"] == "35.72"
    assert body["status"] == "proposed"
    assert body["sessions"] == []


@pytest.mark.parametrize("body,status", [
    ({"mentor": "74.71", "mentee": "74.71", "topic": "wastewater"}, 400),
    ({"mentor": "74.71", "mentee": "35.72", "topic": "space"}, 400),
    ({"mentor": "00.00", "mentee": "35.72", "topic": "wastewater"}, 400),
    ({"mentor": 74.71, "mentee": "35.72", "topic": "wastewater"}, 400),
])
def test_bad_programme_input_is_400(facilitator, body, status):
    response = facilitator.post("/api/v1/programmes", json=body)
    assert response.status_code == status
    assert response.json["error"] == "invalid" and response.json["message"]
    assert _count(Programme) == 0


def test_duplicate_open_programme_is_409(facilitator, programme_id):
    response = facilitator.post("/api/v1/programmes",
                                json={"mentor": "74.71", "mentee": "35.72", "topic": "wastewater"})
    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert _count(Programme) == 1


@pytest.mark.parametrize("role", ["pokja", "viewer"])
def test_only_facilitators_create(api, make_user, role):
    user = make_user(role, "35.72" if role == "pokja" else None)
    response = api(user).post("/api/v1/programmes",
                              json={"mentor": "74.71", "mentee": "35.72", "topic": "wastewater"})
    assert response.status_code == 403


def test_series_at_nine_jakarta_is_two_utc_and_shown_in_both_zones(facilitator, programme_id):
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES)
    assert response.status_code == 201, response.json
    sessions = response.json["sessions"]
    assert len(sessions) == 6
    first = sessions[0]
    assert first["starts_at"] == "2027-01-04T02:00:00Z"
    assert first["local_times"] == {"35.72": "09:00 WIB", "74.71": "10:00 WITA"}
    assert first["label"] == "09:00 WIB / 10:00 WITA"
    assert first["status"] == "planned"
    assert sessions[5]["starts_at"] == "2027-03-15T02:00:00Z"
    again = facilitator.get(f"/api/v1/programmes/{programme_id}").json["sessions"]
    assert [s["id"] for s in again] == [s["id"] for s in sessions]
    stored = db.session.get(ProgrammeSession, first["id"])
    assert stored.starts_at == datetime(2027, 1, 4, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("change", [{"count": 0}, {"count": 25}, {"timezone": "Mars/Olympus"},
                                    {"first_start": "soon"}, {"first_start": "2020-01-27T09:00"},
                                    {"meeting_url": "javascript:alert(1)"}, {"count": "6"}])
def test_bad_series_is_400_and_changes_nothing(facilitator, programme_id, change):
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/series",
                                json={**SERIES, **change})
    assert response.status_code == 400, response.json
    assert response.json["error"] == "invalid"
    assert _count(ProgrammeSession) == 0


def test_series_on_a_cancelled_programme_is_409(facilitator, programme_id):
    assert facilitator.post(f"/api/v1/programmes/{programme_id}/cancel",
                            json={"reason": "Tidak jadi"}).status_code == 200
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES)
    assert response.status_code == 409
    assert _count(ProgrammeSession) == 0


def test_the_same_series_twice_is_409_and_leaves_one_series(facilitator, programme_id):
    assert facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).status_code == 201
    again = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES)
    assert again.status_code == 409
    assert again.json["error"] == "conflict" and "sudah punya rangkaian 6 sesi" in again.json["message"]
    assert _count(ProgrammeSession) == 6
    more = facilitator.post(f"/api/v1/programmes/{programme_id}/series",
                            json={**SERIES, "first_start": "2027-04-05T09:00", "count": 2, "add": True})
    assert more.status_code == 201, more.json
    assert [s["number"] for s in more.json["sessions"]] == [7, 8]


def test_sessions_are_tentative_until_both_cities_agreed(facilitator, programme_id):
    facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES)
    sessions = facilitator.get(f"/api/v1/programmes/{programme_id}").json["sessions"]
    assert {s["tentative"] for s in sessions} == {True}
    assert facilitator.post(f"/api/v1/programmes/{programme_id}/agreement", json={}).status_code == 200
    sessions = facilitator.get(f"/api/v1/programmes/{programme_id}").json["sessions"]
    assert {s["tentative"] for s in sessions} == {False}


def test_patch_reschedules_keeping_uid_and_raising_sequence(facilitator, programme_id):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    response = facilitator.patch(f"/api/v1/sessions/{first['id']}",
                                 json={"starts_at": "2027-01-05T03:00:00Z"})
    assert response.status_code == 200, response.json
    assert response.json["uid"] == first["uid"]
    assert response.json["sequence"] == first["sequence"] + 1
    assert response.json["starts_at"] == "2027-01-05T03:00:00Z"
    assert response.json["local_times"] == {"35.72": "10:00 WIB", "74.71": "11:00 WITA"}
    local = facilitator.patch(f"/api/v1/sessions/{first['id']}", json={"starts_at": "2027-01-06T09:00"})
    assert local.json["starts_at"] == "2027-01-06T02:00:00Z"  # naive = the session's own zone
    assert local.json["sequence"] == first["sequence"] + 2


def test_patch_cancels(facilitator, programme_id):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    response = facilitator.patch(f"/api/v1/sessions/{first['id']}", json={"status": "cancelled"})
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert response.json["sequence"] == 1
    ics = facilitator.get(f"/api/v1/sessions/{first['id']}/calendar.ics")
    event = next(iter(Calendar.from_ical(ics.data).walk("VEVENT")))
    assert str(event["STATUS"]) == "CANCELLED"
    again = facilitator.patch(f"/api/v1/sessions/{first['id']}", json={"status": "cancelled"})
    assert again.status_code == 409


@pytest.mark.parametrize("body", [{}, {"status": "postponed"}, {"starts_at": "tomorrow"},
                                  {"starts_at": "2020-01-01T09:00"}])
def test_bad_patch_is_400(facilitator, programme_id, body):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    response = facilitator.patch(f"/api/v1/sessions/{first['id']}", json=body)
    assert response.status_code == 400
    assert facilitator.get(f"/api/v1/sessions/{first['id']}").json["sequence"] == 0


def test_calendar_file_for_participants_only(api, make_user, facilitator, programme_id):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    path = f"/api/v1/sessions/{first['id']}/calendar.ics"
    blitar = api(make_user("pokja", "35.72"))
    response = blitar.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    event = next(iter(Calendar.from_ical(response.data).walk("VEVENT")))
    assert str(event["UID"]) == first["uid"]
    assert event.decoded("DTSTART") == datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    assert api(make_user("pokja", "91.71")).get(path).status_code == 403
    assert api(make_user("viewer")).get(path).status_code == 403


def test_unrelated_pokja_gets_403_on_everything(api, make_user, facilitator, programme_id):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    jayapura = api(make_user("pokja", "91.71"))
    for method, path, body in [
        ("get", f"/api/v1/programmes/{programme_id}", None),
        ("post", f"/api/v1/programmes/{programme_id}/accept", {}),
        ("post", f"/api/v1/programmes/{programme_id}/decline", {"reason": "x"}),
        ("post", f"/api/v1/programmes/{programme_id}/series", SERIES),
        ("get", f"/api/v1/sessions/{first['id']}", None),
        ("patch", f"/api/v1/sessions/{first['id']}", {"status": "cancelled"}),
    ]:
        kwargs = {"json": body} if body is not None else {}
        response = getattr(jayapura, method)(path, **kwargs)
        assert response.status_code == 403, (method, path)
        assert response.json["error"] == "forbidden"
    assert jayapura.get("/api/v1/programmes").json["count"] == 0


def test_pokja_reads_but_cannot_plan_or_patch(api, make_user, facilitator, programme_id):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    kendari = api(make_user("pokja", "74.71"))
    assert kendari.get(f"/api/v1/programmes/{programme_id}").status_code == 200
    assert kendari.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).status_code == 403
    assert kendari.patch(f"/api/v1/sessions/{first['id']}",
                         json={"starts_at": "2027-02-01T09:00"}).status_code == 403


def test_accept_decline_and_agreement_endpoints(api, make_user, facilitator, programme_id):
    kendari, blitar = api(make_user("pokja", "74.71")), api(make_user("pokja", "35.72"))
    assert kendari.post(f"/api/v1/programmes/{programme_id}/accept").json["status"] == "proposed"
    assert blitar.post(f"/api/v1/programmes/{programme_id}/accept").json["status"] == "agreed"
    assert blitar.post(f"/api/v1/programmes/{programme_id}/accept").status_code == 409

    other = facilitator.post("/api/v1/programmes",
                             json={"mentor": "74.71", "mentee": "35.72", "topic": "solid_waste"}).json["id"]
    assert blitar.post(f"/api/v1/programmes/{other}/decline", json={}).status_code == 400
    declined = blitar.post(f"/api/v1/programmes/{other}/decline", json={"reason": "Belum prioritas"})
    assert declined.json["status"] == "declined"

    third = facilitator.post("/api/v1/programmes",
                             json={"mentor": "74.71", "mentee": "35.72", "topic": "drainage"}).json["id"]
    recorded = facilitator.post(f"/api/v1/programmes/{third}/agreement", json={"note": "Surat 1/2027"})
    assert recorded.json["status"] == "agreed"
    completed = facilitator.post(f"/api/v1/programmes/{third}/complete",
                                 json={"outcome": "budget", "outcome_on": "2027-05-01",
                                       "evidence": "APBD 2028"})
    assert completed.json["status"] == "completed"
    assert completed.json["outcome"] == "budget" and completed.json["outcome_on"] == "2027-05-01"


def test_add_single_session(facilitator, programme_id):
    response = facilitator.post(f"/api/v1/programmes/{programme_id}/sessions",
                                json={"starts_at": "2027-02-01T14:00", "timezone": "Asia/Makassar",
                                      "agenda": "Tambahan"})
    assert response.status_code == 201, response.json
    session = response.json["sessions"][0]
    assert session["starts_at"] == "2027-02-01T06:00:00Z"
    assert session["local_times"] == {"35.72": "13:00 WIB", "74.71": "14:00 WITA"}


def test_anonymous_is_401(client):
    assert client.get("/api/v1/programmes/1").status_code == 401


def test_session_etag_if_match_and_body_version(client, facilitator, programme_id):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    read = facilitator.get(f"/api/v1/sessions/{first['id']}")
    assert read.headers["ETag"] == '"1"' and read.json["version"] == 1
    headers = {**facilitator.headers, "If-Match": read.headers["ETag"]}
    moved = client.patch(f"/api/v1/sessions/{first['id']}", headers=headers,
                         json={"starts_at": "2027-01-05T09:00"})
    assert moved.status_code == 200 and moved.headers["ETag"] == '"2"'
    stale = client.patch(f"/api/v1/sessions/{first['id']}", headers=headers,
                         json={"starts_at": "2027-01-06T09:00"})
    assert stale.status_code == 412 and stale.json["error"] == "precondition_failed"
    conflict = facilitator.patch(f"/api/v1/sessions/{first['id']}",
                                 json={"status": "cancelled", "version": 1})
    assert conflict.status_code == 409 and conflict.json["error"] == "edit_conflict"
    session = db.session.get(ProgrammeSession, first["id"])
    assert (session.starts_at.day, session.status.value, session.sequence) == (5, "planned", 1)
    fresh = facilitator.patch(f"/api/v1/sessions/{first['id']}", json={"status": "cancelled", "version": 2})
    assert fresh.status_code == 200 and fresh.json["sequence"] == 2 and fresh.headers["ETag"] == '"3"'


def test_programme_etag_changes_when_one_of_its_sessions_does(facilitator, programme_id):
    first = facilitator.post(f"/api/v1/programmes/{programme_id}/series", json=SERIES).json["sessions"][0]
    before = facilitator.get(f"/api/v1/programmes/{programme_id}").headers["ETag"]
    facilitator.patch(f"/api/v1/sessions/{first['id']}", json={"agenda": "Diagnosis ulang"})
    assert facilitator.get(f"/api/v1/programmes/{programme_id}").headers["ETag"] != before
