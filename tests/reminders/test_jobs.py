"""The sweep against a real SMTP server: exactly the right messages, once each."""

from datetime import timedelta

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.models import Reminder, ReminderStatus
from tests.reminders.conftest import FIRST, PLANNED_AT, cancel, move

REMINDED = ["ani@blitar.example.id", "budi@blitar.example.id", "citra@kendari.example.id",
            "fasilitator@pmu.example.id"]


def sent_set(smtp, kinds=("session", "cancelled")) -> list[tuple[str, str, str, str]]:
    """What arrived about sessions (the weekly digest and notes nudges are tested apart)."""
    return sorted((m["To"], m["X-Matchmaker-Kind"], m["X-Matchmaker-Session"] or "",
                   m["X-Matchmaker-Lead"] or "") for m in smtp.handler.received()
                  if m["X-Matchmaker-Kind"] in kinds)


def expected(sessions, leads=("1440", "60"), who=REMINDED):
    return sorted((email, "session", str(s.id), lead) for s in sessions for lead in leads for email in who)


def test_series_with_24h_and_1h_sends_exactly_one_reminder_per_person_and_lead(
        app, smtp, people, plan_series):
    sessions = plan_series(FIRST, PLANNED_AT, count=2)
    times = sorted({s.starts_at - timedelta(minutes=lead) for s in sessions for lead in (1440, 60)})
    for at in times:
        send_due_reminders(at)
        send_due_reminders(at + timedelta(seconds=30))  # a second sweep sends nothing
    assert sent_set(smtp) == expected(sessions)
    assert len(set(smtp.handler.message_ids())) == len(smtp.handler.message_ids())
    assert db.session.scalar(select(func.count()).select_from(Reminder).where(
        Reminder.kind == "session", Reminder.status != ReminderStatus.SENT)) == 0


def test_second_sweep_at_the_same_time_sends_nothing(app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    at = FIRST - timedelta(hours=1)
    first = send_due_reminders(at)
    second = send_due_reminders(at)
    # Both lead times are due at the 1 h mark; the 24 h one is superseded, not sent late.
    assert (first.sent, first.skipped) == (4, 4)
    assert (second.sent, second.skipped) == (0, 0)
    assert sent_set(smtp) == expected([session], leads=("60",))


def test_a_reminder_is_not_sent_before_its_time(app, smtp, people, plan_series):
    plan_series(FIRST, PLANNED_AT, count=1)
    result = send_due_reminders(FIRST - timedelta(hours=24, seconds=1))
    assert result.sent == 0
    assert smtp.handler.received() == []


def test_reschedule_sends_nothing_at_the_old_time_and_the_right_reminder_at_the_new(
        app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    new_start = FIRST + timedelta(days=2, hours=1)
    move(session, new_start, PLANNED_AT + timedelta(days=1))
    for at in (FIRST - timedelta(hours=24), FIRST - timedelta(hours=1)):
        assert send_due_reminders(at).sent == 0
    assert smtp.handler.received() == []
    send_due_reminders(new_start - timedelta(hours=24))
    send_due_reminders(new_start - timedelta(hours=1))
    assert sent_set(smtp) == expected([session])
    # The moved rows were moved, not copied.
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 8
    text = smtp.handler.received()[-1]
    assert "10:00 WIB / 11:00 WITA" in text.get_body(("plain",)).get_content() or \
        "11:00 WITA / 10:00 WIB" in text.get_body(("plain",)).get_content()


def test_moving_after_the_24h_reminder_was_sent_re_arms_it_for_the_new_time(
        app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    send_due_reminders(FIRST - timedelta(hours=24))
    assert len(smtp.handler.received()) == 4
    new_start = FIRST + timedelta(days=7)
    move(session, new_start, FIRST - timedelta(hours=20))
    send_due_reminders(FIRST - timedelta(hours=1))
    assert len(smtp.handler.received()) == 4  # nothing at the old 1 h mark
    send_due_reminders(new_start - timedelta(hours=24))
    send_due_reminders(new_start - timedelta(hours=1))
    assert len(smtp.handler.received()) == 12


def test_cancel_sends_no_reminders_only_one_notice_each(app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    cancel(session, PLANNED_AT + timedelta(days=3))
    for at in (PLANNED_AT + timedelta(days=3), FIRST - timedelta(hours=24), FIRST - timedelta(hours=1)):
        send_due_reminders(at)
        send_due_reminders(at)
    assert sent_set(smtp) == sorted((email, "cancelled", str(session.id), "") for email in REMINDED)
    notice = smtp.handler.received()[0]
    calendar = next(p for p in notice.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "CANCEL"
    assert "STATUS:CANCELLED" in calendar.get_content()


def test_a_lead_time_already_past_when_planned_is_skipped_not_sent_at_once(
        app, smtp, people, plan_series):
    planned = FIRST - timedelta(hours=5)
    [session] = plan_series(FIRST, planned, count=1)
    assert send_due_reminders(planned).sent == 0
    skipped = db.session.scalars(select(Reminder).where(Reminder.lead_minutes == 1440)).all()
    assert {r.status for r in skipped} == {ReminderStatus.SKIPPED}
    assert send_due_reminders(FIRST - timedelta(hours=1)).sent == 4
    assert sent_set(smtp) == expected([session], leads=("60",))


def test_after_downtime_late_reminders_still_useful_are_sent_and_the_rest_skipped(
        app, smtp, people, plan_series):
    s1, s2 = plan_series(FIRST, PLANNED_AT, count=2, interval_days=1)
    # Down from before s1's 24 h mark until 30 minutes after s1 began (s2 is a day later).
    result = send_due_reminders(FIRST + timedelta(minutes=30))
    assert (result.sent, result.skipped) == (4, 8)
    assert sent_set(smtp) == expected([s2], leads=("1440",))
    rows = db.session.scalars(select(Reminder).where(Reminder.session_id == s1.id)).all()
    assert {r.status for r in rows} == {ReminderStatus.SKIPPED}
    assert all(r.skip_reason for r in rows)


def test_moving_away_and_back_does_not_send_the_same_reminder_twice(app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    send_due_reminders(FIRST - timedelta(hours=24))
    move(session, FIRST + timedelta(days=7), FIRST - timedelta(hours=20))
    move(session, FIRST, FIRST - timedelta(hours=19))
    for at in (FIRST - timedelta(hours=1), FIRST + timedelta(days=6), FIRST + timedelta(days=7, hours=-1)):
        send_due_reminders(at)
    assert sent_set(smtp) == expected([session])


def test_a_failing_nudge_planner_does_not_hold_back_session_reminders(
        app, smtp, people, plan_series, monkeypatch):
    from matchmaker.reminders import planning

    def broken(now):
        raise RuntimeError("bug in a nudge")

    monkeypatch.setattr(planning, "plan_nudges", broken)
    plan_series(FIRST, PLANNED_AT, count=1)
    assert send_due_reminders(FIRST - timedelta(hours=24)).sent == 4


def test_someone_who_left_the_citys_pokja_is_not_reminded(app, smtp, people, plan_series):
    from tests.reminders.conftest import city

    plan_series(FIRST, PLANNED_AT, count=1)
    people["blitar2"].city_id = city("91.71").id
    db.session.commit()
    send_due_reminders(FIRST - timedelta(hours=24))
    assert "budi@blitar.example.id" not in [m["To"] for m in smtp.handler.received()]
    assert len(smtp.handler.received()) == 3


def test_a_sweep_reads_and_settles_its_rows_per_batch_not_per_message(
        app, smtp, people, crowd, plan_series, count_queries):
    crowd(20)
    plan_series(FIRST, PLANNED_AT, count=3, interval_days=0)
    app.config.update(REMINDER_BATCH_SIZE=50, REMINDER_SETTLE_MS=60_000)
    late = FIRST - timedelta(hours=2)  # late for every 24 h reminder: each is checked for a newer one
    with count_queries() as counted:
        result = send_due_reminders(late)
    assert result.sent == 3 * 24 and len(smtp.handler.received()) == 3 * 24
    settles = [s for s in counted.statements if s.startswith("UPDATE reminders SET status")]
    assert len(settles) == 2  # one per batch of 50
    assert counted.n < 40, counted.statements
