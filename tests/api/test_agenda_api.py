"""GET /api/v1/me/agenda answers the shape of INTERFACES.md for every role."""

from datetime import timedelta

from matchmaker.extensions import db
from matchmaker.notes import services as notes
from matchmaker.programmes import polls
from matchmaker.timeutils import utcnow

KEYS = {"proposals", "polls", "next_sessions", "notes_missing", "open_actions", "waiting_count"}


def test_agenda_of_a_pokja_member(api, make_programme, plan_sessions, pokja_blitar, facilitator):
    now = utcnow()
    proposed = make_programme(mentor="91.71", topic="solid_waste", at=now)
    soon = [(now + timedelta(days=d)).strftime("%Y-%m-%dT09:00") for d in (20, 21)]
    poll = polls.open_poll(facilitator, proposed, soon, now, timezone="Asia/Jakarta")
    agreed = make_programme(agreed=True, at=now)
    past, future = plan_sessions(agreed, now - timedelta(days=10), now, count=2, interval_days=14)
    notes.log_notes(pokja_blitar, past, None, [{"name": "Bu Rina", "city": "35.72"}], None,
                    [{"text": "Susun draf perwali", "owner_city": "35.72",
                      "due": (now - timedelta(days=3)).date().isoformat()}], now)
    db.session.commit()
    body = api(pokja_blitar).get("/api/v1/me/agenda").get_json()
    assert set(body) == KEYS
    assert body["proposals"] == [{"programme_id": proposed.id, "title": proposed.display_title,
                                  "mentor": "91.71", "mentee": "35.72", "topic": "solid_waste",
                                  "proposed_at": body["proposals"][0]["proposed_at"]}]
    assert body["proposals"][0]["proposed_at"].endswith("Z")
    assert body["polls"] == [{"poll_id": poll.id, "programme_id": proposed.id, "answered": False}]
    [session] = body["next_sessions"]
    assert session["session_id"] == future.id and session["tentative"] is False
    assert session["status"] == "planned" and session["starts_at"].endswith("Z")
    assert "WIB / " in session["local_times"] and "WITA" in session["local_times"]
    assert body["notes_missing"] == []  # attendance was logged for the past session
    [action] = body["open_actions"]
    assert action["owner_city"] == "35.72" and action["overdue"] is True
    assert body["waiting_count"] == 3  # the proposal, the poll, the overdue action


def test_agenda_of_a_facilitator_a_viewer_and_nobody(api, client, make_user, make_programme,
                                                      plan_sessions, facilitator):
    now = utcnow()
    programme = make_programme(at=now)
    plan_sessions(programme, now + timedelta(days=2), now, count=1)
    body = api(facilitator).get("/api/v1/me/agenda").get_json()
    assert body["proposals"] == [] and body["next_sessions"][0]["tentative"] is True
    viewer = api(make_user("viewer")).get("/api/v1/me/agenda").get_json()
    assert viewer == {"proposals": [], "polls": [], "next_sessions": [], "notes_missing": [],
                      "open_actions": [], "waiting_count": 0}
    response = client.get("/api/v1/me/agenda")
    assert response.status_code == 401 and response.get_json()["error"]
