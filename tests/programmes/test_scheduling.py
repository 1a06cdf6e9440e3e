"""Calendar checks on stored sessions and on the pages (preview, one-click move), the cuti
bersama days, and meeting links."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from matchmaker.errors import Conflict, Forbidden
from matchmaker.extensions import db
from matchmaker.programmes import scheduling
from matchmaker.programmes.models import CutiBersama, ProgrammeSession


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_cuti_bersama_is_kept_by_facilitators_and_flags_sessions(facilitator, pokja_blitar,
                                                                 make_programme, plan_sessions, now):
    with pytest.raises(Forbidden):
        scheduling.add_cuti_bersama(pokja_blitar, date(2027, 1, 11), "Cuti", now)
    scheduling.add_cuti_bersama(facilitator, date(2027, 1, 11), "Cuti bersama Tahun Baru", now)
    with pytest.raises(Conflict):
        scheduling.add_cuti_bersama(facilitator, date(2027, 1, 11), "Lagi", now)
    programme = make_programme(agreed=True)
    (session,) = plan_sessions(programme, datetime(2027, 1, 11, 9, 0), now, count=1,
                               allow_past=False)
    (check,) = scheduling.checks_by_session(programme, now)[session.id]
    assert check.code == "holiday" and check.name == "Cuti bersama: Cuti bersama Tahun Baru"
    assert check.suggestion == datetime(2027, 1, 12, 2, 0, tzinfo=UTC)


def test_an_overlap_with_another_programme_of_a_city_is_a_check(make_programme, plan_sessions, now):
    first = make_programme(agreed=True)
    plan_sessions(first, datetime(2027, 1, 11, 9, 0), now, count=1, allow_past=False)
    second = make_programme(mentor="91.71", mentee="35.72", agreed=True)
    (session,) = plan_sessions(second, datetime(2027, 1, 11, 10, 0), now, count=1, allow_past=False)
    (check,) = scheduling.checks_by_session(second, now)[session.id]
    assert check.code == "overlap" and first.display_title in check.message


def test_the_programme_page_shows_checks_and_takes_the_suggestion_in_one_click(
        client, login, facilitator, make_programme, plan_sessions, now):
    programme = make_programme(agreed=True)
    (session,) = plan_sessions(programme, datetime(2027, 1, 8, 11, 30), now, count=1,
                               allow_past=False)
    login(facilitator)
    page = client.get(f"/programmes/{programme.id}").text
    assert 'data-code="friday_prayer"' in page and "Sen 11 Jan 2027" in page
    response = client.post(f"/sessions/{session.id}/take-suggestion",
                           data={"starts_at": "2027-01-11T04:30:00+00:00"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ProgrammeSession, session.id).starts_at == datetime(2027, 1, 11, 4, 30,
                                                                               tzinfo=UTC)
    assert "session-checks" not in client.get(f"/programmes/{programme.id}").text


def test_the_series_preview_shows_checks_and_saves_nothing(client, login, facilitator,
                                                           make_programme):
    programme = make_programme(agreed=True)
    login(facilitator)
    form = {"count": 3, "first_start": "2031-12-11T09:00", "timezone": "Asia/Jakarta",
            "interval_days": 7, "duration_minutes": 90, "agendas": "", "preview": "1"}
    page = client.post(f"/programmes/{programme.id}/series", data=form)
    assert page.status_code == 200
    assert page.text.count('class="preview-row"') == 3
    assert page.text.count('data-code="holiday"') == 1 and "Hari Raya Natal" in page.text
    assert _count(ProgrammeSession) == 0
    del form["preview"]
    assert client.post(f"/programmes/{programme.id}/series", data=form).status_code == 303
    assert _count(ProgrammeSession) == 3


def test_the_cuti_bersama_page_adds_and_deletes_days(client, login, facilitator, pokja_blitar):
    login(pokja_blitar)
    assert client.get("/calendar/cuti-bersama").status_code == 403
    login(facilitator)
    response = client.post("/calendar/cuti-bersama",
                           data={"day": "2027-03-09", "name": "Cuti bersama <b>Nyepi</b>"})
    assert response.status_code == 303
    page = client.get("/calendar/cuti-bersama").text
    assert "2027-03-09" in page and "&lt;b&gt;Nyepi" in page
    assert client.post("/calendar/cuti-bersama",
                       data={"day": "2027-03-09", "name": "Lagi"}).status_code == 400
    row = db.session.scalar(select(CutiBersama))
    assert client.post(f"/calendar/cuti-bersama/{row.id}/delete").status_code == 303
    assert _count(CutiBersama) == 0


def test_the_planner_form_can_generate_a_meeting_link(client, login, facilitator, make_programme):
    programme = make_programme(agreed=True)
    login(facilitator)
    client.post(f"/programmes/{programme.id}/sessions", data={
        "starts_at": "2027-01-11T09:00", "timezone": "Asia/Jakarta", "duration_minutes": 90,
        "generate_meeting_url": "y"})
    session = db.session.scalar(select(ProgrammeSession))
    assert session.meeting_url.startswith("https://meet.jit.si/matchmaker-")
