"""Nudges the sweep plans itself: action due tomorrow, missing notes, the weekly digest."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.notes.models import ActionStatus, FollowUpAction, Lesson, SessionNote
from matchmaker.programmes.models import Programme, ProgrammeStatus
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.models import Reminder, ReminderKind
from tests.reminders.conftest import BLITAR, FIRST, PLANNED_AT, city


def kinds(smtp, kind):
    return sorted(m["To"] for m in smtp.handler.received() if m["X-Matchmaker-Kind"] == kind)


def _action(session, due_on: date, text="Susun draf Perwali L2T2 <segera>") -> FollowUpAction:
    action = FollowUpAction(session_id=session.id, programme_id=session.programme_id, text=text,
                            owner_city_id=city(BLITAR).id, owner_person="Kepala Bappeda",
                            due_on=due_on, status=ActionStatus.OPEN)
    db.session.add(action)
    db.session.commit()
    return action


def test_action_due_tomorrow_reminds_the_owner_citys_pokja_once_in_the_morning(
        app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    action = _action(session, date(2020, 2, 5))
    # 3 Feb 23:00 WIB: due the day after tomorrow, nothing yet.
    send_due_reminders(datetime(2020, 2, 3, 16, 0, tzinfo=UTC))
    # 4 Feb 00:30 WIB: due tomorrow; planned for 08:00 WIB, not sent at half past midnight.
    send_due_reminders(datetime(2020, 2, 3, 17, 30, tzinfo=UTC))
    assert kinds(smtp, "action_due") == []
    for _ in range(2):
        send_due_reminders(datetime(2020, 2, 4, 1, 0, tzinfo=UTC))  # 08:00 WIB
    assert kinds(smtp, "action_due") == ["ani@blitar.example.id", "budi@blitar.example.id"]
    message = next(m for m in smtp.handler.received() if m["X-Matchmaker-Kind"] == "action_due")
    assert "Susun draf Perwali L2T2 &lt;segera&gt;" in message.get_body(("html",)).get_content()
    assert db.session.scalar(select(func.count()).select_from(Reminder).where(
        Reminder.action_id == action.id)) == 2


def test_action_done_before_the_reminder_is_not_reminded(app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    action = _action(session, date(2020, 2, 5))
    send_due_reminders(datetime(2020, 2, 3, 17, 30, tzinfo=UTC))
    action.status = ActionStatus.DONE
    db.session.commit()
    send_due_reminders(datetime(2020, 2, 4, 1, 0, tzinfo=UTC))
    assert kinds(smtp, "action_due") == []


def test_notes_nudge_24h_after_a_session_without_notes_only(app, smtp, people, plan_series):
    s1, s2 = plan_series(FIRST, PLANNED_AT, count=2)
    db.session.add(SessionNote(session_id=s2.id, body_markdown="Catatan"))
    db.session.commit()
    send_due_reminders(s1.ends_at + timedelta(hours=23))
    assert kinds(smtp, "notes") == []
    send_due_reminders(s1.ends_at + timedelta(hours=24))
    send_due_reminders(s1.ends_at + timedelta(hours=25))
    assert kinds(smtp, "notes") == sorted(["ani@blitar.example.id", "budi@blitar.example.id",
                                            "citra@kendari.example.id", "fasilitator@pmu.example.id"])
    send_due_reminders(s2.ends_at + timedelta(hours=25))  # s2 has notes: no nudge
    assert len(kinds(smtp, "notes")) == 4


def test_a_session_with_only_a_lesson_logged_counts_as_noted(app, smtp, people, plan_series):
    (s1,) = plan_series(FIRST, PLANNED_AT, count=1)
    db.session.add(Lesson(session_id=s1.id, programme_id=s1.programme_id, topic="wastewater",
                          text="Mulai dari ASN", outcome_type="new_action"))
    db.session.commit()
    send_due_reminders(s1.ends_at + timedelta(hours=25))
    assert kinds(smtp, "notes") == []
    assert db.session.scalar(select(func.count(Reminder.id)).where(
        Reminder.kind == ReminderKind.NOTES)) == 0


def test_weekly_digest_for_facilitators_lists_what_waits_and_is_sent_once(
        app, smtp, people, plan_series, programme):
    session, _quiet = plan_series(FIRST, PLANNED_AT, count=2, interval_days=3)
    _action(session, date(2020, 1, 30), text="Rapat dengan DPRD")
    db.session.add(Programme(mentor_city_id=programme.mentor_city_id, mentee_city_id=city("91.71").id,
                             topic="wastewater", title="Usulan Jayapura", status=ProgrammeStatus.PROPOSED,
                             facilitator_id=people["facilitator"].id))
    db.session.commit()
    monday = datetime(2020, 2, 3, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
    send_due_reminders(monday - timedelta(minutes=1))
    assert kinds(smtp, "digest") == []
    for minutes in (0, 1, 60):
        send_due_reminders(monday + timedelta(minutes=minutes))
    assert kinds(smtp, "digest") == ["fasilitator@pmu.example.id"]
    text = next(m for m in smtp.handler.received()
                if m["X-Matchmaker-Kind"] == "digest").get_body(("plain",)).get_content()
    assert "Rapat dengan DPRD" in text
    assert "Usulan Jayapura" in text
    assert "L2T2 Kendari untuk Blitar" in text  # session 2 has nothing logged
    assert db.session.scalar(select(func.count()).select_from(Reminder).where(
        Reminder.kind == ReminderKind.DIGEST)) == 1
