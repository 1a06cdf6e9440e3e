"""Programme pages: list with the next session, programme timeline, forms, dashboard, report, CSV."""

import re
from datetime import datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.notes import services as notes
from matchmaker.programmes import sessions
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus, SessionStatus
from matchmaker.timeutils import utcnow

SCRIPT = "<script>alert('x')</script>"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _next_session_box(html: str) -> str:
    start = html.index('id="next-session"')
    return html[start:start + 1500]


def test_pokja_sees_their_next_session_in_their_own_local_time_first(client, login, planned,
                                                                      pokja_kendari, pokja_blitar):
    login(pokja_kendari)
    box = _next_session_box(client.get("/programmes").text)
    assert "10:00 WITA / 09:00 WIB" in box
    assert planned.display_title in box
    login(pokja_blitar)
    box = _next_session_box(client.get("/programmes").text)
    assert "09:00 WIB / 10:00 WITA" in box
    assert "Baseline dan diagnosis" in box



def test_list_shows_each_user_their_programmes(client, login, planned, make_programme,
                                               facilitator, pokja_jayapura, make_user):
    other = make_programme(mentor="35.72", mentee="91.71", topic="solid_waste")
    login(facilitator)
    page = client.get("/programmes").text
    assert planned.display_title in page and other.display_title in page
    login(pokja_jayapura)
    page = client.get("/programmes").text
    assert other.display_title in page and planned.display_title not in page
    login(make_user("viewer"))
    page = client.get("/programmes").text
    assert "programme-row" not in page



def test_unrelated_pokja_and_viewers_get_403_on_the_programme(client, login, planned, pokja_jayapura,
                                                             make_user):
    session = planned.sessions[0]
    for user in (pokja_jayapura, make_user("viewer")):
        login(user)
        for path in (f"/programmes/{planned.id}", f"/programmes/{planned.id}/report",
                     f"/programmes/{planned.id}/export.csv"):
            assert client.get(path).status_code == 403, path
        for path in (f"/programmes/{planned.id}/accept", f"/sessions/{session.id}/cancel",
                     f"/programmes/{planned.id}/series"):
            assert client.post(path, data={}).status_code == 403, path
    assert planned.sessions[0].status == SessionStatus.PLANNED



def test_pokja_accepts_from_the_programme_page(client, login, make_programme, pokja_blitar,
                                               pokja_kendari):
    programme = make_programme()
    login(pokja_blitar)
    page = client.get(f"/programmes/{programme.id}").text
    assert 'id="accept-button"' in page
    assert 'data-status="proposed">Diusulkan</span>' in page
    assert "Setujui untuk Kota Blitar" in page
    response = client.post(f"/programmes/{programme.id}/accept")
    assert response.status_code == 303
    login(pokja_kendari)
    client.post(f"/programmes/{programme.id}/accept")
    db.session.refresh(programme)
    assert programme.status == ProgrammeStatus.AGREED



def test_pokja_declines_with_a_reason(client, login, make_programme, pokja_kendari):
    programme = make_programme()
    login(pokja_kendari)
    client.post(f"/programmes/{programme.id}/decline", data={"reason": "Belum siap"})
    db.session.refresh(programme)
    assert programme.status == ProgrammeStatus.DECLINED



def test_facilitator_plans_a_series_from_the_form(client, login, make_programme, facilitator):
    programme = make_programme(agreed=True)
    login(facilitator)
    page = client.get(f"/programmes/{programme.id}").text
    assert 'id="series-form"' in page and "Rencana aksi replikasi" in page
    response = client.post(f"/programmes/{programme.id}/series", data={
        "count": "6", "first_start": "2027-01-04T09:00", "timezone": "Asia/Jakarta",
        "interval_days": "14", "duration_minutes": "90", "meeting_url": "https://meet.example.id/x",
        "agendas": "Kenalan\nPraktik\nRegulasi\nTarif\nOperasi\nRencana aksi"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(programme)
    assert [s.agenda for s in programme.sessions][0] == "Kenalan"
    assert programme.sessions[0].starts_at.isoformat() == "2027-01-04T02:00:00+00:00"
    assert "09:00 WIB / 10:00 WITA" in response.text  # facilitator reads WIB first, then WITA


def test_the_same_series_submitted_twice_leaves_one_series(client, login, make_programme, facilitator):
    programme = make_programme()
    login(facilitator)
    form = {"count": "6", "first_start": "2027-01-04T09:00", "timezone": "Asia/Jakarta",
            "interval_days": "14", "duration_minutes": "90"}
    client.post(f"/programmes/{programme.id}/series", data=form)
    again = client.post(f"/programmes/{programme.id}/series", data=form, follow_redirects=True)
    assert "sudah punya rangkaian 6 sesi" in again.text
    assert _count(ProgrammeSession) == 6
    more = client.post(f"/programmes/{programme.id}/series", data={
        **form, "count": "2", "first_start": "2027-04-05T09:00", "adding": "y"}, follow_redirects=True)
    assert "alert-success" in more.text
    assert _count(ProgrammeSession) == 8


def test_sessions_of_a_proposal_are_labelled_not_yet_agreed(client, login, make_programme,
                                                           plan_sessions, facilitator, now):
    proposed, agreed = make_programme(), make_programme(mentee="74.01", agreed=True)
    for programme in (proposed, agreed):
        plan_sessions(programme, datetime(2027, 1, 4, 9, 0), now, count=1)
    login(facilitator)
    assert "belum disepakati" in client.get(f"/programmes/{proposed.id}").text
    assert "belum disepakati" not in client.get(f"/programmes/{agreed.id}").text


def test_bad_series_form_changes_nothing(client, login, make_programme, facilitator):
    programme = make_programme()
    login(facilitator)
    response = client.post(f"/programmes/{programme.id}/series", data={
        "count": "0", "first_start": "2027-01-04T09:00", "timezone": "Asia/Jakarta",
        "interval_days": "14", "duration_minutes": "90"}, follow_redirects=True)
    assert response.status_code == 200
    assert "alert-danger" in response.text
    past = client.post(f"/programmes/{programme.id}/series", data={
        "count": "6", "first_start": "2020-01-27T09:00", "timezone": "Asia/Jakarta",
        "interval_days": "14", "duration_minutes": "90"}, follow_redirects=True)
    assert "sudah lewat" in past.text
    assert _count(ProgrammeSession) == 0



def test_reschedule_and_cancel_from_the_page(client, login, planned, facilitator):
    session = planned.sessions[1]
    uid = session.uid
    login(facilitator)
    client.post(f"/sessions/{session.id}/edit", data={
        "starts_at": "2027-01-19T10:00", "timezone": "Asia/Makassar", "duration_minutes": "60",
        "meeting_url": "https://meet.example.id/y", "agenda": "Dipindah"})
    db.session.refresh(session)
    assert (session.uid, session.sequence, session.agenda) == (uid, 1, "Dipindah")
    assert session.starts_at.isoformat() == "2027-01-19T02:00:00+00:00"
    client.post(f"/sessions/{session.id}/cancel", data={"reason": "Rapat DPRD"})
    db.session.refresh(session)
    assert session.status == SessionStatus.CANCELLED and session.sequence == 2



def test_a_stale_session_move_shows_both_versions_and_keeps_the_form(client, login, planned,
                                                                     facilitator, now):
    session = planned.sessions[1]
    login(facilitator)
    assert f'name="version" value="{session.version}"' in client.get(f"/programmes/{planned.id}").text
    sessions.update_session(facilitator, session, now, agenda="Diubah orang lain", version=1)
    db.session.commit()
    stale = client.post(f"/sessions/{session.id}/edit", data={
        "starts_at": "2027-01-19T10:00", "timezone": "Asia/Jakarta", "duration_minutes": "90",
        "meeting_url": "https://meet.example.id/abc", "agenda": "Agenda saya", "version": "1"})
    assert stale.status_code == 409
    assert "Orang lain telah mengubah ini" in stale.text
    assert "Diubah orang lain" in stale.text and "Agenda saya" in stale.text
    assert 'value="2027-01-19T10:00"' in stale.text and "10:00 WIB" in stale.text
    db.session.refresh(session)
    assert (session.agenda, session.sequence, session.version) == ("Diubah orang lain", 1, 2)


def test_create_from_recommendation(client, login, facilitator, kendari, blitar):
    login(facilitator)
    practice = kendari.practices[0] if kendari.practices else None
    data = {"mentor": "74.71", "mentee": "35.72", "topic": "wastewater",
            "practice_id": str(practice.id) if practice and practice.topic == "wastewater" else ""}
    response = client.post("/programmes/from-recommendation", data=data)
    assert response.status_code == 303
    programme = db.session.scalar(select(Programme))
    assert response.location.endswith(f"/programmes/{programme.id}")
    again = client.post("/programmes/from-recommendation", data=data)
    assert again.location.endswith(f"/programmes/{programme.id}")  # the open one, not a second
    assert _count(Programme) == 1



def test_new_programme_form(client, login, facilitator, pokja_blitar):
    login(pokja_blitar)
    assert client.get("/programmes/new").status_code == 403
    login(facilitator)
    same = client.post("/programmes/new", data={"mentor": "74.71", "mentee": "74.71",
                                                  "topic": "wastewater"})
    assert same.status_code == 400
    response = client.post("/programmes/new", data={"mentor": "74.71", "mentee": "35.72",
                                                     "topic": "wastewater", "title": "L2T2"})
    assert response.status_code == 303
    assert db.session.scalar(select(Programme.title)) == "L2T2"



def test_script_in_title_and_agenda_is_escaped_on_page_and_report(client, login, make_programme,
                                                                  facilitator, now):
    programme = make_programme(agreed=True, title=f"Judul {SCRIPT}")
    sessions.plan_series(facilitator, programme, 1, "2027-01-04T09:00", now, agendas=[f"Agenda {SCRIPT}"])
    db.session.commit()
    login(facilitator)
    for path in (f"/programmes/{programme.id}", f"/programmes/{programme.id}/report", "/programmes",
                 "/dashboard"):
        html = client.get(path).text
        assert SCRIPT not in html, path
    assert "&lt;script&gt;" in client.get(f"/programmes/{programme.id}/report").text



def test_complete_with_outcome_shows_on_both_city_profiles(client, login, planned, facilitator,
                                                            make_user):
    login(facilitator)
    client.post(f"/programmes/{planned.id}/complete", data={
        "outcome": "regulation", "outcome_on": "2027-06-01", "evidence": f"Perwali 12/2027 {SCRIPT}"})
    db.session.refresh(planned)
    assert planned.status == ProgrammeStatus.COMPLETED
    login(make_user("viewer"))
    for code in ("35.72", "74.71"):
        html = client.get(f"/cities/{code}").text
        section = html[html.index('id="programmes"'):]
        assert planned.display_title in section
        assert "Diatur dalam regulasi" in section and "1 Jun 2027" in section
        assert f'href="/programmes/{planned.id}"' not in section  # viewers read no programme page
        assert SCRIPT not in html



def test_programme_page_links_notes_and_counts_actions(client, login, make_programme, facilitator,
                                                       pokja_blitar):
    now = utcnow()
    programme = make_programme(agreed=True)
    sessions.plan_series(facilitator, programme, 1, "2026-10-05T09:00", now, allow_past=True)
    db.session.commit()
    notes.log_notes(pokja_blitar, programme.sessions[0], "Catatan", None, None,
                    [{"text": "Lapor", "owner_city": "35.72", "due": "2026-10-30"}], now)
    db.session.commit()
    login(pokja_blitar)
    html = client.get(f"/programmes/{programme.id}").text
    assert f"/sessions/{programme.sessions[0].id}/notes" in html
    assert '<div class="fs-4" id="overdue-count">1</div>' in html



def test_mark_held_activates(client, login, make_programme, facilitator, pokja_kendari):
    programme = make_programme(agreed=True)
    sessions.plan_series(facilitator, programme, 1, datetime(2026, 11, 2, 9, 0), utcnow(), allow_past=True)
    db.session.commit()
    session = programme.sessions[0]
    session.status = SessionStatus.PLANNED
    db.session.commit()
    login(pokja_kendari)
    client.post(f"/sessions/{session.id}/held")
    db.session.refresh(programme)
    assert programme.status == ProgrammeStatus.ACTIVE



def test_pokja_finds_recent_sessions_that_still_need_notes(client, login, make_programme,
                                                           facilitator, pokja_blitar):
    programme = make_programme(agreed=True)
    now = utcnow()
    start = (now.astimezone(ZoneInfo("Asia/Jakarta")) - timedelta(days=3)).replace(tzinfo=None)
    sessions.plan_series(facilitator, programme, 1, start, now, allow_past=True)
    db.session.commit()
    session = programme.sessions[0]
    login(pokja_blitar)
    html = client.get("/programmes").text
    recent = html[html.index('id="recent-sessions"'):]
    assert "belum ada catatan" in recent
    assert f"/sessions/{session.id}/notes" in recent


def test_each_coming_session_has_a_whatsapp_share_link(client, login, planned, pokja_blitar):
    login(pokja_blitar)
    html = client.get(f"/programmes/{planned.id}").text
    links = re.findall(r'href="(https://wa\.me/\?text=[^"]+)"', html)
    assert len(links) == 6
    text = unquote(links[0].split("text=", 1)[1])
    assert "09:00 WIB / 10:00 WITA" in text and "https://meet.example.id/abc" in text


def test_the_pages_say_how_agreed_differs_from_running(client, login, planned, pokja_blitar):
    login(pokja_blitar)
    for path in ("/programmes", f"/programmes/{planned.id}"):
        help_text = client.get(path).text.split('id="status-help">')[1].split("</p>")[0]
        assert "Disepakati" in help_text and "Berjalan" in help_text
