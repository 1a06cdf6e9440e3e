"""Sessions as iCalendar: parsed back by icalendar and by the independent `ics` package."""

import hashlib
import re
import warnings
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from matchmaker.errors import NotFound
from matchmaker.extensions import db
from matchmaker.programmes import calendar, services, sessions
from matchmaker.programmes.calendar import feed_calendar, session_calendar, session_to_ical_event


def _events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def _raw_lines(body: bytes) -> list[str]:
    """Unfold RFC 5545 content lines by hand: a third reading that trusts no library."""
    text = body.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.split("\r\n")


def test_session_event_has_uid_sequence_times_and_people(planned, pokja_kendari, pokja_blitar,
                                                         facilitator):
    session = planned.sessions[0]
    event = _events(session_calendar(session))[0]
    assert str(event["UID"]) == session.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 1, 4, 3, 30, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == f"mailto:{facilitator.email}"
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert sorted(str(a) for a in attendees) == sorted(
        f"mailto:{u.email}" for u in (pokja_kendari, pokja_blitar))
    assert str(event["URL"]) == "https://meet.example.id/abc"
    assert str(event["LOCATION"]) == "https://meet.example.id/abc"
    description = str(event["DESCRIPTION"])
    assert "Baseline dan diagnosis" in description
    assert "09:00 WIB / 10:00 WITA" in description


def test_raw_lines_carry_utc_times(planned):
    lines = _raw_lines(session_calendar(planned.sessions[0]))
    assert "DTSTART:20270104T020000Z" in lines
    assert "DTEND:20270104T033000Z" in lines
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines


def test_file_parses_in_the_independent_ics_package_with_the_same_times(planned):
    import ics

    session = planned.sessions[0]
    with warnings.catch_warnings():
        # ics 0.7 uses APIs its own dependencies deprecate; the parse result is what we check.
        warnings.simplefilter("ignore")
        calendar = ics.Calendar(session_calendar(session).decode("utf-8"))
        event = next(iter(calendar.events))
        begin, end, uid = event.begin.datetime, event.end.datetime, event.uid
    assert uid == session.uid
    assert begin == datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    assert end == datetime(2027, 1, 4, 3, 30, tzinfo=UTC)


def test_reschedule_keeps_uid_and_sequence_rises_in_the_file(planned, facilitator, now):
    session = planned.sessions[0]
    before = _events(session_calendar(session))[0]
    sessions.update_session(facilitator, session, now, starts_at="2027-01-04T13:00")
    db.session.commit()
    after = _events(session_calendar(session))[0]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == datetime(2027, 1, 4, 6, 0, tzinfo=UTC)


def test_cancelled_session_is_status_cancelled(planned, facilitator, now):
    session = planned.sessions[1]
    sessions.cancel_session(facilitator, session, now, "Banjir")
    event = session_to_ical_event(session)
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert "Banjir" in str(event["DESCRIPTION"])


def test_request_method_for_invitations(planned):
    calendar = Calendar.from_ical(session_calendar(planned.sessions[0], method="REQUEST"))
    assert str(calendar["METHOD"]) == "REQUEST"


def test_feed_holds_every_session(planned):
    body = feed_calendar(list(planned.sessions))
    assert [str(e["UID"]) for e in _events(body)] == [s.uid for s in planned.sessions]


def test_subscription_feed_needs_the_token_and_stops_when_revoked(client, planned, pokja_blitar,
                                                                   pokja_jayapura):
    token = calendar.create_calendar_token(pokja_blitar)
    other = calendar.create_calendar_token(pokja_jayapura)
    db.session.commit()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert len(_events(response.data)) == 6
    assert _events(client.get(f"/calendar/{other}.ics").data) == []
    assert client.get("/calendar/not-a-real-token-at-all-xxxx.ics").status_code == 404
    calendar.revoke_calendar_token(pokja_blitar)
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_calendar_token_page_creates_and_revokes(client, login, pokja_blitar):
    login(pokja_blitar)
    response = client.post("/calendar/token", data={"action": "create"})
    assert response.status_code == 200
    token = re.search(r"/calendar/([\w-]+)\.ics", response.text).group(1)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    db.session.refresh(pokja_blitar)
    # Stored hashed, and shown only in the answer that made it.
    assert pokja_blitar.calendar_token == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get("/programmes").text
    client.post("/calendar/token", data={"action": "revoke"})
    db.session.refresh(pokja_blitar)
    assert pokja_blitar.calendar_token is None


def test_calendar_token_can_be_created_and_revoked(pokja_blitar):
    token = calendar.create_calendar_token(pokja_blitar)
    assert calendar.user_for_calendar_token(token) == pokja_blitar
    assert calendar.create_calendar_token(pokja_blitar) != token
    calendar.revoke_calendar_token(pokja_blitar)
    with pytest.raises(NotFound):
        calendar.user_for_calendar_token(token)


def test_sessions_of_a_proposal_are_tentative_until_both_cities_agreed(
        make_programme, plan_sessions, facilitator, now):
    programme = make_programme()
    [session] = plan_sessions(programme, datetime(2027, 1, 4, 9, 0), now, count=1)
    assert str(_events(session_calendar(session))[0]["STATUS"]) == "TENTATIVE"
    assert str(_events(feed_calendar([session]))[0]["STATUS"]) == "TENTATIVE"
    services.record_agreement(facilitator, programme, now)
    db.session.commit()
    assert str(_events(session_calendar(session))[0]["STATUS"]) == "CONFIRMED"
