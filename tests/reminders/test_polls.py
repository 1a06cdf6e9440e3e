"""Time polls end to end: opened through the API, announced by e-mail to a real SMTP server,
answered through the API and through the page the e-mail links to, nudged once, chosen once."""

import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.programmes.models import ProgrammeSession
from matchmaker.reminders import planning
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus
from matchmaker.timeutils import utcnow

POKJA = ["ani@blitar.example.id", "budi@blitar.example.id", "citra@kendari.example.id"]
OPTIONS = ["2031-02-03T09:00", "2031-02-04T09:00", "2031-02-07T11:30"]


def _poll_mail(smtp, kind: str) -> Counter:
    return Counter(m["To"] for m in smtp.handler.received() if m["X-Matchmaker-Kind"] == kind)


def test_poll_announced_answered_nudged_and_chosen(app, client, login, api, smtp, people, programme):
    facilitator = api(people["facilitator"])
    opened = facilitator.post(f"/api/v1/programmes/{programme.id}/polls",
                              json={"options": OPTIONS, "timezone": "Asia/Jakarta"})
    assert opened.status_code == 201, opened.json
    poll = opened.json
    assert poll["status"] == "open" and len(poll["options"]) == 3
    assert poll["options"][0]["local_times"] == {"35.72": "2031-02-03 09:00 WIB",
                                                 "74.71": "2031-02-03 10:00 WITA"}
    assert [c["code"] for c in poll["options"][2]["checks"]] == ["friday_prayer", "friday_prayer"]
    first, second, third = (o["id"] for o in poll["options"])

    now = utcnow()
    send_due_reminders(now)
    assert _poll_mail(smtp, "poll") == Counter(POKJA)  # not the opted-out, disabled or other city
    mail = next(m for m in smtp.handler.received() if m["To"] == "budi@blitar.example.id")
    assert mail["X-Matchmaker-Programme"] == str(programme.id)
    text = mail.get_body(("plain",)).get_content()
    assert "Monday, February 3, 2031 09:00 WIB / 10:00 WITA" in text  # Budi reads English
    link = re.search(r"http\S+/polls/\d+", text).group(0)
    assert link.endswith(f"/polls/{poll['id']}")

    answered = api(people["blitar1"]).put(f"/api/v1/polls/{poll['id']}/answer",
                                          json={"available": [first, second]})
    assert answered.status_code == 200 and answered.json["answered"] is True
    assert api(people["kendari"]).put(f"/api/v1/polls/{poll['id']}/answer",
                                      json={"available": [second]}).status_code == 200
    assert api(people["other"]).get(f"/api/v1/polls/{poll['id']}").status_code == 403
    assert api(people["other"]).put(f"/api/v1/polls/{poll['id']}/answer",
                                    json={"available": [first]}).status_code == 403
    assert api(people["blitar1"]).put(f"/api/v1/polls/{poll['id']}/answer",
                                      json={"available": [123456]}).status_code == 400

    nudge_at = now + timedelta(days=app.config["POLL_NUDGE_DAYS"], minutes=1)
    send_due_reminders(nudge_at)
    send_due_reminders(nudge_at + timedelta(hours=1))
    assert _poll_mail(smtp, "poll_nudge") == Counter(["budi@blitar.example.id"])

    # Budi follows the link from his e-mail and marks a slot on the page.
    login(people["blitar2"])
    path = link.split("127.0.0.1:5000", 1)[-1]
    assert 'name="available"' in client.get(path).text
    client.post(f"{path}/answer", data={"available": [second, third]})

    result = facilitator.get(f"/api/v1/polls/{poll['id']}").json
    by_id = {o["id"]: o for o in result["options"]}
    assert by_id[second]["available"] == {"35.72": ["Ani", "Budi"], "74.71": ["Citra"]}
    assert [o["fits_both"] for o in result["options"]] == [False, True, False]
    assert result["waiting"] == {"35.72": [], "74.71": ["hadi"]}  # opted out of e-mail, still asked

    assert api(people["blitar1"]).post(f"/api/v1/polls/{poll['id']}/choose",
                                       json={"option": second}).status_code == 403
    chosen = facilitator.post(f"/api/v1/polls/{poll['id']}/choose",
                              json={"option": second, "count": 6, "interval_days": 14})
    assert chosen.status_code == 201, chosen.json
    assert chosen.json["sessions"][0]["starts_at"] == "2031-02-04T02:00:00Z"
    assert len(chosen.json["sessions"]) == 6 and "checks" in chosen.json
    again = facilitator.post(f"/api/v1/polls/{poll['id']}/choose", json={"option": first})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ProgrammeSession)) == 6
    assert facilitator.get(f"/api/v1/polls/{poll['id']}").json["chosen_option"] == second


def test_a_closed_poll_sends_no_nudge(app, api, smtp, people, programme):
    facilitator = api(people["facilitator"])
    poll = facilitator.post(f"/api/v1/programmes/{programme.id}/polls",
                            json={"options": OPTIONS[:2]}).json
    assert facilitator.post(f"/api/v1/polls/{poll['id']}/close").json["status"] == "closed"
    send_due_reminders(utcnow() + timedelta(days=app.config["POLL_NUDGE_DAYS"], minutes=1))
    assert _poll_mail(smtp, "poll") == Counter() and _poll_mail(smtp, "poll_nudge") == Counter()


def test_a_nudge_queued_before_the_answer_is_skipped_at_send_time(app, api, smtp, people, programme):
    poll = api(people["facilitator"]).post(f"/api/v1/programmes/{programme.id}/polls",
                                           json={"options": OPTIONS[:2]}).json
    later = utcnow() + timedelta(days=app.config["POLL_NUDGE_DAYS"], minutes=1)
    planning.plan_poll_nudges(later)
    db.session.commit()
    api(people["kendari"]).put(f"/api/v1/polls/{poll['id']}/answer", json={"available": []})
    send_due_reminders(later)
    assert _poll_mail(smtp, "poll_nudge") == Counter(["ani@blitar.example.id",
                                                      "budi@blitar.example.id"])
    skipped = db.session.scalar(select(Reminder).where(
        Reminder.kind == ReminderKind.POLL_NUDGE, Reminder.recipient_id == people["kendari"].id))
    assert skipped.status == ReminderStatus.SKIPPED and skipped.skip_reason == "jajak waktu sudah dijawab"
