from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.notes.models import Attendance, FollowUpAction, Lesson, SessionNote
from matchmaker.programmes.models import ProgrammeStatus

NOTES = {
    "body": "## Sesi 1\nKendari memaparkan L2T2. <script>alert(1)</script>",
    "attendance": [{"name": "Ibu Sari", "city": "35.72", "agency": "Bappeda"},
                   {"name": "Fasilitator", "city": None, "agency": "PMU"}],
    "lessons": [{"text": "Advokasi kepada kepala daerah untuk meraih komitmen",
                 "outcome": "improved_consensus", "topic": "governance"},
                {"text": "Mulai uji coba dengan ASN", "outcome": "new_action"}],
    "actions": [{"text": "Susun draf instruksi wali kota", "owner_city": "35.72",
                 "owner_person": "Bagian Hukum", "due": "2020-02-24"}],
}


@pytest.fixture
def session_of(make_programme):
    """The first session of a Kendari -> Blitar wastewater programme with the given status."""
    def make(status=ProgrammeStatus.ACTIVE):
        yesterday = datetime.now(UTC) - timedelta(days=1)
        return make_programme(status=status, sessions=1, first=yesterday, at=yesterday).sessions[0]

    return make


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (SessionNote, Attendance, Lesson, FollowUpAction))


def test_pokja_logs_notes_and_gets_the_ids(api, make_user, session_of):
    session = session_of()
    response = api(make_user("pokja", "35.72")).post(f"/api/v1/sessions/{session.id}/notes", json=NOTES)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["note_id"] and len(body["attendance_ids"]) == 2
    assert len(body["lesson_ids"]) == 2 and len(body["action_ids"]) == 1
    assert _counts() == (1, 2, 2, 1)
    lesson = db.session.get(Lesson, body["lesson_ids"][1])
    assert lesson.topic == "wastewater" and lesson.outcome_type == "new_action"


def test_participants_read_the_session_notes_back(api, make_user, session_of):
    session = session_of()
    kendari = api(make_user("pokja", "74.71"))
    assert kendari.post(f"/api/v1/sessions/{session.id}/notes", json=NOTES).status_code == 201
    data = kendari.get(f"/api/v1/sessions/{session.id}/notes").json
    assert data["notes"][0]["body"] == NOTES["body"]
    assert data["actions"][0] | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None, "text": "Susun draf instruksi wali kota", "owner_city": "35.72",
        "owner_person": "Bagian Hukum", "due": "2020-02-24", "status": "open",
        "programme_id": session.programme_id, "session_id": session.id, "created_at": None,
        "updated_at": None, "version": 1}
    assert api(make_user("pokja", "91.71")).get(f"/api/v1/sessions/{session.id}/notes").status_code == 403


def test_unrelated_pokja_gets_403_and_nothing_is_written(api, make_user, session_of):
    session = session_of()
    response = api(make_user("pokja", "91.71")).post(f"/api/v1/sessions/{session.id}/notes", json=NOTES)
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert _counts() == (0, 0, 0, 0)


def test_cancelled_programme_gets_409_and_nothing_is_written(api, make_user, session_of):
    session = session_of(ProgrammeStatus.CANCELLED)
    response = api(make_user("facilitator")).post(f"/api/v1/sessions/{session.id}/notes", json=NOTES)
    assert response.status_code == 409 and response.json["error"] == "conflict"
    assert _counts() == (0, 0, 0, 0)


def test_bad_fields_get_400_with_every_problem(api, make_user, session_of):
    session = session_of()
    client = api(make_user("facilitator"))
    bad = {**NOTES, "lessons": [{"text": "x", "outcome": "wisdom"}],
           "actions": [{"text": "y", "owner_city": "91.71", "due": "24-02-2020"}]}
    response = client.post(f"/api/v1/sessions/{session.id}/notes", json=bad)
    assert response.status_code == 400
    # The declared shape first: every malformed field at once, as dotted paths.
    assert {e["field"] for e in response.json["errors"]} == {"lessons.0.outcome", "actions.0.due"}
    assert response.json["field"] == "lessons.0.outcome"
    # Then the rules that need the programme: the owner must be one of its two cities.
    bad["lessons"][0]["outcome"], bad["actions"][0]["due"] = "new_action", "2020-02-24"
    response = client.post(f"/api/v1/sessions/{session.id}/notes", json=bad)
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == ["actions.0.owner_city"]
    assert _counts() == (0, 0, 0, 0)


def test_unknown_session_is_404_and_no_token_is_401(api, make_user):
    assert api(make_user("facilitator")).post("/api/v1/sessions/999999/notes", json=NOTES).status_code == 404
    assert api().post("/api/v1/sessions/1/notes", json=NOTES).status_code == 401


def test_any_user_searches_lessons(api, make_user, session_of):
    session = session_of()
    api(make_user("pokja", "35.72")).post(f"/api/v1/sessions/{session.id}/notes", json=NOTES)
    viewer = api(make_user("viewer"))
    found = viewer.get("/api/v1/lessons?q=komitmen").json
    assert found["count"] == 1
    lesson = found["lessons"][0]
    assert lesson["outcome"] == "improved_consensus" and lesson["mentor"]["code"] == "74.71"
    assert lesson["session_id"] == session.id and lesson["programme_id"] == session.programme_id
    assert [x["text"] for x in viewer.get("/api/v1/lessons?topic=wastewater").json["lessons"]] == [
        "Mulai uji coba dengan ASN"]
    assert viewer.get("/api/v1/lessons").json["count"] == 2
    assert viewer.get("/api/v1/lessons?topic=rockets").status_code == 400


def test_edits_through_the_api_keep_history(api, make_user, session_of):
    session = session_of()
    pokja = api(make_user("pokja", "35.72"))
    ids = pokja.post(f"/api/v1/sessions/{session.id}/notes", json=NOTES).json
    response = pokja.patch(f"/api/v1/actions/{ids['action_ids'][0]}", json={"status": "done"})
    assert response.status_code == 200 and response.json["status"] == "done"
    response = pokja.patch(f"/api/v1/notes/{ids['note_id']}", json={"body": "Diperbaiki"})
    assert response.status_code == 200 and response.json["revisions"] == 1
    response = pokja.patch(f"/api/v1/lessons/{ids['lesson_ids'][0]}", json={"outcome": "bogus"})
    assert response.status_code == 400


def test_note_etag_if_match_and_body_version(client, api, make_user, session_of):
    session = session_of()
    pokja = api(make_user("pokja", "35.72"))
    note_id = pokja.post(f"/api/v1/sessions/{session.id}/notes", json=NOTES).json["note_id"]
    read = pokja.get(f"/api/v1/notes/{note_id}")
    assert read.status_code == 200 and read.headers["ETag"] == '"1"' and read.json["version"] == 1
    headers = {**pokja.headers, "If-Match": 'W/"1"'}
    edited = client.patch(f"/api/v1/notes/{note_id}", headers=headers, json={"body": "Versi kedua"})
    assert edited.status_code == 200 and edited.headers["ETag"] == '"2"' and edited.json["version"] == 2
    stale = client.patch(f"/api/v1/notes/{note_id}", headers=headers, json={"body": "Versi basi"})
    assert stale.status_code == 412
    assert set(stale.json) == {"error", "message"} and stale.json["error"] == "precondition_failed"
    conflict = pokja.patch(f"/api/v1/notes/{note_id}", json={"body": "Versi basi", "version": 1})
    assert conflict.status_code == 409 and conflict.json["error"] == "edit_conflict"
    note = db.session.get(SessionNote, note_id)
    assert note.body_markdown == "Versi kedua"
    assert [revision.previous_body for revision in note.revisions] == [NOTES["body"]]
    assert api(make_user("pokja", "91.71")).get(f"/api/v1/notes/{note_id}").status_code == 403


def test_lesson_and_action_carry_versions(api, make_user, session_of):
    session = session_of()
    pokja = api(make_user("pokja", "35.72"))
    logged = pokja.post(f"/api/v1/sessions/{session.id}/notes", json=NOTES).json
    lesson_id, action_id = logged["lesson_ids"][0], logged["action_ids"][0]
    assert pokja.get(f"/api/v1/lessons/{lesson_id}").headers["ETag"] == '"1"'
    edited = pokja.patch(f"/api/v1/lessons/{lesson_id}", json={"text": "Advokasi", "version": 1})
    assert edited.status_code == 200 and edited.headers["ETag"] == '"2"'
    assert pokja.patch(f"/api/v1/lessons/{lesson_id}", json={"text": "Lagi", "version": 1}).status_code == 409
    done = pokja.patch(f"/api/v1/actions/{action_id}", json={"status": "done", "version": 1})
    assert done.status_code == 200 and done.headers["ETag"] == '"2"'
    reopened = pokja.patch(f"/api/v1/actions/{action_id}", json={"status": "open", "version": 1})
    assert reopened.status_code == 409
    assert db.session.get(FollowUpAction, action_id).status.value == "done"


def test_the_etag_of_a_compressed_answer_is_taken_back_as_if_match(client, api, make_user, session_of):
    """Flask-Compress adds its coding to a strong tag; a client that read gzip must still match."""
    session = session_of()
    pokja = api(make_user("pokja", "35.72"))
    note_id = pokja.post(f"/api/v1/sessions/{session.id}/notes",
                         json={"body": "Catatan panjang. " * 200}).json["note_id"]
    read = client.get(f"/api/v1/notes/{note_id}", headers={**pokja.headers, "Accept-Encoding": "gzip"})
    assert read.headers.get("Content-Encoding") == "gzip" and read.headers["ETag"] == '"1:gzip"'
    edited = client.patch(f"/api/v1/notes/{note_id}", json={"body": "Versi kedua"},
                          headers={**pokja.headers, "If-Match": read.headers["ETag"]})
    assert edited.status_code == 200
