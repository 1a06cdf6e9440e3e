"""SMTP failures, retries, the failed state, the admin outbox page and the user's switch."""

import re
from datetime import timedelta

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.models import Reminder, ReminderStatus
from tests.conftest import PASSWORD
from tests.reminders.conftest import FIRST, PLANNED_AT, SmtpServer, free_port

AT = FIRST - timedelta(hours=24)


def _down_server(app):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    return SmtpServer(port)


def test_smtp_down_then_up_delivers_everything_after_retries(app, people, plan_series):
    server = _down_server(app)
    plan_series(FIRST, PLANNED_AT, count=1)
    first = send_due_reminders(AT)
    assert (first.sent, first.retrying) == (0, 4)
    assert send_due_reminders(AT + timedelta(seconds=30)).retrying == 0  # backing off
    assert send_due_reminders(AT + timedelta(seconds=61)).retrying == 4  # second try, still down
    rows = db.session.scalars(select(Reminder).where(Reminder.lead_minutes == 1440)).all()
    assert {r.attempts for r in rows} == {2}
    assert {r.next_attempt_at for r in rows} == {AT + timedelta(seconds=61 + 120)}
    server.start()
    try:
        result = send_due_reminders(AT + timedelta(seconds=61 + 120))
        assert result.sent == 4
        assert send_due_reminders(AT + timedelta(minutes=30)).sent == 0
        assert sorted(m["To"] for m in server.handler.received()) == [
            "ani@blitar.example.id", "budi@blitar.example.id", "citra@kendari.example.id",
            "fasilitator@pmu.example.id"]
    finally:
        server.stop()


def test_after_the_last_try_a_row_is_failed_and_an_admin_can_resend_it(
        app, people, plan_series, make_user, login, client):
    app.config["REMINDER_MAX_ATTEMPTS"] = 2
    server = _down_server(app)
    plan_series(FIRST, PLANNED_AT, count=1)
    send_due_reminders(AT)
    assert send_due_reminders(AT + timedelta(seconds=61)).failed == 4
    assert send_due_reminders(AT + timedelta(hours=1)).sent == 0
    failed = db.session.scalars(select(Reminder).where(Reminder.status == ReminderStatus.FAILED)).all()
    assert len(failed) == 4 and all("cannot connect" in r.last_error for r in failed)

    login(make_user("admin"))
    page = client.get("/admin/outbox?status=failed")
    assert page.status_code == 200
    assert page.text.count('id="reminder-') == 4
    assert "cannot connect" in page.text
    response = client.post(f"/admin/outbox/{failed[0].id}/resend")
    assert response.status_code == 302

    server.start()
    try:
        result = send_due_reminders(AT + timedelta(hours=2))
        assert result.sent == 1
        resent = [m["Message-ID"] for m in server.handler.received()]
        assert resent == [f"<reminder-{failed[0].id}@matchmaker>"]
    finally:
        server.stop()


def test_outbox_page_is_for_admins_only(app, client, login, make_user):
    login(make_user("facilitator"))
    assert client.get("/admin/outbox").status_code == 403


def test_outbox_filters_by_kind_and_recipient(app, people, plan_series, make_user, login, client):
    plan_series(FIRST, PLANNED_AT, count=1)
    login(make_user("admin"))
    page = client.get("/admin/outbox?q=blitar&kind=session")
    assert page.status_code == 200
    assert page.text.count('id="reminder-') == 4  # 2 Blitar members x 2 lead times
    assert "citra@kendari" not in page.text
    assert client.get("/admin/outbox?status=nonsense").status_code == 400
    # Kinds, statuses and lead times in the interface language, not the codes.
    assert ">Pengingat sesi · 24 jam<" in page.text and ">dalam antrean<" in page.text
    assert ">pending<" not in page.text and ">session" not in page.text


def test_resend_needs_a_csrf_token(app, people, plan_series, make_user, client):
    plan_series(FIRST, PLANNED_AT, count=1)
    row = db.session.scalars(select(Reminder)).first()
    row.skip("test")
    db.session.commit()
    admin = make_user("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/login").text).group(1)
        signed_in = client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                                "csrf_token": token})
        assert signed_in.status_code == 302
        assert client.post(f"/admin/outbox/{row.id}/resend").status_code == 400
        db.session.refresh(row)
        assert row.status == ReminderStatus.SKIPPED
        page = client.get("/admin/outbox").text
        form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post(f"/admin/outbox/{row.id}/resend",
                           data={"csrf_token": form_token}).status_code == 302
        db.session.refresh(row)
        assert row.status == ReminderStatus.PENDING
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_user_who_turns_reminders_off_gets_none(app, smtp, people, plan_series, login, client):
    plan_series(FIRST, PLANNED_AT, count=1)
    login(people["blitar1"])
    assert client.get("/account/reminders").status_code == 200
    assert client.post("/account/reminders", data={"submit": "1"}).status_code == 302
    db.session.refresh(people["blitar1"])
    assert people["blitar1"].reminders_enabled is False
    send_due_reminders(AT)
    assert "ani@blitar.example.id" not in [m["To"] for m in smtp.handler.received()]
    assert len(smtp.handler.received()) == 3
