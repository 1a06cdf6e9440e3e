"""No lost edits under real concurrency: a threaded server, real sockets, the real database."""

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from matchmaker.auth import services as auth_services
from matchmaker.extensions import db
from matchmaker.notes import services as note_services
from matchmaker.notes.models import Attendance, SessionNote
from matchmaker.programmes.models import ProgrammeSession

EDITS = 12


@pytest.fixture
def server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)


def bearer(user) -> str:
    token = auth_services.issue_api_token(user, datetime.now(UTC))
    db.session.commit()
    return f"Bearer {token}"


def call(port: int, method: str, path: str, token: str, body: dict, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=json.dumps(body),
                           headers={"Content-Type": "application/json", "Authorization": token,
                                    **(headers or {})})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def race(calls) -> list:
    """Fire every call at once from its own thread and connection."""
    barrier = threading.Barrier(len(calls))

    def run(make_call):
        barrier.wait()
        return make_call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def note(make_programme, make_user):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    session = make_programme(status="active", sessions=1, first=yesterday, at=yesterday).sessions[0]
    pokja = make_user("pokja", "35.72")
    logged = note_services.log_notes(pokja, session, "Versi awal", None, None, None, yesterday)
    db.session.commit()
    return logged.note.id, bearer(pokja)


def _note_texts(note_id: int) -> tuple[str, list[str]]:
    db.session.expire_all()
    note = db.session.get(SessionNote, note_id)
    return note.body_markdown, [revision.previous_body for revision in note.revisions]


def test_of_twelve_simultaneous_edits_from_one_version_exactly_one_succeeds(server, note):
    note_id, token = note
    path = f"/api/v1/notes/{note_id}"
    # Half send the version they saw as If-Match, half in the body.
    calls = [(lambda i=i: call(server, "PATCH", path, token, {"body": f"Suntingan {i}"},
                               {"If-Match": '"1"'}) if i % 2 else
              call(server, "PATCH", path, token, {"body": f"Suntingan {i}", "version": 1}))
             for i in range(EDITS)]
    answers = race(calls)
    statuses = sorted(status for status, _body in answers)
    assert statuses.count(200) == 1 and set(statuses) - {200} <= {409, 412}, statuses
    winner = next(body for status, body in answers if status == 200)
    body, history = _note_texts(note_id)
    assert body == winner["body"] and winner["version"] == 2
    assert history == ["Versi awal"]


def test_twelve_simultaneous_blind_edits_lose_nothing_that_was_answered(server, note):
    note_id, token = note
    path = f"/api/v1/notes/{note_id}"
    answers = race([lambda i=i: call(server, "PATCH", path, token, {"body": f"Suntingan {i}"})
                    for i in range(EDITS)])
    # An answer shows the note as read back after its commit, perhaps already edited again.
    accepted = {f"Suntingan {i}" for i, (status, _body) in enumerate(answers) if status == 200}
    assert accepted and {status for status, _body in answers} <= {200, 409}
    body, history = _note_texts(note_id)
    # Every accepted text is the note or one of its revisions; the revisions chain without gaps.
    assert accepted <= {body, *history}
    assert len(history) == len(accepted) and history[-1] == "Versi awal"


def test_twelve_simultaneous_reschedules_raise_sequence_twelve_times(server, make_programme,
                                                                     facilitator):
    start = datetime.now(UTC) + timedelta(days=30)
    session = make_programme(agreed=True, sessions=1, first=start).sessions[0]
    session_id, initial = session.id, session.sequence
    token = bearer(facilitator)
    moves = [(start + timedelta(hours=i + 1)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(EDITS)]
    answers = race([lambda move=move: call(server, "PATCH", f"/api/v1/sessions/{session_id}", token,
                                            {"starts_at": move}) for move in moves])
    assert [status for status, _body in answers] == [200] * EDITS, answers
    db.session.expire_all()
    moved = db.session.get(ProgrammeSession, session_id)
    assert moved.sequence == initial + EDITS and moved.version == 1 + EDITS


def test_simultaneous_notes_naming_one_attendee_keep_one_attendance_row(server, note):
    note_id, token = note
    session_id = db.session.get(SessionNote, note_id).session_id
    person = {"name": "Ibu Sari", "city": "35.72", "agency": "Bappeda"}
    attendance = [person, {**person, "name": "ibu sari "}]
    answers = race([lambda i=i: call(server, "POST", f"/api/v1/sessions/{session_id}/notes", token,
                                     {"body": f"Catatan {i}", "attendance": attendance})
                    for i in range(EDITS)])
    assert [status for status, _body in answers] == [201] * EDITS, answers
    assert sum(len(body["attendance_ids"]) for _status, body in answers) == 1
    rows = db.session.scalars(select(Attendance).where(Attendance.session_id == session_id)).all()
    assert [(row.name, row.city.code) for row in rows] == [("Ibu Sari", "35.72")]


def test_of_twelve_simultaneous_moves_with_one_if_match_exactly_one_succeeds(server, make_programme,
                                                                             facilitator):
    start = datetime.now(UTC) + timedelta(days=30)
    session = make_programme(agreed=True, sessions=1, first=start).sessions[0]
    session_id, initial = session.id, session.sequence
    token = bearer(facilitator)
    moves = [(start + timedelta(hours=i + 1)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(EDITS)]
    answers = race([lambda move=move: call(server, "PATCH", f"/api/v1/sessions/{session_id}", token,
                                            {"starts_at": move}, {"If-Match": '"1"'}) for move in moves])
    statuses = sorted(status for status, _body in answers)
    assert statuses.count(200) == 1 and set(statuses) - {200} <= {409, 412}, statuses
    db.session.expire_all()
    assert db.session.get(ProgrammeSession, session_id).sequence == initial + 1
