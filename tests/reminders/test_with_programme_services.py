"""The issue's acceptance run: `reminders send-due --now …` through a series planned, moved and
cancelled with the programmes services, each person getting exactly what they should."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from matchmaker.extensions import db
from matchmaker.programmes import sessions as programmes
from tests.reminders.conftest import PLANNED_AT

REMINDED = ["ani@blitar.example.id", "budi@blitar.example.id", "citra@kendari.example.id",
            "fasilitator@pmu.example.id"]


def test_series_reschedule_and_cancel_through_the_cli(app, runner, smtp, people, programme):
    facilitator = people["facilitator"]
    planned = programmes.plan_series(facilitator, programme, 3, "2020-01-27T09:00", PLANNED_AT,
                                     timezone="Asia/Jakarta", interval_days=14,
                                     meeting_url="https://meet.example.id/l2t2")
    db.session.commit()
    s1, s2, s3 = planned.sessions
    assert s1.starts_at == datetime(2020, 1, 27, 2, 0, tzinfo=UTC)
    programmes.update_session(facilitator, s2, PLANNED_AT + timedelta(days=1),
                              starts_at="2020-02-11T13:00")
    programmes.cancel_session(facilitator, s3, PLANNED_AT + timedelta(days=1), reason="Banjir")
    db.session.commit()
    moved = datetime(2020, 2, 11, 6, 0, tzinfo=UTC)
    assert s2.starts_at == moved

    old_s2 = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)
    sweeps = sorted({PLANNED_AT + timedelta(days=1, minutes=1)} | {
        t - timedelta(minutes=m) for t in (s1.starts_at, old_s2, moved, s3.starts_at) for m in (1440, 60)})
    for at in sweeps:
        for _ in range(2):
            result = runner.invoke(args=["reminders", "send-due", "--now", at.isoformat()])
            assert result.exit_code == 0, result.output

    got = Counter((m["To"], m["X-Matchmaker-Kind"], m["X-Matchmaker-Session"], m["X-Matchmaker-Lead"])
                  for m in smtp.handler.received() if m["X-Matchmaker-Kind"] in ("session", "cancelled"))
    want = Counter({(who, "session", str(s.id), lead): 1 for who in REMINDED for s in (s1, s2)
                    for lead in ("1440", "60")})
    want.update({(who, "cancelled", str(s3.id), None): 1 for who in REMINDED})
    assert got == want
    texts = {(m["To"], m["X-Matchmaker-Session"], m["X-Matchmaker-Lead"]):
             m.get_body(("plain",)).get_content() for m in smtp.handler.received()}
    assert "09:00 WIB / 10:00 WITA" in texts[("ani@blitar.example.id", str(s1.id), "60")]
    assert "13:00 WIB / 14:00 WITA" in texts[("ani@blitar.example.id", str(s2.id), "1440")]
    assert "10:00 WITA / 09:00 WIB" in texts[("citra@kendari.example.id", str(s1.id), "1440")]
