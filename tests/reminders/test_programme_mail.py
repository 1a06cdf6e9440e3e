"""A programme's own e-mail against a real SMTP server: the proposal reaches both cities, no
session reminder before both agreed, one invitation on agreement, one update per sweep for a
burst of edits, one cancellation notice per person (none to a city that never agreed)."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from matchmaker.cities.models import Practice
from matchmaker.extensions import db
from matchmaker.programmes import services
from matchmaker.programmes import sessions as planner
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus
from tests.reminders.conftest import BLITAR, KENDARI

PROPOSED_AT = datetime(2020, 1, 6, 3, 0, tzinfo=UTC)
FIRST_LOCAL = "2020-01-27T09:00"  # WIB: 02:00 UTC
FIRST = datetime(2020, 1, 27, 2, 0, tzinfo=UTC)
POKJA = ["ani@blitar.example.id", "budi@blitar.example.id", "citra@kendari.example.id"]
EVERYONE = [*POKJA, "fasilitator@pmu.example.id"]


@pytest.fixture
def proposal(people, make_city, make_programme):
    """Kendari (mentor, with its L2T2 practice) proposed to Blitar, not yet answered."""
    make_city(KENDARI, practices=[{"topic": "wastewater", "title": "L2T2 bagi ASN",
                                   "description": "Penyedotan terjadwal, wajib bagi ASN.",
                                   "maturity": "institutionalised"}])
    practice = db.session.scalar(select(Practice).where(Practice.title == "L2T2 bagi ASN"))
    return make_programme(KENDARI, BLITAR, title="L2T2 Kendari untuk Blitar", by=people["facilitator"],
                          at=PROPOSED_AT, practice_id=practice.id)


def plan(programme, people, count=6, now=PROPOSED_AT):
    planned = planner.plan_series(people["facilitator"], programme, count, FIRST_LOCAL, now,
                                  timezone="Asia/Jakarta", interval_days=7,
                                  meeting_url="https://meet.example.id/l2t2").sessions
    db.session.commit()
    return planned


def agree(programme, people, now):
    services.respond_to_proposal(people["kendari"], programme, True, now)
    services.respond_to_proposal(people["blitar1"], programme, True, now)
    db.session.commit()


def mails(smtp, kind):
    return [m for m in smtp.handler.received() if m["X-Matchmaker-Kind"] == kind]


def calendar_of(message) -> Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_content()), part.get_param("method")


def test_a_proposal_emails_both_cities_pokja_in_their_language_with_one_link(
        app, smtp, people, proposal):
    send_due_reminders(PROPOSED_AT)
    send_due_reminders(PROPOSED_AT + timedelta(minutes=1))
    got = mails(smtp, "proposal")
    assert sorted(m["To"] for m in got) == POKJA  # not the opted-out, disabled or other city
    by_to = {m["To"]: m for m in got}
    ani = by_to["ani@blitar.example.id"].get_body(("plain",)).get_content()
    assert "Kota Kendari" in ani and "L2T2 bagi ASN" in ani and "Terlembagakan" in ani
    assert f"/programmes/{proposal.id}" in ani
    assert by_to["ani@blitar.example.id"]["X-Matchmaker-Programme"] == str(proposal.id)
    assert by_to["budi@blitar.example.id"]["Content-Language"] == "en"


def test_an_unanswered_proposal_nudges_only_the_city_that_has_not_answered_once(
        app, smtp, people, proposal):
    send_due_reminders(PROPOSED_AT)
    services.respond_to_proposal(people["kendari"], proposal, True, PROPOSED_AT + timedelta(days=1))
    db.session.commit()
    send_due_reminders(PROPOSED_AT + timedelta(days=2, hours=23))
    assert mails(smtp, "proposal_nudge") == []
    for days in (3, 4, 10):
        send_due_reminders(PROPOSED_AT + timedelta(days=days))
    assert sorted(m["To"] for m in mails(smtp, "proposal_nudge")) == POKJA[:2]


def test_no_session_reminder_before_both_cities_agreed(app, smtp, people, proposal):
    [session] = plan(proposal, people, count=1)
    services.respond_to_proposal(people["kendari"], proposal, True, PROPOSED_AT)
    db.session.commit()
    assert db.session.scalars(select(Reminder).where(
        Reminder.kind == ReminderKind.SESSION, Reminder.status == ReminderStatus.PENDING)).all() == []
    for at in (FIRST - timedelta(hours=24), FIRST - timedelta(hours=1)):
        send_due_reminders(at)
    assert mails(smtp, "session") == [] and mails(smtp, "invitation") == []


def test_the_send_time_check_refuses_a_session_reminder_of_a_proposal(app, smtp, people, proposal):
    [session] = plan(proposal, people, count=1)
    db.session.add(Reminder(kind=ReminderKind.SESSION, dedupe_key="stray", recipient_id=people["blitar1"].id,
                            session_id=session.id, lead_minutes=60, event_at=session.starts_at,
                            due_at=FIRST - timedelta(hours=1), next_attempt_at=FIRST - timedelta(hours=1)))
    db.session.commit()
    send_due_reminders(FIRST - timedelta(hours=1))
    stray = db.session.scalar(select(Reminder).where(Reminder.dedupe_key == "stray"))
    assert stray.status == ReminderStatus.SKIPPED and "belum disepakati" in stray.skip_reason
    assert mails(smtp, "session") == []


def test_agreement_sends_one_invitation_per_person_with_every_session_then_reminders(
        app, smtp, people, proposal):
    planned = plan(proposal, people)
    agreed_at = PROPOSED_AT + timedelta(days=1)
    agree(proposal, people, agreed_at)
    send_due_reminders(agreed_at)
    send_due_reminders(agreed_at + timedelta(minutes=5))
    invitations = mails(smtp, "invitation")
    assert sorted(m["To"] for m in invitations) == EVERYONE
    calendar, method = calendar_of(invitations[0])
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [s.uid for s in planned]
    assert {str(e["STATUS"]) for e in events} == {"CONFIRMED"}
    send_due_reminders(FIRST - timedelta(hours=1))
    assert sorted(m["To"] for m in mails(smtp, "session")) == EVERYONE


def test_five_edits_in_one_sweep_make_one_update_per_person_with_the_highest_sequence(
        app, smtp, people, proposal):
    session = plan(proposal, people)[1]
    agreed_at = PROPOSED_AT + timedelta(days=1)
    agree(proposal, people, agreed_at)
    send_due_reminders(agreed_at)
    edit_at = agreed_at + timedelta(hours=2)
    for hour in (10, 11, 12, 13):
        planner.update_session(people["facilitator"], session, edit_at, starts_at=f"2020-02-03T{hour}:00")
        db.session.commit()
    planner.update_session(people["facilitator"], session, edit_at,
                           meeting_url="https://meet.example.id/baru")
    db.session.commit()
    assert session.sequence == 5
    send_due_reminders(edit_at + timedelta(minutes=1))
    send_due_reminders(edit_at + timedelta(minutes=2))
    updates = mails(smtp, "update")
    assert sorted(m["To"] for m in updates) == EVERYONE
    for message in updates:
        calendar, method = calendar_of(message)
        [event] = calendar.walk("VEVENT")
        assert method == "REQUEST"
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (session.uid, 5)
        assert event["DTSTART"].dt == datetime(2020, 2, 3, 6, 0, tzinfo=UTC)
        assert str(event["URL"]) == "https://meet.example.id/baru"
    ani = next(m for m in updates if m["To"] == "ani@blitar.example.id")
    assert "13:00 WIB / 14:00 WITA" in ani.get_body(("plain",)).get_content()


def test_cancelling_an_agreed_12_session_programme_sends_one_notice_per_person(
        app, smtp, people, proposal):
    planned = plan(proposal, people, count=12)
    agreed_at = PROPOSED_AT + timedelta(days=1)
    agree(proposal, people, agreed_at)
    send_due_reminders(agreed_at)
    services.cancel_programme(people["facilitator"], proposal, "Anggaran dialihkan", agreed_at)
    db.session.commit()
    for minutes in (1, 2, 60 * 24 * 30):
        send_due_reminders(agreed_at + timedelta(minutes=minutes))
    notices = mails(smtp, "cancelled")
    assert Counter(m["To"] for m in notices) == Counter(EVERYONE)
    calendar, method = calendar_of(notices[0])
    assert method == "CANCEL"
    assert sorted(str(e["UID"]) for e in calendar.walk("VEVENT")) == sorted(s.uid for s in planned)
    assert {str(e["STATUS"]) for e in calendar.walk("VEVENT")} == {"CANCELLED"}
    assert "Anggaran dialihkan" in notices[0].get_body(("plain",)).get_content()


def test_cancelling_a_proposal_tells_only_the_city_that_had_accepted(app, smtp, people, proposal):
    plan(proposal, people, count=12)
    services.respond_to_proposal(people["kendari"], proposal, True, PROPOSED_AT)
    services.cancel_programme(people["facilitator"], proposal, "Tidak jadi", PROPOSED_AT)
    db.session.commit()
    for minutes in (1, 2):
        send_due_reminders(PROPOSED_AT + timedelta(minutes=minutes))
    assert [m["To"] for m in mails(smtp, "cancelled")] == ["citra@kendari.example.id"]
    assert mails(smtp, "session") == [] and mails(smtp, "invitation") == []


def test_cancelling_one_session_then_another_before_the_sweep_is_one_notice(
        app, smtp, people, proposal):
    first, second, *_ = plan(proposal, people)
    agreed_at = PROPOSED_AT + timedelta(days=1)
    agree(proposal, people, agreed_at)
    send_due_reminders(agreed_at)
    for session in (first, second):
        planner.cancel_session(people["facilitator"], session, agreed_at, "Banjir")
        db.session.commit()
    send_due_reminders(agreed_at + timedelta(minutes=1))
    notices = mails(smtp, "cancelled")
    assert sorted(m["To"] for m in notices) == EVERYONE
    calendar, _method = calendar_of(notices[0])
    assert sorted(str(e["UID"]) for e in calendar.walk("VEVENT")) == sorted([first.uid, second.uid])


def test_a_session_added_after_agreement_sends_an_update(app, smtp, people, proposal):
    plan(proposal, people, count=2)
    agreed_at = PROPOSED_AT + timedelta(days=1)
    agree(proposal, people, agreed_at)
    send_due_reminders(agreed_at)
    [added] = planner.add_session(people["facilitator"], proposal, "2020-03-02T09:00", agreed_at).sessions
    db.session.commit()
    send_due_reminders(agreed_at + timedelta(minutes=1))
    updates = mails(smtp, "update")
    assert sorted(m["To"] for m in updates) == EVERYONE
    calendar, _method = calendar_of(updates[0])
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [added.uid]


def test_a_programme_agreed_before_any_session_invites_with_the_first_series(
        app, smtp, people, proposal):
    agreed_at = PROPOSED_AT + timedelta(days=1)
    agree(proposal, people, agreed_at)
    send_due_reminders(agreed_at)
    assert mails(smtp, "invitation") == []
    planned = plan(proposal, people, count=3, now=agreed_at)
    send_due_reminders(agreed_at + timedelta(minutes=1))
    invitations = mails(smtp, "invitation")
    assert sorted(m["To"] for m in invitations) == EVERYONE
    calendar, _method = calendar_of(invitations[0])
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [s.uid for s in planned]
    assert mails(smtp, "update") == []
