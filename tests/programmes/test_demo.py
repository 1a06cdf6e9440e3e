"""The demo programmes: Kendari–Blitar 2020 as it happened, and one in progress around now."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from matchmaker.demo import load_demo
from matchmaker.extensions import db
from matchmaker.programmes import queries
from matchmaker.programmes.demo import demo_programme_2020, demo_programme_current
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus, SessionStatus
from matchmaker.timeutils import labelled_times


def test_demo_loads_the_2020_programme_and_one_in_progress(app, now):
    load_demo(now)
    db.session.commit()
    programme = demo_programme_2020()
    assert (programme.mentor.code, programme.mentee.code, programme.topic) == ("74.71", "35.72", "wastewater")
    assert programme.status == ProgrammeStatus.COMPLETED
    assert programme.outcome == "plan"
    starts = [s.starts_at for s in programme.sessions]
    assert starts[0] == datetime(2020, 1, 27, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
    assert starts[0].weekday() == 0
    assert labelled_times(starts[0], programme.zones) == "09:00 WIB / 10:00 WITA"
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [timedelta(days=14)] * 5
    assert {s.status for s in programme.sessions} == {SessionStatus.HELD}

    current = demo_programme_current()
    assert current.status == ProgrammeStatus.ACTIVE
    assert any(s.starts_at > now for s in current.sessions)
    assert any(s.starts_at < now for s in current.sessions)


def test_demo_twice_adds_nothing(app, now):
    load_demo(now)
    db.session.commit()
    counts = (db.session.scalar(select(func.count(Programme.id))),
              db.session.scalar(select(func.count(ProgrammeSession.id))))
    load_demo(now + timedelta(days=3))
    db.session.commit()
    assert counts == (db.session.scalar(select(func.count(Programme.id))),
                      db.session.scalar(select(func.count(ProgrammeSession.id)))) == (2, 12)


def test_demo_kendari_pokja_sees_the_next_session(app, now):
    load_demo(now)
    db.session.commit()
    from matchmaker.auth.services import get_user_by_email

    kendari = get_user_by_email("pokja.kendari@demo.id")
    upcoming = queries.upcoming_sessions(kendari, now)
    assert upcoming and upcoming[0].programme == demo_programme_current()


def test_flask_demo_command_is_idempotent(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(Programme.id))) == 2
