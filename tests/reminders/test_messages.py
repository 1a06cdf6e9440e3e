"""What a reminder e-mail says and how it is built."""

from datetime import timedelta
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.models import Reminder, ReminderStatus
from tests.reminders.conftest import FIRST, PLANNED_AT


def _by_recipient(smtp):
    return {m["To"]: m for m in smtp.handler.received()}


def test_reminder_shows_both_cities_times_programme_agenda_and_link(app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    send_due_reminders(FIRST - timedelta(hours=1))
    mails = _by_recipient(smtp)
    blitar = mails["ani@blitar.example.id"]
    text = blitar.get_body(("plain",)).get_content()
    assert "09:00 WIB / 10:00 WITA" in text
    assert "L2T2 Kendari untuk Blitar" in text
    assert "Sesi: 1" in text
    assert "https://meet.example.id/l2t2" in text
    assert "Agenda sesi 1 <b>penting</b>" in text  # plain text stays as typed
    assert "Senin, 27 Januari 2020" in text
    kendari = mails["citra@kendari.example.id"].get_body(("plain",)).get_content()
    assert "10:00 WITA / 09:00 WIB" in kendari  # the reader's own zone first
    html = blitar.get_body(("html",)).get_content()
    assert "Agenda sesi 1 &lt;b&gt;penting&lt;/b&gt;" in html  # user text escaped
    assert "<b>penting</b>" not in html
    assert blitar["Message-ID"] == f"<reminder-{_row_id(blitar)}@matchmaker>"
    assert blitar["Auto-Submitted"] == "auto-generated"


def _row_id(message) -> int:
    return int(message["Message-ID"].split("-")[1].split("@")[0])


def test_reminder_is_in_the_recipients_language(app, smtp, people, plan_series):
    plan_series(FIRST, PLANNED_AT, count=1)
    send_due_reminders(FIRST - timedelta(hours=1))
    mails = _by_recipient(smtp)
    assert mails["budi@blitar.example.id"]["Content-Language"] == "en"
    assert mails["ani@blitar.example.id"]["Content-Language"] == "id"
    # Dates are formatted by the recipient's locale even before the catalogue is translated.
    assert "Monday, January 27, 2020" in mails["budi@blitar.example.id"].get_body(("plain",)).get_content()


def test_invite_is_a_calendar_alternative_with_the_sessions_uid_and_sequence(
        app, smtp, people, plan_series):
    [session] = plan_series(FIRST, PLANNED_AT, count=1)
    session.sequence = 3
    db.session.commit()
    send_due_reminders(FIRST - timedelta(hours=1))
    message = smtp.handler.received()[0]
    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html", "text/calendar"]
    part = list(message.iter_parts())[2]
    assert part.get_param("method") == "REQUEST"
    event = Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]) == session.uid
    assert int(event["SEQUENCE"]) == 3
    assert event.decoded("DTSTART") == FIRST


def test_without_mail_server_messages_land_in_the_outbox_folder(app, people, plan_series):
    app.config["MAIL_SERVER"] = ""
    plan_series(FIRST, PLANNED_AT, count=1)
    result = send_due_reminders(FIRST - timedelta(hours=1))
    assert result.sent == 4
    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("reminder-*.eml"))
    sent = db.session.scalars(select(Reminder).where(Reminder.status == ReminderStatus.SENT,
                                                     Reminder.kind == "session")).all()
    assert {f.name for f in files} >= {f"reminder-{r.id}.eml" for r in sent}
    assert b"09:00 WIB / 10:00 WITA" in files[0].read_bytes() or b"10:00 WITA" in files[0].read_bytes()


def test_bodies_shared_by_a_sessions_readers_still_greet_each_by_name_escaped(
        app, smtp, people, plan_series):
    people["blitar1"].name = 'Ani "<b>" & co'
    db.session.commit()
    plan_series(FIRST, PLANNED_AT, count=1)
    send_due_reminders(FIRST - timedelta(hours=1))
    mails = _by_recipient(smtp)
    ani = mails["ani@blitar.example.id"]
    assert 'Halo Ani "<b>" & co,' in ani.get_body(("plain",)).get_content()
    html = ani.get_body(("html",)).get_content()
    assert "Ani &#34;&lt;b&gt;&#34; &amp; co" in html
    assert "<b>" not in html
    assert "Halo Citra," in mails["citra@kendari.example.id"].get_body(("plain",)).get_content()
