"""Report pages: the facilitator dashboard and the CSV exports."""

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.matching.feedback import record_feedback
from matchmaker.notes import services as notes
from matchmaker.programmes import sessions
from matchmaker.timeutils import utcnow

SCRIPT = "<script>alert('x')</script>"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _next_session_box(html: str) -> str:
    start = html.index('id="next-session"')
    return html[start:start + 1500]


def test_dashboard_puts_missing_notes_overdue_actions_and_waiting_first(
        client, login, make_programme, facilitator, pokja_blitar):
    now = utcnow()
    past = make_programme(agreed=True)
    sessions.plan_series(facilitator, past, 2, "2026-10-05T09:00", now, allow_past=True)
    waiting = make_programme(mentor="35.72", mentee="91.71", topic="solid_waste")
    db.session.commit()
    first, second = past.sessions
    notes.log_notes(pokja_blitar, first, "Catatan sesi 1", None, None,
                    [{"text": "Susun draf perwali", "owner_city": "35.72", "due": "2026-10-30"}], now)
    db.session.commit()
    login(pokja_blitar)
    assert client.get("/dashboard").status_code == 403
    login(facilitator)
    html = client.get("/dashboard").text
    missing = html[html.index('id="missing-notes"'):html.index('id="overdue-actions"')]
    assert f"#session-{second.id}" in missing and f"#session-{first.id}" not in missing
    overdue = html[html.index('id="overdue-actions"'):html.index('id="waiting"')]
    assert past.display_title in overdue
    pending = html[html.index('id="waiting"'):html.index('id="upcoming"')]
    assert waiting.display_title in pending and "Kota Blitar, Kota Jayapura" in pending
    assert "stale-proposal" not in pending


def test_dashboard_marks_proposals_waiting_longer_than_the_nudge_days(
        app, client, login, make_programme, facilitator):
    days = app.config["PROPOSAL_NUDGE_DAYS"]
    stale = make_programme(at=utcnow() - timedelta(days=days, hours=1))
    fresh = make_programme(mentor="35.72", mentee="91.71", topic="solid_waste")
    login(facilitator)
    html = client.get("/dashboard").text
    pending = html[html.index('id="waiting"'):html.index('id="upcoming"')]
    rows = {title: row for row in pending.split("<li")[1:]
            for title in (stale.display_title, fresh.display_title) if title in row}
    assert "stale-proposal" in rows[stale.display_title]
    assert "stale-proposal" not in rows[fresh.display_title]


def test_csv_exports(client, login, planned, facilitator, make_programme, now):
    sessions.update_session(facilitator, planned.sessions[0], now, agenda="=HYPERLINK(\"x\")")
    db.session.commit()
    login(facilitator)
    response = client.get(f"/programmes/{planned.id}/export.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 6
    assert rows[0]["Mulai (UTC)"] == "2027-01-04T02:00:00Z"
    assert rows[0]["Waktu Kota Blitar"] == "2027-01-04 09:00 WIB"
    assert rows[0]["Waktu Kota Kendari"] == "2027-01-04 10:00 WITA"
    assert rows[0]["Ada catatan"] == "tidak"
    assert rows[0]["Agenda"].startswith("'=")  # no formula runs in a spreadsheet
    make_programme(mentor="35.72", mentee="91.71", topic="solid_waste")
    every = list(csv.DictReader(io.StringIO(client.get("/programmes/export.csv").text.lstrip("\ufeff"))))
    assert len(every) == 2
    assert {r["Sesi direncanakan"] for r in every} == {"6", "0"}


def test_home_sends_each_role_to_its_own_page(client, login, facilitator, make_user):
    assert "/login" in client.get("/").headers["Location"]
    login(facilitator)
    assert client.get("/").headers["Location"] == "/dashboard"
    login(make_user("viewer"))
    assert client.get("/").headers["Location"] == "/knowledge"


def test_pokja_home_shows_the_proposal_the_next_session_in_its_zone_and_a_badge(
        client, login, make_programme, plan_sessions, pokja_kendari):
    now = utcnow()
    programme = make_programme(at=now)
    plan_sessions(programme, (now + timedelta(days=3)).replace(hour=2, minute=0, second=0,
                                                                microsecond=0), now, count=2,
                  meeting_url="https://meet.example.id/l2t2")
    login(pokja_kendari)
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    proposals = html[html.index('id="proposals"'):html.index('id="next-sessions"')]
    assert programme.display_title in proposals and "Setujui untuk Kota Kendari" in proposals
    upcoming = html[html.index('id="next-sessions"'):html.index('id="notes-missing"')]
    assert "10:00 WITA / 09:00 WIB" in upcoming and "belum disepakati" in upcoming
    assert "https://wa.me/?text=" in upcoming
    assert 'href="/cities/74.71"' in html
    assert 'id="waiting-count">1<' in html  # the navbar badge: one proposal to answer
    client.post(f"/programmes/{programme.id}/accept")
    assert 'id="waiting-count"' not in client.get("/").text


def test_match_feedback_export_lists_every_reason_for_facilitators(
        client, login, facilitator, pokja_blitar, kendari, blitar):
    with client.application.test_request_context():
        record_feedback(facilitator, blitar, kendari, "wastewater", "other",
                        "=HYPERLINK('x') sudah punya mitra", utcnow())
    db.session.commit()
    login(pokja_blitar)
    assert client.get("/match/feedback.csv").status_code == 403
    login(facilitator)
    response = client.get("/match/feedback.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["mentee_code"], row["mentor_code"], row["topic"]) == ("35.72", "74.71", "wastewater")
    assert (row["reason"], row["reason_label"]) == ("other", "Lainnya")
    assert row["note"] == "'=HYPERLINK('x') sudah punya mitra"  # no formula in a spreadsheet
    assert row["created_by"] == facilitator.email
